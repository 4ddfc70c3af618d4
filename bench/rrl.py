"""Response rate limiting from one client: dnsperf qps without and with RRL, and the slip share.

    python -m bench.rrl [--rate 1000] [--slip 2] [--seconds 5]

Starts ``dnsd serve-dns`` twice on the bench zone (RRL off, then ``--rate`` responses/s per
prefix), runs the same dnsperf load from 127.0.0.1 against each, and reads the server's own
counts from its metrics port: full answers, TC=1 slips and drops, and the slip share.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.procs import announced_all, pinned, spawn_dnsd, stop
from bench.seed import BenchZone, seed
from dnsd.store.migrate import upgrade


def start(db_url: str, core: int, **settings: str) -> tuple[subprocess.Popen[str], int, int]:
    proc = spawn_dnsd(db_url, core, metrics_port="0", **settings)
    metrics_port, port = announced_all(
        proc, r"serving metrics on \S+ port (\d+)", r"serving DNS on \S+ port (\d+)"
    )
    return proc, port, metrics_port


def counts(metrics_port: int) -> dict[str, float]:
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    out = {"answered": 0.0, "dropped": 0.0, "slipped": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "dnsd_dns_responses_total" and sample.labels["transport"] == "udp":
                out["answered"] += sample.value
            elif sample.name == "dnsd_dns_rate_limited_total":
                out[sample.labels["action"]] = sample.value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--slip", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=1000)
    args = parser.parse_args()
    zone = BenchZone("bench.test", args.hosts)
    with tempfile.TemporaryDirectory(prefix="dnsd-rrl-") as tmp:
        url = f"sqlite:///{tmp}/dnsd.db"
        upgrade(url)
        seed(url, zone)
        queries = Path(tmp) / "queries.txt"
        queries.write_text("\n".join(zone.queries()) + "\n")
        limited_settings = {"rrl_responses_per_second": str(args.rate), "rrl_slip": str(args.slip)}
        for label, settings in (("RRL off", {}), (f"RRL {args.rate}/s slip {args.slip}", limited_settings)):
            proc, port, metrics_port = start(url, 0, **settings)
            try:
                out = subprocess.run(
                    pinned(1, ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(queries), "-c", "1",
                               "-q", "100", "-l", str(args.seconds), "-t", "1"]),
                    capture_output=True, text=True, check=True,
                ).stdout  # fmt: skip
                found = counts(metrics_port)
            finally:
                stop(proc)
            qps = re.search(r"Queries per second:\s+([\d.]+)", out)
            lost = re.search(r"Queries lost:\s+(\d+)", out)
            limited = found["dropped"] + found["slipped"]
            full = found["answered"]  # slips are counted apart, not as responses
            share = found["slipped"] / limited if limited else 0.0
            print(f"{label}: dnsperf {float(qps.group(1)) if qps else 0:.0f} qps completed, "
                  f"{lost.group(1) if lost else '?'} lost; server: {full:.0f} full answers "
                  f"({full / args.seconds:.0f}/s), {found['slipped']:.0f} TC slips, "
                  f"{found['dropped']:.0f} dropped; slip share {share:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
