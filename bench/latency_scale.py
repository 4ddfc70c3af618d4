"""Change -> answer latency as the zone grows: 10k / 100k / 1M records, SQLite and PostgreSQL.

    python -m bench.latency_scale [--sizes 10000,100000,1000000] [--changes 100]
                                  [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                                  [--reference DIR] [--reference-sizes 10000,100000]
                                  [--rounds 1]

For each size N a fresh database (a SQLite file, and with ``--postgres`` a new PostgreSQL
database dropped afterwards) is migrated and seeded with :func:`bench.seed.seed` (N A records
plus an apex, a wildcard, MX and TXT, bulk-inserted: the starting state only, no change log).
Then ``dnsd serve-dns`` and the HTTP API run in their own processes, and ``--changes`` times a
new name is registered with POST /records; from the moment the API acknowledges the write, the
name is queried over UDP every millisecond until the new address is answered
(:func:`bench.propagation.visible`; writes are spaced by random pauses of 0-0.25 s so they do
not fall in step with the feed's polling). Prints the median, p99 and max of those delays per
size, store and source tree, and the median time the API took to acknowledge.

``--reference DIR`` runs the same thing with the dnsd source tree in DIR (e.g.
``git archive main | tar -x -C DIR``; migration, seeding, API and server all run from DIR with
``PYTHONPATH=DIR``, as :mod:`bench.scale` does) for ``--reference-sizes``, in the same
invocation and interleaved with this tree's runs (per size and store: now, ref, now, ref ... for
``--rounds``), so both are measured under the same load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.procs import API_RUNNER, ROOT, announced, stop
from bench.propagation import percentile, visible
from bench.scale import env_for, postgres_database, sizes_arg

ZONE = "latency.test"
API_PORT = r"API port (\d+)"

SEED = """
import sys, time
from bench.seed import BenchZone, seed
from dnsd.store.engine import make_engine
from dnsd.store.zonestore import ZoneStore
url, zone, hosts = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()
seed(url, BenchZone(zone, hosts))
engine = make_engine(url)
_token, secret = ZoneStore(engine).create_token(f"bench-{time.time_ns()}", "write")
engine.dispose()
print(f"seeded {hosts} in {time.perf_counter() - started:.1f} s", flush=True)
print("token", secret, flush=True)
"""


@dataclass
class Result:
    """Delays (ms) from write acknowledged to answer, and the API's acknowledgement times (ms)."""

    delays: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    seed_s: list[float] = field(default_factory=list)
    start_s: list[float] = field(default_factory=list)


def run_tree(argv: list[str], source: Path | None, **kw: object) -> subprocess.CompletedProcess[str]:
    where = f"PYTHONPATH={source} " if source else ""
    shown = " ".join(a if "\n" not in a else "<bench.seed.seed + a write token>" for a in argv)
    print(f"  $ {where}{shown}", flush=True)
    return subprocess.run(
        argv, cwd=source or ROOT, env=env_for(source), text=True, capture_output=True, check=True
    )


def spawn(argv: list[str], source: Path | None, extra: dict[str, str]) -> subprocess.Popen[str]:
    where = f"PYTHONPATH={source} " if source else ""
    shown = " ".join(a if "\n" not in a else "<bench.procs.API_RUNNER>" for a in argv)
    print(f"  $ {where}{' '.join(f'{k}={v}' for k, v in extra.items())} {shown}", flush=True)
    return subprocess.Popen(
        argv, cwd=source or ROOT, env={**env_for(source), **extra}, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def one_run(url: str, size: int, changes: int, source: Path | None, result: Result) -> None:
    """Migrate and seed ``url`` with ``source``'s code, start its server and API, measure."""
    run_tree([sys.executable, "-m", "dnsd", "--database-url", url, "migrate"], source)
    seeded = run_tree([sys.executable, "-c", SEED, url, ZONE, str(size)], source)
    lines = seeded.stdout.split("\n")
    secret = next(line.split()[1] for line in lines if line.startswith("token "))
    result.seed_s.append(float(next(line.split()[3] for line in lines if line.startswith("seeded "))))
    started = time.perf_counter()
    serve = ["serve-dns", "--host", "127.0.0.1", "--port", "0"]
    dnsd = spawn([sys.executable, "-m", "dnsd", "--database-url", url, *serve], source, {})
    api = None
    try:
        port = announced(dnsd, r"serving DNS on \S+ port (\d+)", timeout=900)
        result.start_s.append(time.perf_counter() - started)
        api = spawn([sys.executable, "-c", API_RUNNER], source, {"DNSD_DATABASE_URL": url})
        base = f"http://127.0.0.1:{announced(api, API_PORT, timeout=900)}"
        print(f"  serve-dns pid {dnsd.pid}, API pid {api.pid}", flush=True)
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=60)
        jitter = random.Random(7)
        for i in range(changes):
            time.sleep(jitter.uniform(0, 0.25))  # random moments, not in step with the polls
            name, address = f"c{i}-{time.time_ns()}.{ZONE}", f"10.99.{i // 256 % 256}.{i % 256}"
            body = {"name": name, "type": "A", "values": [address], "owner": "bench:latency"}
            sent = time.perf_counter()
            client.post("/records", json=body).raise_for_status()
            result.acks.append((time.perf_counter() - sent) * 1000)
            result.delays.append(visible(port, name, address, timeout=120) * 1000)
        client.close()
    finally:
        if api is not None:
            stop(api)
        stop(dnsd)


