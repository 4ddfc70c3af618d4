"""How the cost grows with the zone: import, export, cold start and memory at 10k / 100k / 1M.

    python -m bench.scale [--sizes 10000,100000,1000000] [--runs 3] [--runs-large 1]
                          [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                          [--workers 1,2,4] [--reference DIR] [--reference-sizes 10000,100000]
                          [--nsd]

For each size N a zone file of N A records (plus an apex, a wildcard, MX and TXT:
:class:`bench.seed.BenchZone`) is written, then, each in its own process as a user runs it:

* ``dnsd import FILE`` into a fresh SQLite database (and into a fresh PostgreSQL database with
  ``--postgres``): wall time, CPU time and peak RSS (the child's ``ru_maxrss``);
* ``dnsd export`` of that database: the same figures;
* ``dnsd serve-dns``: seconds from the process start to the first answer for a name of the
  zone (dnspython, over UDP), and the RSS and PSS of the serving process
  (``/proc/PID/smaps_rollup``) once it answers; from SQLite and from PostgreSQL;
* with ``--nsd``: NSD on the same zone as a zone file (the reference: seconds to its first
  answer, RSS and PSS of its processes);
* with ``--workers``: ``serve-dns --workers N`` on the SQLite database, the RSS and PSS of every
  process (parent and workers) once it answers, to show whether the snapshot is shared, and again
  after every name was asked once (with ``dnsperf``, when installed).

Sizes up to 100,000 are run ``--runs`` times and the median printed, larger ones
``--runs-large`` times. ``--reference DIR`` runs the same import, export and cold start with the
dnsd source tree in DIR (e.g. ``git archive main | tar -x -C DIR``) for ``--reference-sizes``, in
the same invocation, so before and after are measured under the same load. Every subprocess
command is printed as run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.message
import dns.query
from sqlalchemy import create_engine, text

from bench.procs import ROOT, announced, process_tree, start_nsd, stop
from bench.seed import BenchZone

ZONE = "million.test"
LARGE = 100_000


@dataclass
class Run:
    """One measured process: wall and CPU seconds, peak RSS in MiB."""

    wall: float
    cpu: float
    peak_mib: float


@dataclass
class Figures:
    """Every figure for one size and one source tree, lists of runs."""

    rows: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.rows.setdefault(key, []).append(value)

    def median(self, key: str) -> float | None:
        values = self.rows.get(key)
        return statistics.median(values) if values else None


def env_for(source: Path | None) -> dict[str, str]:
    """The environment that runs dnsd from ``source`` (None: this checkout). The process also
    runs in that directory: ``-m dnsd`` finds the package there before the installed one."""
    return {**os.environ, "PYTHONPATH": str(source or ROOT)}


def dnsd_argv(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "dnsd", "--database-url", url, *args]


def show(argv: list[str], source: Path | None) -> None:
    where = f"PYTHONPATH={source} " if source else ""
    print(f"  $ {where}{' '.join(argv)}", flush=True)


def measured(argv: list[str], source: Path | None) -> Run:
    """Run ``argv`` to completion (output discarded); its wall, CPU and peak RSS."""
    show(argv, source)
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=source or ROOT, env=env_for(source), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {errors[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def memory(pid: int) -> tuple[float, float]:
    """RSS and PSS of ``pid`` in MiB (smaps_rollup)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with_children = (task / "children").read_text().split()
        out += [int(c) for c in with_children]
    return out


def role(pid: int, parent: int) -> str:
    """What a process of ``serve-dns --workers`` is: the parent, a worker, or multiprocessing's
    resource tracker."""
    if pid == parent:
        return "parent" if Path(f"/proc/{pid}/task/{pid}/children").read_text().strip() else "server"
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    return "tracker" if b"resource_tracker" in cmdline else f"worker {pid}"


def first_answer(port: int, deadline: float) -> None:
    query = dns.message.make_query(f"host0.{ZONE}", "A")
    while time.monotonic() < deadline:
        try:
            reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
        except (dns.exception.Timeout, OSError):
            continue
        if reply.answer:
            return
        time.sleep(0.01)
    raise RuntimeError("no answer before the deadline")


