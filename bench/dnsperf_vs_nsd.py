"""dnsd against NSD with dnsperf: same zone, same queries, same answers, interleaved rounds.

    python -m bench.dnsperf_vs_nsd [--hosts 10000] [--rounds 5] [--seconds 10] [--modes udp,tcp]
        [--reference TREE] [--nsd-full] [--batches 16,32,64,...] [--workers]

Generates a zone of ``--hosts`` names plus a wildcard, loads it into dnsd (SQLite in a temp
directory, or ``--database-url``) and into NSD (``nsd -d -c conf``) configured to send what
dnsd sends (``minimal-responses: yes``, ``refuse-any: yes``, ``rrl-ratelimit: 0``), checks
with dnspython that both answer a sample of the queries alike (and prints the differences),
writes a query file mixing every host with wildcard and NXDOMAIN names, then runs
``dnsperf -c 4 -q 100 -l SECONDS`` against each server in turn, the servers pinned to core 0
and dnsperf to core 1. Each round starts with the next server; the table shows every run, then
the medians per server and the ratios to NSD.

Other line-ups: ``--reference TREE`` adds dnsd from another checkout (``ref``, same
interpreter); ``--nsd-full`` adds NSD with its default answers (``nsd-full``: apex NS in
authority and glue in additional); ``--batches`` runs dnsd once per number of datagrams per
``recvmmsg`` (``b16``, ``b64``, ...); ``--workers`` compares ``serve-dns --workers 1`` and
``--workers 2`` (and NSD with ``server-count`` 1 and 2) with servers and dnsperf all on cores
0-1. Needs root (NSD), nsd, dnsperf, taskset.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.procs import ROOT, cpu_split, process_tree, start_dnsd, start_nsd, stop
from bench.same_answers import report as same_answers
from bench.seed import BenchZone, seed
from dnsd.store.migrate import upgrade


@dataclass
class Run:
    server: str
    mode: str
    qps: float
    latency_ms: float
    lost: int
    sent: int
    cpu_us: float  # server CPU per completed query
    sys_share: float = 0.0  # the kernel's part of that CPU time
    spread: str = ""  # CPU seconds per process that used any (workers: how the kernel spread the load)


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[str]
    port: int
    note: str = ""  # where the command runs, or what its configuration says


def dnsperf(port: int, queries: Path, mode: str, seconds: int, core: int | str | None) -> list[str]:
    argv = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(queries), "-c", "4", "-q", "100"]
    argv += ["-l", str(seconds)] + (["-m", "tcp"] if mode == "tcp" else [])
    return (["taskset", "-c", str(core)] if core is not None else []) + argv


def measure(name: str, pid: int, port: int, queries: Path, mode: str, args: argparse.Namespace) -> Run:
    pids = process_tree(pid)
    before = cpu_split(pids)
    each = {p: sum(cpu_split([p])) for p in pids}
    out = subprocess.run(
        dnsperf(port, queries, mode, args.seconds, args.client_core),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = cpu_split(pids)
    user, system = after[0] - before[0], after[1] - before[1]
    used = [sum(cpu_split([p])) - each[p] for p in pids]
    spread = "/".join(f"{u:.1f}" for u in used if u >= 0.05)

    def number(label: str) -> float:
        found = re.search(rf"{label}:\s+([\d.]+)", out)
        return float(found.group(1)) if found else 0.0

    completed = number("Queries completed")
    return Run(
        name, mode, number("Queries per second"), number("Average Latency \\(s\\)") * 1000,
        int(number("Queries lost")), int(number("Queries sent")),
        (user + system) / max(completed, 1) * 1e6, system / max(user + system, 1e-9), spread,
    )  # fmt: skip


def medians(runs: list[Run], server: str, mode: str) -> tuple[float, float, float, float, int]:
    """(qps, latency ms, CPU us/q, kernel share, lost) of ``server``'s runs: medians, lost summed."""
    mine = [r for r in runs if r.server == server and r.mode == mode]
    return (
        statistics.median(r.qps for r in mine), statistics.median(r.latency_ms for r in mine),
        statistics.median(r.cpu_us for r in mine), statistics.median(r.sys_share for r in mine),
        sum(r.lost for r in mine),
    )  # fmt: skip


def report(runs: list[Run], args: argparse.Namespace, servers: list[Server], queries: Path) -> None:
    head = f"{'round':>5} {'server':>8} {'mode':>4} {'qps':>10} {'lat ms':>7} {'lost':>6} {'cpu us/q':>8}"
    print(f"\n{head} {'sys':>4}  CPU s per process")
    per_round = len(servers) * len(args.modes)
    for i, run in enumerate(runs):
        print(
            f"{i // per_round + 1:>5} {run.server:>8} {run.mode:>4} {run.qps:>10.0f} {run.latency_ms:>7.3f} "
            f"{run.lost:>6} {run.cpu_us:>8.2f} {run.sys_share:>4.0%}  {run.spread}"
        )
    print(f"\nmedians of {args.rounds} rounds:")
    names = [s.name for s in servers]
    for mode in args.modes:
        med = {name: medians(runs, name, mode) for name in names}
        for name, (qps, lat, cpu, share, lost) in med.items():
            figures = f"latency {lat:.3f} ms, lost {lost}, {cpu:.2f} us CPU/q ({share:.0%} kernel)"
            print(f"  {mode} {name:>8}: {qps:>9.0f} qps, {figures}")
        for name, base in ratios(names):
            qps_ratio, lat_ratio = med[name][0] / med[base][0], med[name][1] / med[base][1]
            print(f"  {mode} {name}/{base}: qps {qps_ratio:.2f}x, latency {lat_ratio:.2f}x")
    print("\ncommands:")
    for server in servers:
        argv = server.proc.args
        command = " ".join(map(str, argv)) if isinstance(argv, list) else str(argv)
        print(f"  {server.name} (port {server.port}): {command}\n      {server.note}")
    for mode in args.modes:
        argv = dnsperf(0, queries, mode, args.seconds, args.client_core)
        print("  " + " ".join(argv).replace("-p 0", "-p PORT"))


