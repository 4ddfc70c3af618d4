"""Response rate limiting (RRL) for UDP, in the manner of NSD and BIND.

Each client prefix (/24 for IPv4, /56 for IPv6) may receive ``rate`` responses per second;
beyond that, every ``slip``-th limited query is answered with an empty TC=1 response (a real
resolver then retries over TCP, which is never limited, so a victim of spoofed floods still
gets its answers) and the others are dropped. ``slip`` 0 drops them all, 1 answers all with TC.
Prefixes that overlap an exempt network are never limited (an exempt /32 exempts its /24:
the prefix is the unit of counting).

The hot path pays one dict update per response: counts live in a dict keyed by the prefix
(an int for IPv4, the 7 prefix bytes for IPv6) and are cleared when the second changes
(:meth:`RateLimiter.new_batch`, called once per batch). Exemption is decided the first time a
prefix goes over the limit and remembered.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Sequence

PASS, DROP, SLIP = 0, 1, 2
V4_MASK = int.from_bytes(b"\xff\xff\xff\x00", sys.byteorder)  # /24 of an address read natively
V6_PREFIX_BYTES = 7  # /56
_EXEMPT_CACHE_LIMIT = 100_000

Key = int | bytes
"""A client prefix: an IPv4 address in native byte order masked by :data:`V4_MASK`, or the
first :data:`V6_PREFIX_BYTES` bytes of an IPv6 address."""


def key_of_address(host: str) -> Key:
    """The prefix key of a textual client address (the plain UDP loop and tests)."""
    if ":" in host:
        return socket.inet_pton(socket.AF_INET6, host)[:V6_PREFIX_BYTES]
    return int.from_bytes(socket.inet_aton(host), sys.byteorder) & V4_MASK


def network_of(key: Key) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The client network a key stands for (for exemption checks and logs)."""
    if isinstance(key, bytes):
        return ipaddress.IPv6Network((key + bytes(16 - len(key)), V6_PREFIX_BYTES * 8))
    return ipaddress.IPv4Network((key.to_bytes(4, sys.byteorder), 24))


class RateLimiter:
    """Per-prefix response counters for one UDP socket (used on the serving loop only)."""

    __slots__ = ("_exempt_cache", "counts", "exempt", "limited", "rate", "second", "slip")

    def __init__(self, rate: int = 0, slip: int = 2, exempt: Sequence[str] = ()) -> None:
        self.counts: dict[Key, int] = {}
        self.second = -1
        self.rate, self.slip = 0, 2
        self.exempt: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self._exempt_cache: dict[Key, bool] = {}
        self.configure(rate, slip, exempt)

    def configure(self, rate: int, slip: int, exempt: Sequence[str]) -> None:
        """Apply new settings (at start and on SIGHUP); raises ValueError for a bad CIDR."""
        networks = [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in exempt if cidr.strip()]
        self.rate, self.slip, self.exempt = max(0, rate), max(0, slip), networks
        self._exempt_cache = {}
        self.counts = {}

    def new_batch(self, now: float) -> None:
        """Start a new counting window when the second (``time.monotonic()``) has changed."""
        second = int(now)
        if second != self.second:
            self.second = second
            self.counts = {}
            if len(self._exempt_cache) > _EXEMPT_CACHE_LIMIT:
                self._exempt_cache = {}

    def check(self, key: Key) -> int:
        """Count one response to ``key``: :data:`PASS`, :data:`DROP` or :data:`SLIP` (send TC)."""
        n = self.counts.get(key, 0) + 1
        self.counts[key] = n
        if n <= self.rate:
            return PASS
        exempt = self._exempt_cache.get(key)
        if exempt is None:
            network = network_of(key)
            exempt = self._exempt_cache[key] = any(
                network.version == net.version and network.overlaps(net) for net in self.exempt
            )
        if exempt:
            return PASS
        return SLIP if self.slip and (n - self.rate) % self.slip == 0 else DROP


def slip_reply(query: bytes) -> bytes | None:
    """An empty TC=1 response to a one-question query (ID, opcode, RD and question echoed), or
    None when ``query`` is not one (then the limited query is just dropped)."""
    if len(query) < 17 or query[2] & 0x80 or query[4:6] != b"\x00\x01":
        return None
    pos = 12
    while query[pos]:
        if query[pos] >= 0x40:
            return None
        pos += query[pos] + 1
        if pos >= len(query):
            return None
    end = pos + 5
    if end > len(query):
        return None
    flags = bytes((0x80 | (query[2] & 0x79) | 0x02, 0))  # QR, the query's opcode and RD, TC
    return query[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + query[12:end]
