"""Snapshot size and speed: a full build of N records (time, RSS), and how fast a one-record
change becomes visible in a zone of M records.

    python -m bench.snapshot_build [--records 1000000] [--zone-records 100000] [--changes 20]

Part 1 bulk-loads one zone of ``--records`` A records and times what the DNS process does at
startup: ``store.load_state()`` (the store's read) and ``build_zone`` (the answer-ready view),
with the process's RSS before and after (VmRSS; VmHWM for the peak). Part 2 starts
``dnsd serve-dns`` on a zone of ``--zone-records`` records, then ``--changes`` times changes one
record through the store and measures until dnsd answers the new value (the change is patched in
from the change log; the zone is not re-read).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.procs import start_dnsd, stop
from bench.propagation import visible
from bench.seed import BenchZone, seed
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import Snapshot
from dnsd.server.feed import load_snapshot
from dnsd.server.patch import serving_zone
from dnsd.store.engine import make_engine
from dnsd.store.migrate import upgrade
from dnsd.store.zonestore import ZoneStore


def memory() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MiB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def full_build(url: str, records: int) -> None:
    zone = BenchZone("million.test", records)
    started = time.perf_counter()
    seed(url, zone)
    print(f"seeded {records} records in {time.perf_counter() - started:.1f} s (bulk insert, not measured)")
    store = ZoneStore(make_engine(url))
    gc.collect()
    before = memory()
    started = time.perf_counter()
    state = store.load_state()
    loaded = time.perf_counter()
    from dnsd.domain.snapshot import build_zone

    zones = {n: serving_zone(build_zone(z, rows, state.pools)) for n, (z, rows) in state.zones.items()}
    built = time.perf_counter()
    snapshot = Snapshot(zones, generation=1, cursor=state.cursor)
    del state
    gc.collect()
    after = memory()
    count = sum(len(node) for z in snapshot.zones.values() for node in z.nodes.values())
    print(
        f"full snapshot of {count} RRsets: load_state {loaded - started:.1f} s + build {built - loaded:.1f} s"
    )
    print(
        f"  RSS {before['VmRSS']:.0f} -> {after['VmRSS']:.0f} MiB (snapshot kept: "
        f"{after['VmRSS'] - before['VmRSS']:.0f} MiB), peak {after['VmHWM']:.0f} MiB"
    )
    started = time.perf_counter()
    load_snapshot(store)
    print(f"  load_snapshot() as the server calls it: {time.perf_counter() - started:.1f} s")
    store.engine.dispose()


def one_record_changes(url: str, records: int, changes: int) -> None:
    zone = BenchZone("hundredk.test", records)
    seed(url, zone)
    engine = make_engine(url)
    store = ZoneStore(engine)
    started = time.perf_counter()
    dnsd, port = start_dnsd(url, None)
    print(f"\ndnsd serve-dns up on a zone of {records} records in {time.perf_counter() - started:.1f} s")
    try:
        delays, jitter = [], random.Random(7)
        for i in range(changes):
            time.sleep(jitter.uniform(0, 0.25))  # changes at random moments, not in step with polls
            name, address = f"host{i * 7919 % records}.{zone.name}", f"10.99.{i // 256}.{i % 256}"
            store.put_rrset(make_rrset(name, "A", 300, "bench:seed", [address]), "bench")
            delays.append(visible(port, name, address) * 1000)
        print(f"one-record change -> visible, {changes} changes: median {statistics.median(delays):.0f} ms, "
              f"max {max(delays):.0f} ms")  # fmt: skip
    finally:
        stop(dnsd)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--zone-records", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dnsd-snap-") as tmp:
        first, second = f"sqlite:///{tmp}/full.db", f"sqlite:///{tmp}/change.db"
        for url in (first, second):
            upgrade(url)
        full_build(first, args.records)
        one_record_changes(second, args.zone_records, args.changes)


if __name__ == "__main__":
    main()
