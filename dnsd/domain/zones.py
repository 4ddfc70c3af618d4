"""Zones: SOA fields, NS names, default TTL, and the serial rules (policies, RFC 1982)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from dnsd.domain.rdata import SOA

SERIAL_BITS = 32
_HALF = 1 << (SERIAL_BITS - 1)
_MOD = 1 << SERIAL_BITS


def serial_gt(a: int, b: int) -> bool:
    """RFC 1982 comparison: True when serial ``a`` is newer than ``b``."""
    return a != b and ((a - b) % _MOD) < _HALF


SerialPolicy = Literal["date", "unixtime", "increment"]
SERIAL_POLICIES: tuple[SerialPolicy, ...] = ("date", "unixtime", "increment")
"""How a change picks the zone's next serial (``serial_policy`` setting, docs/store.md):

- ``date``: today's ``YYYYMMDD00``, then +1 per change (``YYYYMMDDnn``; past ``nn`` = 99 the
  serial runs into the following days' numbers, which is why one change is one bump);
- ``unixtime``: the seconds since the epoch, or +1 when that is not newer (several changes in
  one second);
- ``increment``: +1.

Every policy takes the newer of its candidate and ``current + 1`` (RFC 1982), so the serial
never goes backwards, also right after switching from one policy to another.
"""


def next_serial(current: int, now: dt.date | None = None, policy: SerialPolicy = "date") -> int:
    """The serial after ``current`` under ``policy`` at ``now`` (default: the current UTC time;
    a bare date means its midnight UTC). Always newer than ``current`` in RFC 1982 terms:
    addition wraps modulo 2**32. ``next_serial(0, ...)`` is a new zone's first serial.

    :class:`ValueError` for a policy not in :data:`SERIAL_POLICIES`.
    """
    if policy not in SERIAL_POLICIES:
        raise ValueError(f"unknown serial policy {policy!r}; one of {', '.join(SERIAL_POLICIES)}")
    at = now or dt.datetime.now(dt.UTC)
    candidate: int | None = None
    if policy == "date":
        candidate = int(at.strftime("%Y%m%d")) * 100
    elif policy == "unixtime":
        moment = at if isinstance(at, dt.datetime) else dt.datetime.combine(at, dt.time(), dt.UTC)
        candidate = int(moment.timestamp()) % _MOD
    if candidate is not None and serial_gt(candidate, current):
        return candidate
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
