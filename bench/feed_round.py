"""Where one feed round's time goes as the zone grows: the steps of ``FeedFollower.sync_once``.

    python -m bench.feed_round [--sizes 10000,100000,1000000] [--changes 20]
                               [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

For each size a fresh database (SQLite, and a new PostgreSQL database with ``--postgres``) is
seeded with :func:`bench.seed.seed` and its snapshot loaded in this process
(:func:`dnsd.server.feed.load_snapshot`, as the server does). Then ``--changes`` times one new
A record is written with ``ZoneStore.put_rrset`` and the round the server would run for it is
timed step by step, in the order ``sync_once`` and ``apply_changes`` run them:
``pending_changes`` (with the views and member states), ``must_reread``, ``ZonePatch.apply``,
``ZonePatch.result`` (copies only the shards of the names it changes), ``rebuilt``, and the whole
``apply_changes``. Each step is called on the same inputs as in the server (``apply_changes``
last, on its own), so their sum is about the round. Medians and maxima in
milliseconds; wall time, in one thread, under whatever load the machine has.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from bench.scale import postgres_database, sizes_arg
from bench.seed import BenchZone, seed
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import Snapshot
from dnsd.server.feed import apply_changes, load_snapshot, pending_changes
from dnsd.server.patch import ZonePatch
from dnsd.server.serving import must_reread, rebuilt
from dnsd.store.engine import make_engine
from dnsd.store.migrate import upgrade
from dnsd.store.zonestore import ZoneStore

ZONE = "round.test"
T = TypeVar("T")


def timed(times: dict[str, list[float]], key: str, fn: Callable[..., T], *args: Any) -> T:
    started = time.perf_counter()
    out = fn(*args)
    times.setdefault(key, []).append((time.perf_counter() - started) * 1000)
    return out


def one_round(store: ZoneStore, snapshot: Snapshot, times: dict[str, list[float]]) -> Snapshot:
    """The steps of the round that applies the changes after ``snapshot``'s cursor, timed."""
    pending, serving = timed(times, "pending_changes (+ state)", pending_changes, store, snapshot.cursor)
    timed(times, "must_reread", must_reread, store, snapshot, serving, pending)
    patch = ZonePatch(snapshot.zones[ZONE])
    for change in pending:
        for zone_change in change.zones:
            timed(times, "ZonePatch.apply", patch.apply, zone_change)
    data = timed(times, "ZonePatch.result", patch.result)
    cursor = pending[-1].id
    timed(times, "rebuilt", rebuilt, snapshot, {ZONE: data}, {}, set(), {}, serving, 2, cursor)
    fresh, _ = timed(times, "apply_changes (all)", apply_changes, store, snapshot, pending, serving)
    return fresh


def measure(url: str, size: int, changes: int) -> dict[str, list[float]]:
    upgrade(url)
    seed(url, BenchZone(ZONE, size))
    engine = make_engine(url)
    store = ZoneStore(engine)
    times: dict[str, list[float]] = {}
    snapshot = timed(times, "load_snapshot (once)", load_snapshot, store)
    try:
        for i in range(changes):
            rrset = make_rrset(f"r{i}.{ZONE}", "A", 300, "bench:round", [f"10.98.0.{i % 256}"])
            store.put_rrset(rrset, "bench")
            snapshot = one_round(store, snapshot, times)
    finally:
        engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=sizes_arg, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (a database is made per size)")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print("python -m bench.feed_round " + " ".join(sys.argv[1:]))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    columns: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="dnsd-round-") as tmp:
        for size in args.sizes:
            stores: list[tuple[str, AbstractContextManager[str]]] = []
            if not args.no_sqlite:
                stores.append(("SQLite", nullcontext(f"sqlite:///{Path(tmp)}/round-{size}.db")))
            if args.postgres:
                stores.append(("PostgreSQL", postgres_database(args.postgres)))
            for label, database in stores:
                with database as url:
                    print(f"  {size:,} records, {label} ...", flush=True)
                    columns[f"{size:,} {label}"] = measure(url, size, args.changes)
    keys = list(next(iter(columns.values())))
    print(f"\n{'median / max ms':<26}" + "".join(f"{c:>24}" for c in columns))
    for key in keys:
        cells = [f"{statistics.median(t[key]):.1f} / {max(t[key]):.1f}" for t in columns.values()]
        print(f"{key:<26}" + "".join(f"{cell:>24}" for cell in cells))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