@contextmanager
def serving(
    url: str, source: Path | None, workers: int = 1
) -> Iterator[tuple[subprocess.Popen[str], float, int]]:
    """``serve-dns`` on a free port; yields the process, the seconds to its first answer and
    the port."""
    argv = dnsd_argv(url, "serve-dns", "--host", "127.0.0.1", "--port", "0")
    if workers > 1:
        argv += ["--workers", str(workers)]
    show(argv, source)
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=source or ROOT, env=env_for(source), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        port = announced(proc, r"serving DNS on \S+ port (\d+)", timeout=900)
        first_answer(port, time.monotonic() + 120)
        yield proc, time.perf_counter() - started, port
    finally:
        stop(proc)


def cold_start(url: str, source: Path | None, figures: Figures, backend: str) -> None:
    with serving(url, source) as (proc, seconds, _port):
        time.sleep(1.0)  # let the first answer's allocations settle
        rss, pss = memory(proc.pid)
    figures.add(f"cold start {backend} s", seconds)
    figures.add(f"RSS serving {backend} MiB", rss)
    figures.add(f"PSS serving {backend} MiB", pss)


def workers_memory(url: str, counts: list[int], size: int, work: Path) -> None:
    """RSS/PSS of every process of ``serve-dns --workers N``: shared, or loaded N times? Taken
    once it answers, and again after every name was asked once (``dnsperf -n 1 -c 8``: eight
    source ports, spread over the workers by SO_REUSEPORT), since CPython's reference counts
    write to the pages of every object an answer reads."""
    print("\n  serve-dns --workers N on SQLite: memory of each process once it answers (MiB)")
    names = work / "every-name.txt"
    names.write_text("".join(f"host{i}.{ZONE} A\n" for i in range(size)))
    for count in counts:
        with serving(url, None, workers=count) as (proc, seconds, port):
            time.sleep(1.0)
            rows, total = _memory_rows(proc.pid, count)
            print(f"  N={count}: first answer {seconds:.1f} s; {rows}; PSS total {total:.0f}", flush=True)
            if shutil.which("dnsperf") is None:
                print("  (no dnsperf: not asking every name)")
                continue
            argv = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(names), "-n", "1", "-c", "8"]
            print(f"  $ {' '.join(argv)}", flush=True)
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            time.sleep(1.0)
            rows, total = _memory_rows(proc.pid, count)
            print(f"  N={count} after every name was asked once: {rows}; PSS total {total:.0f}", flush=True)
    names.unlink()


def _memory_rows(pid: int, count: int) -> tuple[str, float]:
    pids = [pid, *children(pid)] if count > 1 else [pid]
    figures = [(role(p, pid), *memory(p)) for p in pids if Path(f"/proc/{p}").exists()]
    rows = ", ".join(f"{who}: RSS {rss:.0f} PSS {pss:.0f}" for who, rss, pss in figures)
    return rows, sum(pss for _, _, pss in figures)