def ratios(names: list[str]) -> list[tuple[str, str]]:
    """The pairs worth a ratio: every dnsd against NSD, and the second worker count against the first."""
    nsd = next((n for n in names if n.startswith("nsd")), None)
    pairs = [(n, nsd) for n in names if nsd is not None and not n.startswith("nsd")]
    if "dnsd w2" in names:
        pairs = [("dnsd w1", "nsd s1"), ("dnsd w2", "nsd s2"), ("dnsd w2", "dnsd w1"), ("nsd s2", "nsd s1")]
    return pairs


def line_up(args: argparse.Namespace, url: str, work: Path, zone: BenchZone, serial: int) -> list[Server]:
    """The servers to measure, started, NSD first."""
    zone_file = zone.zone_file(serial)

    def nsd(name: str, minimal: bool = True, count: int = 1) -> Server:
        proc, port = start_nsd(work, zone.name, zone_file, args.server_core, minimal=minimal, servers=count)
        conf = (work / f"nsd-{port}.conf").read_text()
        options = ("server-count", "reuseport", "minimal-responses", "refuse-any", "rrl-ratelimit")
        kept = [line.strip() for line in conf.splitlines() if line.strip().startswith(options)]
        return Server(name, proc, port, "conf: " + ", ".join(kept))

    def dnsd(name: str, tree: Path = ROOT, batch: int | None = None, workers: int = 1) -> Server:
        proc, port = start_dnsd(url, args.server_core, tree=tree, batch=batch, dns_workers=str(workers))
        return Server(
            name, proc, port, f"in {tree}" + (f", DNSD_DNS_WORKERS={workers}" if workers > 1 else "")
        )

    starts: list[Callable[[], Server]]
    if args.workers:
        starts = [partial(nsd, "nsd s1"), partial(nsd, "nsd s2", count=2)]
        starts += [partial(dnsd, "dnsd w1"), partial(dnsd, "dnsd w2", workers=2)]
    elif args.batches:
        starts = [partial(nsd, "nsd")]
        starts += [partial(dnsd, f"b{b}", batch=int(b)) for b in args.batches.split(",")]
    else:
        starts = [partial(nsd, "nsd"), partial(dnsd, "dnsd")]
        if args.nsd_full:
            starts.append(partial(nsd, "nsd-full", minimal=False))
        if args.reference:
            starts.append(partial(dnsd, "ref", tree=args.reference.resolve()))
    servers: list[Server] = []
    try:
        for start in starts:
            servers.append(start())
    except BaseException:
        for server in servers:
            stop(server.proc)
        raise
    return servers


def rounds(args: argparse.Namespace, servers: list[Server], queries: Path) -> list[Run]:
    """Every server once per mode and round; each round starts with the next server."""
    runs: list[Run] = []
    for round_no in range(args.rounds):
        shift = round_no % len(servers)
        for mode in args.modes:
            for server in servers[shift:] + servers[:shift]:
                runs.append(measure(server.name, server.proc.pid, server.port, queries, mode, args))
                print(f"  round {round_no + 1} {mode} {server.name}: {runs[-1].qps:.0f} qps", flush=True)
    return runs


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--modes", default="udp,tcp")
    parser.add_argument("--server-core", help="taskset list for the servers (default 0; 0,1 with --workers)")
    parser.add_argument("--client-core", help="taskset list for dnsperf (default 1; 0,1 with --workers)")
    parser.add_argument("--database-url", help="dnsd's database (default: SQLite in a temp directory)")
    parser.add_argument("--reference", type=Path, help="also run dnsd from this checkout, as 'ref'")
    parser.add_argument("--nsd-full", action="store_true", help="also run NSD with its default answers")
    parser.add_argument("--batches", help="dnsd once per datagrams-per-recvmmsg value, e.g. 16,32,64")
    parser.add_argument("--workers", action="store_true", help="1 and 2 processes, everything on cores 0-1")
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    both = "0,1" if args.workers else None
    args.server_core = args.server_core or both or "0"
    args.client_core = args.client_core or both or "1"
    return args


def main() -> None:
    args = parse_args()
    zone = BenchZone("bench.test", args.hosts)
    with tempfile.TemporaryDirectory(prefix="dnsd-bench-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work}/dnsd.db"
        upgrade(url)
        serial = seed(url, zone)
        queries = work / "queries.txt"
        mix = zone.queries()
        queries.write_text("\n".join(mix) + "\n")
        servers = line_up(args, url, work, zone, serial)
        print(f"zone {zone.name}: {args.hosts} hosts; {len(mix)} queries in the mix")
        print(f"servers on cores {args.server_core}, dnsperf on cores {args.client_core}")
        try:
            nsd = next(s for s in servers if s.name.startswith("nsd"))
            for server in servers:
                if server is not nsd:
                    print("\n".join(same_answers((server.port, nsd.port), (server.name, nsd.name), mix)))
            for server in servers:  # warm-up: one pass through the file each
                warm = ["dnsperf", "-s", "127.0.0.1", "-p", str(server.port), "-d", str(queries), "-n", "1"]
                subprocess.run(warm, capture_output=True, check=True)
            report(rounds(args, servers, queries), args, servers, queries)
        finally:
            for server in servers:
                stop(server.proc)


if __name__ == "__main__":
    main()