def report(results: dict[tuple[int, str, str], Result], trees: list[str]) -> None:
    print(
        f"\n{'records':>10} {'store':<11}{'tree':<5}{'changes':>8}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}"
        f"{'API ack ms':>12}{'seed s':>8}{'start s':>9}"
    )
    for (size, store, tree), r in sorted(
        results.items(), key=lambda kv: (kv[0][0], kv[0][1], trees.index(kv[0][2]))
    ):
        if not r.delays:
            continue
        print(
            f"{size:>10,} {store:<11}{tree:<5}{len(r.delays):>8}{statistics.median(r.delays):>11.1f}"
            f"{percentile(r.delays, 99):>9.1f}{max(r.delays):>9.1f}{statistics.median(r.acks):>12.1f}"
            f"{statistics.median(r.seed_s):>8.1f}{statistics.median(r.start_s):>9.1f}",
            flush=True,
        )
    print("(write acknowledged by the API -> new answer over UDP; seed and start: medians over rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=sizes_arg, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--changes", type=int, default=100, help="API changes per run")
    parser.add_argument("--rounds", type=int, default=1, help="runs per size, store and tree (interleaved)")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (a database is made per run)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--reference", type=Path, help="a dnsd source tree to measure the same way")
    parser.add_argument("--reference-sizes", type=sizes_arg, default=[10_000, 100_000])
    args = parser.parse_args()
    print("python -m bench.latency_scale " + " ".join(sys.argv[1:]))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    trees: list[tuple[str, Path | None]] = [("now", None)]
    if args.reference:
        trees.append(("ref", args.reference.resolve()))
    stores = ([] if args.no_sqlite else ["SQLite"]) + (["PostgreSQL"] if args.postgres else [])
    results: dict[tuple[int, str, str], Result] = {}
    with tempfile.TemporaryDirectory(prefix="dnsd-latency-") as tmp:
        for size in args.sizes:
            for store in stores:
                for round_ in range(args.rounds):
                    for tree, source in trees:
                        if source is not None and size not in args.reference_sizes:
                            continue
                        print(f"\n{size:,} records, {store}, {tree}, round {round_ + 1}:", flush=True)
                        result = results.setdefault((size, store, tree), Result())
                        if store == "SQLite":
                            db = Path(tmp) / f"latency-{uuid.uuid4().hex[:8]}.db"
                            try:
                                one_run(f"sqlite:///{db}", size, args.changes, source, result)
                            finally:
                                for path in Path(tmp).glob(f"{db.name}*"):
                                    path.unlink()
                        else:
                            with postgres_database(args.postgres) as url:
                                one_run(url, size, args.changes, source, result)
                        r = result
                        print(
                            f"  so far: median {statistics.median(r.delays):.1f} ms, "
                            f"p99 {percentile(r.delays, 99):.1f} ms, max {max(r.delays):.1f} ms "
                            f"(load {os.getloadavg()[0]:.2f})",
                            flush=True,
                        )
            report(results, [t for t, _ in trees])
    print("\nall sizes:")
    report(results, [t for t, _ in trees])
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
