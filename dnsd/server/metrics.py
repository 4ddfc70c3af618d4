"""The DNS side's metrics: a collector that reads one server's plain counters at scrape time,
and the small ``/metrics`` endpoint ``dnsd serve-dns`` runs on the DNS loop.

Nothing here runs per packet. The transports keep ints (:mod:`dnsd.server.stats`), the feed
keeps :class:`~dnsd.server.state.ServerState`; :class:`DnsCollector` turns them into metric
families when ``/metrics`` is read. The process-wide counters are :mod:`dnsd.metrics`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from dnsd.server.holder import SnapshotHolder
from dnsd.server.serving import FailOpenCounter
from dnsd.server.state import ServerState
from dnsd.server.stats import LATENCY_BOUNDS, NO_QTYPE, DnsStats, TransportStats
from dnsd.server.tcp import TcpLimits

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

QTYPE_LABELS = {
    1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV",
    39: "DNAME", 43: "DS", 48: "DNSKEY", 64: "SVCB", 65: "HTTPS", 257: "CAA", 251: "IXFR", 252: "AXFR",
    255: "ANY", NO_QTYPE: "none",
}  # fmt: skip
RCODE_LABELS = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


class DnsSide(Protocol):
    """What the collector reads of a server (:class:`dnsd.server.run.DnsServer` has it)."""

    @property
    def stats(self) -> DnsStats: ...
    @property
    def state(self) -> ServerState: ...
    @property
    def limits(self) -> TcpLimits: ...
    @property
    def holder(self) -> SnapshotHolder: ...


class DnsCollector(Collector):
    """The DNS side of one process: queries, latency, rate limiting, snapshot and feed."""

    def __init__(self, server: DnsSide) -> None:
        self.server = server

    def collect(self) -> Iterator[Metric]:
        yield from self._queries()
        yield from self._snapshot()

    def _queries(self) -> Iterator[Metric]:
        stats = {"udp": self.server.stats.udp, "tcp": self.server.stats.tcp}
        queries = CounterMetricFamily(
            "dnsd_dns_responses", "DNS responses sent", labels=["transport", "qtype", "rcode"]
        )
        latency = HistogramMetricFamily(
            "dnsd_dns_answer_seconds", "Time to answer a query (batch time / batch size)",
            labels=["transport"],
        )  # fmt: skip
        limited = CounterMetricFamily(
            "dnsd_dns_rate_limited", "Queries hit by response rate limiting", labels=["action"]
        )
        for transport, ts in stats.items():
            for (qtype, rcode), count in sorted(_answered(ts).items()):
                qlabel = QTYPE_LABELS.get(qtype, "other")
                queries.add_metric([transport, qlabel, RCODE_LABELS.get(rcode, str(rcode))], count)
            latency.add_metric([transport], _buckets(ts), ts.latency_sum)
        limited.add_metric(["dropped"], stats["udp"].limited)
        limited.add_metric(["slipped"], stats["udp"].slipped)
        yield from (queries, latency, limited)

    def _snapshot(self) -> Iterator[Metric]:
        state = self.server.state
        age = state.snapshot_age()
        gauges = [
            ("dnsd_ready", "1 once the first snapshot is loaded", float(state.ready)),
            ("dnsd_database_up", "1 when the last feed poll reached the database", float(state.db_ok)),
            ("dnsd_snapshot_age_seconds", "Seconds since the snapshot was last known current",
             -1.0 if age is None else age),
            ("dnsd_snapshot_build_seconds", "Time the last snapshot (re)build took",
             state.build_seconds or 0.0),
            ("dnsd_snapshot_generation", "Snapshots built since start", float(state.generation)),
            ("dnsd_feed_applied_change_id", "Newest change applied to the snapshot", float(state.cursor)),
            ("dnsd_feed_seen_change_id", "Newest change the feed has read", float(state.head)),
            ("dnsd_feed_lag_changes", "Changes read but not yet applied", float(state.head - state.cursor)),
            ("dnsd_tcp_connections", "Open DNS TCP connections", float(len(self.server.limits.open))),
        ]  # fmt: skip
        for name, doc, value in gauges:
            yield GaugeMetricFamily(name, doc, value=value)
        yield CounterMetricFamily(
            "dnsd_fail_open", "RRsets answered with every member (none healthy), per build and view",
            value=FailOpenCounter.total,
        )  # fmt: skip
        serials = GaugeMetricFamily("dnsd_zone_serial", "SOA serial being served", labels=["zone"])
        for name, zone in sorted(self.server.holder.snapshot.zones.items()):
            serials.add_metric([name], zone.zone.serial)
        yield serials


def _answered(ts: TransportStats) -> Counter[tuple[int, int]]:
    ts.fold()  # on the DNS loop's thread or not, fold swaps dicts: a racing increment may be lost
    return ts.answered


def _buckets(ts: TransportStats) -> list[tuple[str, float]]:
    out, total = [], 0
    for bound, count in zip((*LATENCY_BOUNDS, float("inf")), ts.buckets, strict=True):
        total += count
        out.append(("+Inf" if bound == float("inf") else repr(bound), float(total)))
    return out


async def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> asyncio.Server:
    """A minimal HTTP/1.0 endpoint on the running loop: ``GET /metrics`` and nothing else.
    It runs on the DNS loop so scrapes never race the transports' counters."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b""
            if request.startswith(b"GET ") and path.split(b"?")[0] == b"/metrics":
                status, body, ctype = b"200 OK", generate_latest(registry), CONTENT_TYPE_LATEST.encode()
            else:
                status, body, ctype = b"404 Not Found", b"not found\n", b"text/plain"
            head = b"HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
                status,
                ctype,
                len(body),
            )
            writer.write(head + body)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port, limit=16384)
