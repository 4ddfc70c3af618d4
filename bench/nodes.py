"""Three nodes following one PostgreSQL: commit -> answer at each node under a steady write rate.

    python -m bench.nodes --postgres postgresql://postgres@127.0.0.1:5432/postgres
                          [--records 10000] [--rate 100] [--seconds 60] [--port 0]
                          [--reference DIR]

A fresh PostgreSQL database is made (and dropped at the end), migrated and seeded with
:func:`bench.seed.seed` (``--records`` A records plus an apex, a wildcard, MX and TXT); the zone
gets a transfer ACL for 127.0.0.0/8 (``dnsd transfer allow ZONE --network 127.0.0.0/8``). Three
``dnsd serve-dns`` processes listen on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (one port, default
settings: feed woken by LISTEN/NOTIFY, polled every 0.1 s). ``--reference DIR`` then runs the
same again (a new database) with the three nodes from the dnsd source tree in DIR (e.g.
``git archive main | tar -x -C DIR``), and prints both "all three" lines together.

The writer (this process) makes ``--rate`` changes a second for ``--seconds`` through
``ZoneStore.put_rrset``, each on a name of its own so no change hides another: even changes add
a new name, odd changes give one of the seeded ``hostN`` names a new address. The commit time of
each is the moment ``put_rrset`` returns. One prober process per node receives every change as
it is committed and queries that node for all its pending names each millisecond (all sent, then
the replies read), until the new address is answered: the delay is from commit to the first
reply that carries it. A change not answered within ``--timeout`` seconds counts as missed.

At the end: every change's name is queried once more at every node (a wrong or missing final
answer counts as missed); each node's SOA serial is compared with the store's; each node's zone
is transferred (AXFR over TCP) and the digest of its sorted RR lines compared with the store's,
taken from a fourth ``serve-dns`` started afterwards on 127.0.0.4 (a cold load of the store in
one transaction, not the change feed). An RR line that appears twice in a transfer, or an
address twice in an answer, counts as double-applied.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import queue
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path

import dns.message
import dns.query
from dnslib import CLASS, QTYPE, DNSRecord

from bench.procs import ROOT, announced, cpu_seconds, env, free_port, stop
from bench.propagation import percentile
from bench.scale import postgres_database
from bench.seed import OWNER, BenchZone, seed
from dnsd.domain.records import make_rrset
from dnsd.store.engine import make_engine
from dnsd.store.migrate import upgrade
from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore

ZONE = "nodes.test"
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
STORE_HOST = "127.0.0.4"
Change = tuple[int, str, str, float]
"""(sequence number, name, new address, commit time on the monotonic clock)."""


@dataclass
class ProbeResult:
    host: str
    delays: dict[int, float] = field(default_factory=dict)  # seq -> ms from commit to answer
    missed: list[int] = field(default_factory=list)
    doubled: int = 0  # answers that carried an address twice
    queries: int = 0


def probe(
    host: str, port: int, changes: Queue[Change | None], out: Queue[ProbeResult], timeout: float
) -> None:
    """Until ``changes`` yields None and nothing is pending: query every pending name at
    ``host`` each millisecond; record when each first answers its new address.

    Cheap on purpose (the probers share two cores with three servers, PostgreSQL and the
    writers): each query is packed once, and a reply is recognised by its id and by the new
    address's RDATA (``00 04`` + 4 bytes) after the question, not parsed."""
    result = ProbeResult(host)
    pending: dict[int, tuple[bytes, bytes, float]] = {}  # seq -> (query, wanted RDATA, commit)
    closed = False
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((host, port))
    sock.settimeout(0.05)
    while not closed or pending:
        while True:  # take every change committed so far
            try:
                item = changes.get(block=not pending and not closed, timeout=0.05)
            except queue.Empty:
                break
            if item is None:
                closed = True
                break
            seq, name, address, committed = item
            query = dns.message.make_query(name, "A")
            query.id = seq % 65536
            pending[seq] = (query.to_wire(), b"\x00\x04" + socket.inet_aton(address), committed)
        if not pending:
            continue
        asked = {seq % 65536: seq for seq in pending}
        for wire, _, _ in pending.values():
            sock.send(wire)
        result.queries += len(asked)
        while asked:
            try:
                reply = sock.recv(4096)
            except TimeoutError:
                break
            now = time.monotonic()
            seq_or_none = asked.pop(int.from_bytes(reply[:2], "big"), None)
            if seq_or_none is None:
                continue
            wire, wanted, committed = pending[seq_or_none]
            found = reply.count(wanted, len(wire))  # after the header and question (as asked)
            if found:
                result.delays[seq_or_none] = (now - committed) * 1000
                result.doubled += found > 1
                del pending[seq_or_none]
        now = time.monotonic()
        for seq in [s for s, (_, _, committed) in pending.items() if now - committed > timeout]:
            result.missed.append(seq)
            del pending[seq]
        time.sleep(0.001)
    sock.close()
    out.put(result)


