"""Zones: SOA fields, NS names, default TTL, and the serial rules (policies, RFC 1982)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.names import name_problems
from dnsd.domain.rdata import SOA
from dnsd.domain.records import MAX_TTL
from dnsd.domain.secondaries import check_secondaries

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


_TIMERS = ("refresh", "retry", "expire", "minimum", "ttl")


def restored_serial(dumped: int, known: int | None, policy: SerialPolicy = "date") -> int:
    """The dumped serial, unless a secondary may already hold ``known`` (same or newer): then the
    serial after ``known`` by ``policy``."""
    if known is None or serial_gt(dumped, known):
        return dumped
    return next_serial(known, policy=policy)


def zone_dict(zone: Zone) -> dict[str, Any]:
    return {
        "name": zone.name, "ns": list(zone.ns), "mname": zone.mname, "rname": zone.rname,
        "refresh": zone.refresh, "retry": zone.retry, "expire": zone.expire, "minimum": zone.minimum,
        "ttl": zone.ttl, "secondaries": list(zone.secondaries), "dnspod_sync": zone.dnspod_sync,
    }  # fmt: skip


def apex_ns_lines(zone: Zone) -> list[RRLine]:
    """The apex NS RRs the zone answers with (they come from its settings, not from records)."""
    return [(zone.name, "NS", zone.ttl, f"{host}.") for host in zone.ns]


def _host(text: str, field: str, reasons: list[Reason], strict: bool) -> str:
    # strict: the API's hostname rules (no '*' at all in a zone's names); otherwise bind9's
    # zone-file rules (RFC 2181), the same the record path applies to imported names
    name, problems = name_problems(text, wildcard=not strict, strict=strict)
    reasons += [Reason(field, p) for p in problems]
    return name


def make_zone(
    name: str,
    ns: list[str],
    mname: str | None = None,
    rname: str | None = None,
    *,
    strict: bool = True,
    **fields: Any,
) -> Zone:
    """Validate every field of a zone at once; raise :class:`InvalidInput` listing them all.

    ``mname`` defaults to the first NS host and ``rname`` to ``hostmaster.<zone>``. The zone
    name and host names follow the API's hostname rules, or with ``strict=False`` (zone-file
    import) every name bind9 loads: any printable label, ``*`` anywhere an ordinary label.
    """
    reasons: list[Reason] = []
    zname = _host(name, "name", reasons, strict)
    hosts = tuple(_host(h, f"ns.{i}", reasons, strict) for i, h in enumerate(ns))
    if not ns:
        reasons.append(Reason("ns", "a zone needs at least one NS host"))
    if len(set(hosts)) != len(hosts):
        reasons.append(Reason("ns", "NS hosts must be distinct"))
    m = _host(mname, "mname", reasons, strict) if mname else (hosts[0] if hosts else "")
    r = _host(rname.replace("@", "."), "rname", reasons, strict) if rname else f"hostmaster.{zname}"
    for key in _TIMERS:
        value = fields.get(key)
        if value is not None and (
            isinstance(value, bool) or not (isinstance(value, int) and 0 <= value <= MAX_TTL)
        ):
            reasons.append(Reason(key, f"must be an integer between 0 and {MAX_TTL}"))
    secondaries: tuple[str, ...] = ()
    try:
        secondaries = check_secondaries(list(fields.get("secondaries") or ()))
    except InvalidInput as exc:
        reasons += exc.reasons
    if reasons:
        raise InvalidInput(reasons)
    timers = {k: fields[k] for k in _TIMERS if fields.get(k) is not None}
    zone = Zone(zname, 0, hosts, m, r, secondaries=secondaries, dnspod_sync=bool(fields.get("dnspod_sync")))
    return replace(zone, **timers)


def new_host_problems(fields: dict[str, Any]) -> list[Reason]:
    """The host names given to a zone update that break the API's hostname rules
    (a zone imported with names only bind9 allows keeps those it does not change)."""
    reasons: list[Reason] = []
    for i, host in enumerate(fields.get("ns") or ()):
        _host(host, f"ns.{i}", reasons, strict=True)
    if fields.get("mname"):
        _host(str(fields["mname"]), "mname", reasons, strict=True)
    if fields.get("rname"):
        _host(str(fields["rname"]).replace("@", "."), "rname", reasons, strict=True)
    return reasons
