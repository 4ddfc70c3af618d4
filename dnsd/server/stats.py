"""What the transports count, in plain Python ints: exported by :mod:`dnsd.metrics` at scrape time.

A prometheus ``Counter.inc()`` per packet takes a lock and several calls; the cached fast path
answers a query in a few microseconds, so it only does ``hits[body] += 1`` (a defaultdict):
the cached response body *is* its classification (qtype in the question, rcode in the header),
and its hash is computed once, when it is first used as a key. :meth:`TransportStats.fold`
turns those counts into (qtype, rcode) totals when metrics are read, or when the table grows
past :data:`FOLD_AT` (checked once per batch). Every method runs on the serving event loop.

Latency is measured per batch (one ``perf_counter`` pair per ``recvmmsg`` batch or TCP read),
and each query of the batch is recorded with the batch's average time per query.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict

FOLD_AT = 50_000
LATENCY_BOUNDS = (5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2, 0.1)
NO_QTYPE = -1  # a response without a question (FORMERR on an unparseable message)


def classify(message: bytes, header_at: int = 0) -> tuple[int, int]:
    """(qtype, rcode) of a response; ``header_at`` is 0 for a wire message, -2 for a cache body
    (which lacks the 2-byte ID). The rcode is the header's 4 bits (EDNS extended bits ignored)."""
    rcode = message[header_at + 3] & 0x0F
    if len(message) < header_at + 12 or (message[header_at + 5] == 0 and message[header_at + 4] == 0):
        return NO_QTYPE, rcode
    pos = header_at + 12
    try:
        while message[pos]:
            if message[pos] >= 0xC0:  # responses repeat the question uncompressed, but be safe
                pos += 1
                break
            pos += message[pos] + 1
        return (message[pos + 1] << 8) | message[pos + 2], rcode
    except IndexError:
        return NO_QTYPE, rcode


class TransportStats:
    """Counters for one transport (``udp`` or ``tcp``) of one server."""

    __slots__ = ("answered", "buckets", "hits", "latency_count", "latency_sum", "limited", "slipped")

    def __init__(self) -> None:
        self.hits: defaultdict[bytes, int] = defaultdict(int)  # cached body -> sent since the last fold
        self.answered: Counter[tuple[int, int]] = Counter()  # (qtype, rcode) -> responses
        self.buckets = [0] * (len(LATENCY_BOUNDS) + 1)
        self.latency_sum = 0.0
        self.latency_count = 0
        self.limited = 0  # responses dropped by rate limiting
        self.slipped = 0  # rate-limited queries answered with TC=1

    def response(self, message: bytes) -> None:
        """Count one response sent from the full path (a complete wire message)."""
        self.answered[classify(message)] += 1

    def fold(self) -> None:
        """Move the fast path's per-body counts into (qtype, rcode) totals."""
        hits, self.hits = self.hits, defaultdict(int)
        for body, count in hits.items():
            self.answered[classify(body, -2)] += count

    def batch(self, seconds: float, queries: int) -> None:
        """Record ``queries`` answered in ``seconds`` altogether."""
        if queries <= 0:
            return
        self.buckets[bisect.bisect_left(LATENCY_BOUNDS, seconds / queries)] += queries
        self.latency_sum += seconds
        self.latency_count += queries
        if len(self.hits) > FOLD_AT:
            self.fold()


class DnsStats:
    """Both transports of one server."""

    __slots__ = ("tcp", "udp")

    def __init__(self) -> None:
        self.udp = TransportStats()
        self.tcp = TransportStats()
