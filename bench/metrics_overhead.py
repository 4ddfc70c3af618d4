"""What counting costs the hot path: this tree against a baseline tree, same zone, same dnsperf.

    python -m bench.metrics_overhead --baseline DIR [--rounds 4] [--seconds 5] [--modes udp,tcp]

``DIR`` is the code before the metrics (``git archive <commit> | tar -x -C DIR``). Both servers
(``dnsd serve-dns``, one from each tree, on the same SQLite file) are pinned to one core and
dnsperf to the other; runs alternate between them every round. Prints every run, the medians,
and the overhead (qps and server CPU per query) of this tree relative to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.dnsperf_vs_nsd import Run, measure
from bench.procs import ROOT, announced, pinned, stop
from bench.seed import BenchZone, seed
from dnsd.store.migrate import upgrade


def start(tree: Path, db_url: str, core: int) -> tuple[subprocess.Popen[str], int]:
    argv = [sys.executable, "-m", "dnsd", "--database-url", db_url, "serve-dns", "--host", "127.0.0.1",
            "--port", "0"]  # fmt: skip
    proc = subprocess.Popen(
        pinned(core, argv), cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    return proc, announced(proc, r"serving DNS on \S+ port (\d+)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--modes", default="udp,tcp")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--client-core", type=int, default=1)
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    zone = BenchZone("bench.test", args.hosts)
    with tempfile.TemporaryDirectory(prefix="dnsd-overhead-") as tmp:
        url = f"sqlite:///{tmp}/dnsd.db"
        upgrade(url)
        seed(url, zone)
        queries = Path(tmp) / "queries.txt"
        queries.write_text("\n".join(zone.queries()) + "\n")
        servers = {
            "metrics": start(ROOT, url, args.server_core),
            "baseline": start(args.baseline.resolve(), url, args.server_core),
        }
        runs: list[Run] = []
        try:
            for _proc, port in servers.values():
                subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(queries), "-n", "1"],
                               capture_output=True, check=True)  # fmt: skip
            for round_no in range(args.rounds):
                order = ["metrics", "baseline"][:: 1 if round_no % 2 == 0 else -1]
                for mode in args.modes:
                    for name in order:
                        proc, port = servers[name]
                        runs.append(measure(name, proc.pid, port, queries, mode, args))
                        run = runs[-1]
                        print(f"round {round_no + 1} {mode:>3} {name:>8}: {run.qps:>9.0f} qps "
                              f"{run.cpu_us:6.2f} us CPU/q lost {run.lost}", flush=True)  # fmt: skip
        finally:
            for proc, _port in servers.values():
                stop(proc)
    for mode in args.modes:
        med = {
            name: (
                statistics.median(r.qps for r in runs if r.server == name and r.mode == mode),
                statistics.median(r.cpu_us for r in runs if r.server == name and r.mode == mode),
            )
            for name in servers
        }
        (qps, cpu), (base_qps, base_cpu) = med["metrics"], med["baseline"]
        print(f"{mode}: metrics {qps:.0f} qps {cpu:.2f} us/q; baseline {base_qps:.0f} qps "
              f"{base_cpu:.2f} us/q; qps {100 * (qps / base_qps - 1):+.1f}%, "
              f"CPU/q {100 * (cpu / base_cpu - 1):+.1f}%")  # fmt: skip


if __name__ == "__main__":
    main()
