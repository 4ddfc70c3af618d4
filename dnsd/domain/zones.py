"""Zones: SOA fields, NS names, default TTL, and the serial rules (YYYYMMDDnn, RFC 1982)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dnsd.domain.rdata import SOA

SERIAL_BITS = 32
_HALF = 1 << (SERIAL_BITS - 1)
_MOD = 1 << SERIAL_BITS


def serial_gt(a: int, b: int) -> bool:
    """RFC 1982 comparison: True when serial ``a`` is newer than ``b``."""
    return a != b and ((a - b) % _MOD) < _HALF


def next_serial(current: int, today: dt.date | None = None) -> int:
    """The serial after ``current``: today's ``YYYYMMDD00`` if that is newer, else ``current + 1``.

    Addition wraps modulo 2**32 (RFC 1982), so a serial never goes backwards for a secondary.
    """
    day = today or dt.datetime.now(dt.UTC).date()
    dated = int(day.strftime("%Y%m%d")) * 100
    if serial_gt(dated, current):
        return dated
    return (current + 1) % _MOD


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone we are authoritative for. ``name`` is canonical; ``ns`` are the apex NS hosts."""

    name: str
    serial: int
    ns: tuple[str, ...]
    mname: str
    rname: str
    refresh: int = 3600
    retry: int = 600
    expire: int = 1209600
    minimum: int = 300
    ttl: int = 300
    secondaries: tuple[str, ...] = field(default=())
    dnspod_sync: bool = False

    def soa(self) -> SOA:
        """The SOA rdata for the current serial."""
        return SOA(self.mname, self.rname, self.serial, self.refresh, self.retry, self.expire, self.minimum)

    @property
    def negative_ttl(self) -> int:
        """TTL of the SOA in negative answers: min(SOA TTL, SOA minimum) per RFC 2308."""
        return min(self.ttl, self.minimum)
