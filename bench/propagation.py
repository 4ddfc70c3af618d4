"""Propagation: how long from a write acknowledged to the new answer visible in DNS.

    python -m bench.propagation [--changes 100] [--via api|store] [--database-url URL]

Starts ``dnsd serve-dns`` (its own process, default settings: feed polled every 0.2 s, plus
LISTEN/NOTIFY on PostgreSQL) and, with ``--via api``, the HTTP API in another process. Then
``--changes`` times: registers a new name (POST /records, or ``ZoneStore.put_rrset`` in this
process), and from the moment the write returns, queries dnsd over UDP every millisecond until
the new address is answered (writes are spaced by random pauses, so they do not fall in step
with the feed's polling). Prints median, p90, p99 and max. SQLite in a temp directory unless
``--database-url`` is given (e.g. a fresh PostgreSQL database).
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dns.message
import dns.query
import httpx

from bench.procs import start_api, start_dnsd, stop
from bench.seed import BenchZone, seed
from dnsd.domain.records import make_rrset
from dnsd.store.engine import make_engine
from dnsd.store.migrate import upgrade
from dnsd.store.zonestore import ZoneStore

ZONE = "prop.test"


def visible(port: int, name: str, address: str, timeout: float = 30.0) -> float:
    """Seconds until ``name`` answers ``address`` (queried every millisecond)."""
    start = time.perf_counter()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        while time.perf_counter() - start < timeout:
            reply = dns.query.udp(
                dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=1, sock=sock
            )
            if any(r.to_text() == address for rrset in reply.answer for r in rrset):
                return time.perf_counter() - start
            time.sleep(0.001)
    raise TimeoutError(f"{name} not visible after {timeout}s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--via", choices=("api", "store"), default="api")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dnsd-prop-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp)}/dnsd.db"
        upgrade(url)
        seed(url, BenchZone(ZONE, 100))
        engine = make_engine(url)
        store = ZoneStore(engine)
        dnsd, port = start_dnsd(url, None)
        api = None
        try:
            write: Callable[[str, str], None]
            if args.via == "api":
                _token, secret = store.create_token(f"bench-{time.time_ns()}", "write")
                api, base = start_api(url)
                client = httpx.Client(
                    base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=30
                )

                def write(name: str, address: str) -> None:
                    body = {"name": name, "type": "A", "values": [address], "owner": "bench:prop"}
                    client.post("/records", json=body).raise_for_status()
            else:

                def write(name: str, address: str) -> None:
                    store.put_rrset(make_rrset(name, "A", 60, "bench:prop", [address]), "bench")

            delays = []
            jitter = random.Random(7)
            for i in range(args.changes):
                time.sleep(jitter.uniform(0, 0.25))  # writes come at random moments, not in step with polls
                name, address = f"p{i}-{time.time_ns()}.{ZONE}", f"10.77.{i // 256 % 256}.{i % 256}"
                write(name, address)
                delays.append(visible(port, name, address))
            ms = [d * 1000 for d in delays]
            backend = url.split(":", 1)[0]
            what = f"{len(ms)} changes at random moments (write returned -> answer visible)"
            print(f"propagation via {args.via} on {backend}, {what}:")
            print(
                f"  median {statistics.median(ms):.1f} ms, p90 {percentile(ms, 90):.1f} ms, "
                f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms"
            )
        finally:
            if api is not None:
                stop(api)
            stop(dnsd)
            engine.dispose()


if __name__ == "__main__":
    main()
