"""The Python part of the batched UDP path alone: :meth:`MmsgUdpServer._answer` on full batches
of cache hits, without system calls (so the kernel stays out of it).

    python -m bench.udp_hot_path [--reference TREE] [--rounds 7] [--batches 64] [--repeat 3000] [--rrl]

Fills the receive slots with ``BATCH`` queries of the dnsperf mix (host, wildcard and NXDOMAIN
names, as dnsperf sends them) whose responses are in the cache, then times ``_answer(BATCH)``
``--repeat`` times: nanoseconds of Python per datagram (``--rrl``: once more with rate
limiting on). ``--reference TREE`` times another checkout the same way in a child process,
rounds interleaved; medians and best rounds are compared (on a busy machine the best round is
the steadier figure).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_answer(batch: int, repeat: int, rrl: bool = False) -> float:
    """Nanoseconds per datagram of ``_answer`` on ``batch`` cached queries (this checkout's code);
    ``rrl``: with response rate limiting on (a rate no client reaches, so every query passes)."""
    import dns.message

    from dnsd.domain.snapshot import Snapshot
    from dnsd.server import mmsg
    from dnsd.server.holder import SnapshotHolder
    from dnsd.server.responder import Responder
    from dnsd.server.rrl import RateLimiter

    mmsg.BATCH = batch
    holder = SnapshotHolder(Snapshot({}))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    limiter = RateLimiter(10**9) if rrl else None
    server = mmsg.MmsgUdpServer(sock, holder, Responder(holder), limiter=limiter)
    slots = server._slots
    kinds = ("host{}.bench.test", "w{}.wild.bench.test", "nx{}.bench.test")
    for i in range(batch):
        query = dns.message.make_query(kinds[i % 3].format(i), "A", use_edns=False)
        query.id = i
        wire = query.to_wire()
        response = dns.message.make_response(query)
        response.flags |= 0x400
        body = response.to_wire()[2:] + bytes(16 + i % 40)  # answer-sized
        holder.current.cache.udp[wire[2:]] = body
        start, len_index, _ = slots.recv_info[i]
        slots.recv_view[start : start + len(wire)] = wire
        slots.recv_ints[len_index] = len(wire)
        sockaddr = (
            socket.AF_INET.to_bytes(2, "little") + (5300 + i).to_bytes(2, "big") + bytes([127, 0, 0, 1])
        )
        slots.names_view[i * mmsg._NAME_SIZE : i * mmsg._NAME_SIZE + 8] = sockaddr
    for _ in range(repeat // 10):  # warm up
        server._answer(batch)
    started = time.perf_counter()
    for _ in range(repeat):
        server._answer(batch)
    elapsed = time.perf_counter() - started
    sock.close()
    return elapsed / (repeat * batch) * 1e9


def child(tree: Path, batch: int, repeat: int, rrl: bool) -> float:
    """:func:`time_answer` in a fresh interpreter importing ``dnsd`` from ``tree``."""
    argv = [sys.executable, __file__, "--child", str(batch), str(repeat), str(int(rrl))]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(argv, check=False, env=env, cwd=tree, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return float(out.stdout.split()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(time_answer(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reference", type=Path, help="another checkout to time the same way")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batches", default="64", help="datagrams per batch, comma-separated")
    parser.add_argument("--repeat", type=int, default=3000)
    parser.add_argument("--rrl", action="store_true", help="also time with rate limiting on")
    args = parser.parse_args()
    trees = {"this": ROOT} | ({"ref": args.reference.resolve()} if args.reference else {})
    results: dict[str, list[float]] = {}
    for round_no in range(args.rounds):
        order = list(trees.items())
        order = order[round_no % len(order) :] + order[: round_no % len(order)]
        for batch, rrl in product(map(int, args.batches.split(",")), (False, True) if args.rrl else (False,)):
            for name, tree in order:
                key = f"{name} b{batch}" + (" rrl" if rrl else "")
                results.setdefault(key, []).append(child(tree, batch, args.repeat, rrl))
    load = os.getloadavg()[0]
    print(f"ns of Python per cached datagram in _answer, {args.rounds} rounds (load {load:.2f}):")
    for key, values in results.items():
        rounds = json.dumps([round(v) for v in values])
        print(
            f"  {key:>14}: median {statistics.median(values):7.1f} ns, best {min(values):7.1f} ns  {rounds}"
        )
    if args.reference:
        for key in (k.removeprefix("this ") for k in results if k.startswith("this ")):
            mine, ref = (results[f"{n} {key}"] for n in ("this", "ref"))
            ratios = statistics.median(mine) / statistics.median(ref), min(mine) / min(ref)
            print(f"  {key} this/ref: {ratios[0]:.2f} (medians), {ratios[1]:.2f} (best)")


if __name__ == "__main__":
    main()
