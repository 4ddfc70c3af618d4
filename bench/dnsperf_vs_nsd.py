"""dnsd against NSD with dnsperf: same zone, same queries, same core, interleaved rounds.

    python -m bench.dnsperf_vs_nsd [--hosts 10000] [--rounds 5] [--seconds 10] [--modes udp,tcp]

Generates a zone of ``--hosts`` names plus a wildcard, loads it into dnsd (SQLite in a temp
directory, or ``--database-url``) and into NSD (``nsd -d -c conf`` with ``rrl-ratelimit: 0``),
writes a query file mixing every host with wildcard and NXDOMAIN names, then runs
``dnsperf -c 4 -q 100 -l SECONDS`` against each server in turn, the servers pinned to core 0
and dnsperf to core 1. The order alternates every round; the table shows every run and the
medians, and the ratio dnsd/NSD of the medians. Needs root (NSD), nsd, dnsperf, taskset.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.procs import cpu_seconds, process_tree, start_dnsd, start_nsd, stop
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


def dnsperf(port: int, queries: Path, mode: str, seconds: int, core: int | None) -> list[str]:
    argv = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(queries), "-c", "4", "-q", "100"]
    argv += ["-l", str(seconds)] + (["-m", "tcp"] if mode == "tcp" else [])
    return (["taskset", "-c", str(core)] if core is not None else []) + argv


def measure(name: str, pid: int, port: int, queries: Path, mode: str, args: argparse.Namespace) -> Run:
    pids = process_tree(pid)
    before = cpu_seconds(pids)
    out = subprocess.run(
        dnsperf(port, queries, mode, args.seconds, args.client_core),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pids) - before

    def number(label: str) -> float:
        found = re.search(rf"{label}:\s+([\d.]+)", out)
        return float(found.group(1)) if found else 0.0

    completed = number("Queries completed")
    return Run(
        name, mode, number("Queries per second"), number("Average Latency \\(s\\)") * 1000,
        int(number("Queries lost")), int(number("Queries sent")), used / max(completed, 1) * 1e6,
    )  # fmt: skip


def report(runs: list[Run], args: argparse.Namespace, ports: dict[str, int], queries: Path) -> None:
    print(f"\n{'round':>5} {'server':>6} {'mode':>4} {'qps':>10} {'lat ms':>7} {'lost':>6} {'cpu us/q':>8}")
    for i, run in enumerate(runs):
        round_no = i // (2 * len(args.modes)) + 1
        print(
            f"{round_no:>5} {run.server:>6} {run.mode:>4} {run.qps:>10.0f} {run.latency_ms:>7.3f} "
            f"{run.lost:>6} {run.cpu_us:>8.2f}"
        )
    print("\nmedians:")
    for mode in args.modes:
        med = {}
        for server in ("dnsd", "nsd"):
            mine = [r for r in runs if r.server == server and r.mode == mode]
            med[server] = statistics.median(r.qps for r in mine)
            lat = statistics.median(r.latency_ms for r in mine)
            lost = sum(r.lost for r in mine)
            cpu = statistics.median(r.cpu_us for r in mine)
            figures = f"latency {lat:.3f} ms, lost {lost}, {cpu:.2f} us CPU/q"
            print(f"  {mode} {server:>5}: {med[server]:>9.0f} qps, {figures}")
        print(f"  {mode} ratio dnsd/NSD: {med['dnsd'] / med['nsd']:.2f}")
    print("\ncommands (PORT: dnsd", ports["dnsd"], "/ NSD", ports["nsd"], "):")
    for mode in args.modes:
        print(
            "  "
            + " ".join(dnsperf(0, queries, mode, args.seconds, args.client_core)).replace("-p 0", "-p PORT")
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--modes", default="udp,tcp")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--client-core", type=int, default=1)
    parser.add_argument("--database-url", help="dnsd's database (default: SQLite in a temp directory)")
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    zone = BenchZone("bench.test", args.hosts)
    with tempfile.TemporaryDirectory(prefix="dnsd-bench-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work}/dnsd.db"
        upgrade(url)
        seed(url, zone)
        queries = work / "queries.txt"
        queries.write_text("\n".join(zone.queries()) + "\n")
        dnsd, dnsd_port = start_dnsd(url, args.server_core)
        nsd, nsd_port = start_nsd(work, zone.name, zone.zone_file(), args.server_core)
        servers = {"dnsd": (dnsd, dnsd_port), "nsd": (nsd, nsd_port)}
        print(f"zone {zone.name}: {args.hosts} hosts; {len(zone.queries())} queries in the mix")
        print(f"server core {args.server_core}, dnsperf core {args.client_core}")
        try:
            for _proc, port in servers.values():  # warm-up: one pass through the file each
                subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(queries), "-n", "1"],
                               capture_output=True, check=True)  # fmt: skip
            runs: list[Run] = []
            for round_no in range(args.rounds):
                order = ["dnsd", "nsd"] if round_no % 2 == 0 else ["nsd", "dnsd"]
                for mode in args.modes:
                    for name in order:
                        proc, port = servers[name]
                        runs.append(measure(name, proc.pid, port, queries, mode, args))
                        print(f"  round {round_no + 1} {mode} {name}: {runs[-1].qps:.0f} qps", flush=True)
            report(runs, args, {k: v[1] for k, v in servers.items()}, queries)
        finally:
            stop(dnsd)
            stop(nsd)


if __name__ == "__main__":
    main()