def nsd_reference(size: int, work: Path, figures: Figures) -> None:
    """NSD 4 on the same zone (as a zone file; ``server-count: 1``, minimal responses): seconds
    from its start to the first answer (polled with ``dig`` every 0.2 s) and the RSS and PSS of
    its processes (main, server, xfrd) once it answers."""
    nsd_dir = work / "nsd"
    nsd_dir.mkdir(exist_ok=True)
    started = time.perf_counter()
    proc, _port = start_nsd(nsd_dir, ZONE, BenchZone(ZONE, size).zone_file(), None, minimal=True)
    seconds = time.perf_counter() - started
    try:
        time.sleep(1.0)
        pids = [pid for pid in process_tree(proc.pid) if Path(f"/proc/{pid}").exists()]
        sizes = [memory(pid) for pid in pids]
    finally:
        stop(proc)
        shutil.rmtree(nsd_dir, ignore_errors=True)
    figures.add("NSD start (zone file) s", seconds)
    figures.add("NSD RSS largest proc MiB", max(rss for rss, _ in sizes))
    figures.add("NSD PSS all procs MiB", sum(pss for _, pss in sizes))


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"dnsd_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def one_run(size: int, zone_file: Path, work: Path, args: argparse.Namespace, source: Path | None) -> Figures:
    figures = Figures()
    db = work / f"scale-{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite:///{db}"
    try:
        measured(dnsd_argv(url, "migrate"), source)
        run = measured(dnsd_argv(url, "import", str(zone_file)), source)
        figures.add("import SQLite s", run.wall)
        figures.add("import SQLite CPU s", run.cpu)
        figures.add("import SQLite peak MiB", run.peak_mib)
        out = work / "export"
        run = measured(dnsd_argv(url, "export", "--dir", str(out)), source)
        shutil.rmtree(out, ignore_errors=True)
        figures.add("export s", run.wall)
        figures.add("export CPU s", run.cpu)
        figures.add("export peak MiB", run.peak_mib)
        cold_start(url, source, figures, "SQLite")
        if args.postgres:
            with postgres_database(args.postgres) as pg_url:
                measured(dnsd_argv(pg_url, "migrate"), source)
                run = measured(dnsd_argv(pg_url, "import", str(zone_file)), source)
                figures.add("import PostgreSQL s", run.wall)
                figures.add("import PostgreSQL peak MiB", run.peak_mib)
                cold_start(pg_url, source, figures, "PostgreSQL")
        if args.nsd and source is None:
            nsd_reference(size, work, figures)
        if args.workers and source is None and size == max(args.sizes):
            workers_memory(url, args.workers, size, work)
    finally:
        for path in work.glob(f"{db.name}*"):
            path.unlink()
    return figures


def table(results: dict[tuple[str, int], Figures], sizes: list[int], trees: list[str]) -> None:
    keys: list[str] = []
    for figures in results.values():
        keys += [k for k in figures.rows if k not in keys]
    columns = [(tree, size) for size in sizes for tree in trees if (tree, size) in results]
    head = "".join(f"{f'{size:,} {tree}':>20}" for tree, size in columns)
    print(f"\n{'':<28}{head}")
    for key in keys:
        cells = []
        for column in columns:
            value = results[column].median(key)
            runs = len(results[column].rows.get(key, []))
            cells.append(f"{'-' if value is None else f'{value:,.1f}'}{f' ({runs})' if runs > 1 else ''}")
        print(f"{key:<28}" + "".join(f"{c:>20}" for c in cells))
    print("(medians; the number of runs in parentheses when more than one)")


def sizes_arg(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=sizes_arg, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size up to 100,000")
    parser.add_argument("--runs-large", type=int, default=1, help="runs per larger size")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (a database is made per run)")
    parser.add_argument("--workers", type=sizes_arg, default=[], help="e.g. 1,2,4 (at the largest size)")
    parser.add_argument("--reference", type=Path, help="a dnsd source tree to measure the same way")
    parser.add_argument("--reference-sizes", type=sizes_arg, default=[10_000, 100_000])
    parser.add_argument("--nsd", action="store_true", help="also NSD on the same zone: start and memory")
    args = parser.parse_args()
    print("python -m bench.scale " + " ".join(sys.argv[1:]))
    print(f"load average at start: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    trees: list[tuple[str, Path | None]] = [("now", None)]
    if args.reference:
        trees.append(("ref", args.reference.resolve()))
    results: dict[tuple[str, int], Figures] = {}
    with tempfile.TemporaryDirectory(prefix="dnsd-scale-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            zone_file = work / f"{ZONE}.{size}.zone"
            zone_file.write_text(BenchZone(ZONE, size).zone_file())
            runs = args.runs if size <= LARGE else args.runs_large
            for tree, source in trees:
                if source is not None and size not in args.reference_sizes:
                    continue
                print(f"\n{size:,} records, {tree}:", flush=True)
                merged = Figures()
                for _ in range(runs):
                    for key, values in one_run(size, zone_file, work, args, source).rows.items():
                        merged.rows.setdefault(key, []).extend(values)
                results[(tree, size)] = merged
            zone_file.unlink()
            table(results, [size], [t for t, _ in trees])  # as each size is done: a long run
    print("\nall sizes:")
    table(results, args.sizes, [t for t, _ in trees])
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
