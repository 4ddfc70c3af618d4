"""Weighted names and views against plain ones: qps in one run (issues 14 and 15).

    python -m bench.steering [--hosts 1000] [--seconds 2] [--rounds 5] [--sources 8]

Two ``dnsd serve-dns`` processes (both pinned to core 0, measured one at a time) on two SQLite
databases holding the same zone (:class:`bench.seed.BenchZone`, ``--hosts`` names):

- ``flat``: no views; besides the plain ``hostN`` names, as many ``wN`` names weighted 50/50
  over two pools (``hashed``) and as many ``rN`` names (``random``).
- ``views``: the same zone plus 50 views x 4 networks; the plain names are on a pool with
  members in every view, so each view has zones (and a response cache) of its own.

The load generator (this process, pinned to core 1) sends from ``--sources`` loopback source
addresses (one socket each, a window of queries per socket); against ``views`` each source is
in another view (the last in none). Per case: answers per second (client clock) and per
server CPU second (the server's own cost: the client may be the bottleneck). Cases alternate
within each round after a warm-up round; the figures are medians over ``--rounds``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import dns.message
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.procs import announced, cpu_seconds, pinned, process_tree, start_dnsd, stop
from bench.seed import OWNER, BenchZone, seed
from dnsd.store.engine import make_engine
from dnsd.store.migrate import upgrade
from dnsd.store.tables import PoolAddressRow, PoolRow, RecordRow, RecordTargetRow, ViewRow, ZoneRow

VIEWS = 50
NETWORKS = 4


def view_networks(i: int) -> list[str]:
    return [f"127.{i + 1}.0.0/16", f"10.{200 + i % 50}.{i}.0/24", f"172.16.{i}.0/24", f"fd00:{i:x}::/32"]


def seed_flat(url: str, zone: BenchZone) -> None:
    """The zone, plus ``wN`` (hashed 50/50) and ``rN`` (random 50/50) on pools ``a`` and ``b``."""
    seed(url, zone)
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        zone_id = session.scalar(select(ZoneRow.id).where(ZoneRow.name == zone.name))
        pools = {}
        for name, address in (("a", "10.250.0.1"), ("b", "10.250.0.2")):
            pool = PoolRow(name=name, description="")
            session.add(pool)
            session.flush()
            session.add(PoolAddressRow(pool_id=pool.id, address=address, view="default", position=0))
            pools[name] = pool.id
        for prefix, mode in (("w", "hashed"), ("r", "random")):
            for i in range(zone.hosts):
                row = RecordRow(
                    zone_id=zone_id, name=f"{prefix}{i}.{zone.name}", type="A", ttl=300, rdata=[],
                    pool_id=pools["a"], owner=OWNER, mode=mode, created_at=now, updated_at=now,
                )  # fmt: skip
                session.add(row)
                session.flush()
                session.execute(insert(RecordTargetRow), [
                    {"record_id": row.id, "pool_id": pools["a"], "weight": 50, "position": 0},
                    {"record_id": row.id, "pool_id": pools["b"], "weight": 50, "position": 1},
                ])  # fmt: skip
    engine.dispose()


def seed_views(url: str, zone: BenchZone) -> None:
    """The zone with 50 views x 4 networks; ``hostN`` on a pool with members in every view."""
    seed(url, zone)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        zone_id = session.scalar(select(ZoneRow.id).where(ZoneRow.name == zone.name))
        for i in range(VIEWS):
            session.add(ViewRow(name=f"v{i}", description="", networks=view_networks(i)))
        pool = PoolRow(name="web", description="")
        session.add(pool)
        session.flush()
        members = [{"pool_id": pool.id, "address": "10.251.0.1", "view": "default", "position": 0}]
        members += [
            {"pool_id": pool.id, "address": f"10.252.{i}.1", "view": f"v{i}", "position": 0}
            for i in range(VIEWS)
        ]
        session.execute(insert(PoolAddressRow), members)
        session.execute(
            RecordRow.__table__.update()
            .where(RecordRow.zone_id == zone_id, RecordRow.name.like("host%"))
            .values(pool_id=pool.id, rdata=[])
        )
    engine.dispose()


def start_checkout(checkout: str, db_url: str, core: int) -> tuple[subprocess.Popen[str], int]:
    """``dnsd serve-dns`` from another checkout (same interpreter and packages)."""
    argv = [
        sys.executable,
        "-m",
        "dnsd",
        "--database-url",
        db_url,
        "serve-dns",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    proc = subprocess.Popen(
        pinned(core, argv), cwd=checkout, env={**os.environ, "PYTHONPATH": checkout},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    return proc, announced(proc, r"serving DNS on \S+ port (\d+)")


def queries(names: list[str]) -> list[bytes]:
    return [dns.message.make_query(name, "A").to_wire() for name in names]


def blast(
    port: int, wires: list[bytes], sources: list[str], seconds: float, window: int = 32
) -> tuple[int, float]:
    """Send ``wires`` round-robin from ``sources`` for ``seconds``; (answers, elapsed)."""
    socks = []
    for source in sources:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((source, 0))
        sock.settimeout(0.2)
        socks.append(sock)
    target = ("127.0.0.1", port)
    answered, at, size = 0, 0, len(wires)
    started = time.perf_counter()
    deadline = started + seconds
    try:
        while time.perf_counter() < deadline:
            for sock in socks:
                for _ in range(window):
                    sock.sendto(wires[at], target)
                    at = at + 1 if at + 1 < size else 0
            for sock in socks:
                for _ in range(window):
                    try:
                        sock.recv(4096)
                    except TimeoutError:
                        break
                    answered += 1
    finally:
        for sock in socks:
            sock.close()
    return answered, time.perf_counter() - started


def hot_path(db_url: str, wires: list[bytes], sources: list[str], passes: int) -> float:
    """CPU nanoseconds per query of the batched UDP hot path alone (no system calls): the server's
    ``_answer`` on receive slots filled in place, on a snapshot loaded from ``db_url``, after
    two passes that fill the caches and the memos. This is the part the cases differ in; the client does not
    limit it."""
    from dnsd.server.feed import load_snapshot
    from dnsd.server.holder import SnapshotHolder
    from dnsd.server.mmsg import _NAME_SIZE, BATCH, RECV_SLOT, MmsgUdpServer
    from dnsd.server.responder import Responder
    from dnsd.store.zonestore import ZoneStore

    engine = make_engine(db_url)
    holder = SnapshotHolder(load_snapshot(ZoneStore(engine)))
    engine.dispose()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    server = MmsgUdpServer(sock, holder, Responder(holder))
    slots = server._slots
    names = [b"\x02\x00\x00\x35" + socket.inet_aton(source) + b"\x00" * 8 for source in sources]
    batches = []
    for first in range(0, len(wires), BATCH):
        batch = [(wires[(first + i) % len(wires)], names[(first + i) % len(names)]) for i in range(BATCH)]
        batches.append(batch)

    def fill(batch: list[tuple[bytes, bytes]]) -> None:
        for i, (wire, name) in enumerate(batch):
            at = i * RECV_SLOT
            slots.recv_view[at : at + len(wire)] = wire
            slots.names_view[i * _NAME_SIZE : i * _NAME_SIZE + 16] = name
            slots.recv_hdr[i].len = len(wire)

    spent = 0.0
    count = 0
    for round_no in range(-1, passes + 1):  # two passes fill the caches and the source memos
        for batch in batches:
            fill(batch)
            started = time.thread_time()  # CPU time of this thread: other processes do not count
            server._answer(BATCH)
            if round_no > 0:
                spent += time.thread_time() - started
                count += BATCH
            if server._moved:
                server._restore_names()
    sock.close()
    return 1e9 * spent / count


def measure(pid: int, run: Callable[[], tuple[int, float]]) -> tuple[float, float]:
    """(answers per second, answers per server CPU second) of one ``run``."""
    pids = process_tree(pid)
    cpu = cpu_seconds(pids)
    answered, elapsed = run()
    spent = cpu_seconds(pids) - cpu
    return answered / elapsed, answered / spent if spent > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument(
        "--baseline",
        metavar="CHECKOUT",
        help="also serve the flat database from this checkout of dnsd (e.g. main)",
    )
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, "-m", "bench.steering", *sys.argv[1:]]))
    if hasattr(os, "sched_setaffinity"):  # the load generator on core 1, the servers on core 0
        os.sched_setaffinity(0, {1})
    zone = BenchZone("bench.test", args.hosts)
    plain = queries([f"host{i}.{zone.name}" for i in range(zone.hosts)])
    hashed = queries([f"w{i}.{zone.name}" for i in range(zone.hosts)])
    drawn = queries([f"r{i}.{zone.name}" for i in range(zone.hosts)])
    flat_sources = [f"127.0.{i}.1" for i in range(args.sources)]
    view_sources = [f"127.{i * 7 % VIEWS + 1}.0.1" for i in range(args.sources - 1)] + ["127.0.0.1"]
    with tempfile.TemporaryDirectory(prefix="dnsd-steering-") as tmp:
        urls = {"flat": f"sqlite:///{tmp}/flat.db", "views": f"sqlite:///{tmp}/views.db"}
        for url in urls.values():
            upgrade(url)
        seed_flat(urls["flat"], zone)
        seed_views(urls["views"], zone)
        procs = {name: start_dnsd(url, 0) for name, url in urls.items()}
        if args.baseline:
            procs["baseline"] = start_checkout(args.baseline, urls["flat"], 0)
        try:
            cases: dict[str, tuple[str, list[bytes], list[str]]] = {
                **(
                    {"plain names, baseline checkout": ("baseline", plain, flat_sources)}
                    if args.baseline
                    else {}
                ),
                "plain names": ("flat", plain, flat_sources),
                "weighted hashed": ("flat", hashed, flat_sources),
                "weighted random": ("flat", drawn, flat_sources),
                "plain zone, several sources": ("flat", plain, view_sources),
                "50 views x 4 networks": ("views", plain, view_sources),
            }
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
            for round_no in range(args.rounds + 1):
                for name, (server, wires, sources) in cases.items():
                    proc, port = procs[server]
                    figure = measure(
                        proc.pid, lambda p=port, w=wires, s=sources: blast(p, w, s, args.seconds)
                    )
                    if round_no:  # round 0 warms the caches up
                        results[name].append(figure)
        finally:
            for proc, _ in procs.values():
                stop(proc)
        hot: dict[str, list[float]] = {name: [] for name in cases if cases[name][0] != "baseline"}
        for _ in range(args.rounds):
            for name, runs in hot.items():
                server, wires, sources = cases[name]
                runs.append(hot_path(urls[server], wires, sources, passes=20))
    rounds = f"{args.rounds} rounds of {args.seconds:g} s"
    print(f"{args.hosts} names, {args.sources} sources, {rounds}, medians:")
    print(f"{'case':32} {'qps':>9} {'qps/server CPU s':>17} {'vs reference':>13}")
    several = "plain zone, several sources"
    reference = {name: "plain names" for name in cases} | {several: several, "50 views x 4 networks": several}
    medians = {
        name: (statistics.median(q for q, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in results.items()
    }
    for name, (qps, per_cpu) in medians.items():
        ref = medians[reference[name]][1]
        print(f"{name:32} {qps:9.0f} {per_cpu:17.0f} {100 * (per_cpu / ref - 1):+12.1f}%")
    print("hot path alone (in process, receive slots filled in place), ns per query, medians:")
    for name, runs in hot.items():
        ref = statistics.median(hot[reference[name]]) if reference[name] in hot else float("nan")
        mine = statistics.median(runs)
        print(f"{name:32} {mine:9.0f} ns {100 * (mine / ref - 1):+12.1f}%")


if __name__ == "__main__":
    main()