def axfr_lines(host: str, port: int, zone: str) -> list[str]:
    """The zone's RRs as text lines, as ``host`` transfers them (the closing SOA left out)."""
    query = DNSRecord.question(zone, "AXFR").pack()
    lines: list[str] = []
    soas = 0
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.sendall(len(query).to_bytes(2, "big") + query)
        stream = sock.makefile("rb")
        while soas < 2:
            size = int.from_bytes(stream.read(2), "big")
            if size == 0:
                raise RuntimeError(f"AXFR from {host} ended early")
            message = DNSRecord.parse(stream.read(size))
            if message.header.rcode != 0:
                raise RuntimeError(f"AXFR from {host}: rcode {message.header.rcode}")
            for rr in message.rr:
                soas += rr.rtype == QTYPE.SOA
                if soas < 2:
                    lines.append(
                        f"{rr.rname} {rr.ttl} {CLASS[rr.rclass]} {QTYPE[rr.rtype]} {rr.rdata.toZone()}"
                    )
    return lines


def soa_serial(host: str, port: int, zone: str) -> int:
    reply = dns.query.udp(dns.message.make_query(zone, "SOA"), host, port=port, timeout=2)
    return int(reply.answer[0][0].serial)


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]


def start_node(url: str, host: str, port: int, source: Path | None = None) -> subprocess.Popen[str]:
    """``serve-dns`` on ``host``, from this checkout or the dnsd tree ``source``."""
    argv = [sys.executable, "-m", "dnsd", "--database-url", url, "serve-dns"]
    argv += ["--host", host, "--port", str(port)]
    print(f"  $ {' '.join(argv)}" + (f"   (in {source})" if source else ""), flush=True)
    proc = subprocess.Popen(
        argv, cwd=source or ROOT, env=env(PYTHONPATH=str(source or ROOT)), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    announced(proc, r"serving DNS on \S+ port (\d+)", timeout=900)
    return proc


def summary(label: str, ms: list[float]) -> str:
    if not ms:
        return f"{label:<12} no answers"
    return (
        f"{label:<12}{len(ms):>7}{statistics.median(ms):>11.1f}{percentile(ms, 90):>9.1f}"
        f"{percentile(ms, 99):>9.1f}{max(ms):>9.1f}"
    )


def change_for(i: int) -> tuple[str, str, str]:
    """Change ``i``: (name, owner, new address); even: a new name, odd: a seeded name moved."""
    if i % 2 == 0:
        return f"n{i}.{ZONE}", "bench:nodes", f"10.200.{i // 256 % 256}.{i % 256}"
    return f"host{i // 2}.{ZONE}", OWNER, f"10.201.{i // 256 % 256}.{i % 256}"


def write(
    url: str,
    first: int,
    step: int,
    total: int,
    rate: float,
    start: float,
    queues: list[Queue[Change | None]],
    done: Queue[tuple[int, float]],
) -> None:
    """Writer process: changes ``first``, ``first + step``, ... each at ``start + i / rate`` (or
    as soon as the previous one is done when behind), each sent to every prober once committed."""
    store = ZoneStore(make_engine(url))
    behind = 0.0
    for i in range(first, total, step):
        pause = start + i / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            behind = max(behind, -pause)
        name, owner, address = change_for(i)
        store.put_rrset(make_rrset(name, "A", 300, owner, [address]), "bench")
        change = (i, name, address, time.monotonic())
        for q in queues:
            q.put(change)
    store.engine.dispose()
    done.put((first, behind))


def final_answers(host: str, port: int, changes: list[tuple[int, str, str]]) -> tuple[int, int]:
    """(changes whose name does not answer its address at ``host`` now, answers with a repeat)."""
    wrong = doubled = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _seq, name, address in changes:
            reply = dns.query.udp(dns.message.make_query(name, "A"), host, port=port, timeout=2, sock=sock)
            values = [r.to_text() for rrset in reply.answer for r in rrset]
            wrong += values != [address]
            doubled += len(values) != len(set(values))
    return wrong, doubled


def prepare(url: str, records: int) -> None:
    """Migrate and seed ``url``; allow transfers of the zone to 127.0.0.0/8."""
    upgrade(url)
    started = time.perf_counter()
    seed(url, BenchZone(ZONE, records))
    print(f"  seeded {records} records in {time.perf_counter() - started:.1f} s", flush=True)
    engine = make_engine(url)
    TransferOps(engine, ZoneStore(engine).limits).set_transfer_acl(ZONE, "bench", ["127.0.0.0/8"], [])
    engine.dispose()


def under_load(
    url: str, port: int, nodes: list[subprocess.Popen[str]], args: argparse.Namespace
) -> list[ProbeResult]:
    """Writers and probers (forked processes) for ``--seconds`` at ``--rate``: every probe result."""
    ctx = mp.get_context("fork")
    total = int(args.rate * args.seconds)
    queues: list[Queue[Change | None]] = [ctx.Queue() for _ in HOSTS]
    out: Queue[ProbeResult] = ctx.Queue()
    done: Queue[tuple[int, float]] = ctx.Queue()
    start = time.monotonic() + 1.0
    procs = [
        ctx.Process(target=probe, args=(host, port, q, out, args.timeout), daemon=True)
        for host, q in zip(HOSTS, queues, strict=True)
    ]
    procs += [
        ctx.Process(target=write, args=(url, w, args.writers, total, args.rate, start, queues, done))
        for w in range(args.writers)
    ]
    cpu_before = [cpu_seconds([n.pid]) for n in nodes]
    for proc in procs:
        proc.start()
    try:
        behind = max(done.get(timeout=args.seconds * 20 + 600)[1] for _ in range(args.writers))
        elapsed = time.monotonic() - start
        cpu = [cpu_seconds([n.pid]) - before for n, before in zip(nodes, cpu_before, strict=True)]
        print(
            f"  {args.writers} writers: {total} changes in {elapsed:.1f} s ({total / elapsed:.1f}/s; "
            f"at most {behind:.1f} s behind schedule); CPU seconds of each node meanwhile: "
            f"{', '.join(f'{c:.1f}' for c in cpu)}; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        for q in queues:
            q.put(None)
        results = [out.get(timeout=args.timeout + 60) for _ in HOSTS]
        for proc in procs:
            proc.join()
        return sorted(results, key=lambda r: r.host)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()


def latency_table(results: list[ProbeResult], args: argparse.Namespace, tree: str) -> str:
    """Prints the per-node table; returns its "all three" line."""
    print(
        f"\n{tree}: {args.rate:g} changes/s asked for {args.seconds:g} s, {args.records:,} records, "
        "PostgreSQL; commit -> answer (ms):"
    )
    print(f"{'node':<12}{'answered':>7}{'median':>11}{'p90':>9}{'p99':>9}{'max':>9}")
    for r in results:
        print(summary(r.host, list(r.delays.values())))
    print(summary("pooled", [d for r in results for d in r.delays.values()]))
    common = set.intersection(*(set(r.delays) for r in results))
    three = summary("all three", [max(r.delays[seq] for r in results) for seq in common])
    print(three)
    print("(all three: per change, the last of the three nodes to answer it)")
    return three


def end_check(url: str, port: int, results: list[ProbeResult], total: int) -> None:
    """Serials, transfers and final answers of every node against the store."""
    print("\nat the end:")
    engine = make_engine(url)
    serial = ZoneStore(engine).get_zone(ZONE).serial
    engine.dispose()
    store_node = start_node(url, STORE_HOST, port)
    try:
        reference = axfr_lines(STORE_HOST, port, ZONE)
        print(
            f"  store: SOA serial {serial}; AXFR of a node cold-started now ({STORE_HOST}): "
            f"{len(reference)} RRs, digest {digest(reference)}, serial {soa_serial(STORE_HOST, port, ZONE)}"
        )
    finally:
        stop(store_node)
    changes = [(i, name, address) for i in range(total) for name, _owner, address in [change_for(i)]]
    for r in results:
        wrong, doubled = final_answers(r.host, port, changes)
        lines = axfr_lines(r.host, port, ZONE)
        repeated = sum(n - 1 for n in Counter(lines).values() if n > 1)
        same = "same" if digest(lines) == digest(reference) else "DIFFERENT"
        print(
            f"  {r.host}: SOA serial {soa_serial(r.host, port, ZONE)}; AXFR {len(lines)} RRs, "
            f"digest {digest(lines)} ({same}); missed while probing {len(r.missed)}, "
            f"wrong at the end {wrong}; double-applied: {r.doubled + doubled} answers with a "
            f"repeated address, {repeated} repeated RR lines; {r.queries} probe queries",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=2, help="writer processes sharing the rate")
    parser.add_argument("--port", type=int, default=0, help="one port for the three nodes (0: a free one)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a change is missed")
    parser.add_argument("--reference", type=Path, help="then the same with serve-dns from this dnsd tree")
    args = parser.parse_args()
    total = int(args.rate * args.seconds)
    if total // 2 > args.records:
        raise SystemExit(f"--records must be at least {total // 2}: odd changes move seeded names")
    print("python -m bench.nodes " + " ".join(sys.argv[1:]))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    port = args.port or free_port()
    trees: list[tuple[str, Path | None]] = [("now", None)]
    if args.reference:
        trees.append(("ref", args.reference.resolve()))
    lines: list[str] = []
    for tree, source in trees:
        print(f"\n== {tree}" + (f" (serve-dns from {source})" if source else ""), flush=True)
        with postgres_database(args.postgres) as url:
            prepare(url, args.records)
            nodes = [start_node(url, host, port, source) for host in HOSTS]
            try:
                for host, node in zip(HOSTS, nodes, strict=True):
                    print(f"  node {host} port {port}: pid {node.pid}", flush=True)
                results = under_load(url, port, nodes, args)
                lines.append(f"{tree:<5}{latency_table(results, args, tree)}")
                end_check(url, port, results, total)
            finally:
                for node in nodes:
                    stop(node)
    if len(lines) > 1:
        print(f"\n{'tree':<5}{'':<12}{'answered':>7}{'median':>11}{'p90':>9}{'p99':>9}{'max':>9}")
        print("\n".join(lines))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
