"""Builders for hand-made snapshots in the answer tests: zones and RRsets from presentation text."""

from __future__ import annotations

from collections.abc import Mapping

from dnsd.answer import Answer
from dnsd.domain.pools import Pool
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset
from dnsd.domain.snapshot import RRsetData, Snapshot, ZoneData, build_zone
from dnsd.domain.zones import Zone


def make_zone(
    name: str, ns: tuple[str, ...] = (), ttl: int = 3600, minimum: int = 300, serial: int = 2024010100
) -> Zone:
    """A zone with NS ``ns`` (default ``ns1.<name>`` and ``ns2.<name>``)."""
    hosts = ns or (f"ns1.{name}", f"ns2.{name}")
    return Zone(name, serial, hosts, f"ns1.{name}", f"hostmaster.{name}", minimum=minimum, ttl=ttl)


def rr(name: str, rtype: str, *values: str, ttl: int = 300, pool: str | None = None) -> RRset:
    """An RRset from presentation values (names bare, as the API takes them)."""
    return RRset(name, rtype, ttl, tuple(parse_rdata(rtype, v) for v in values), pool=pool)


def zone_data(zone: Zone | str, *rrsets: RRset, pools: Mapping[str, Pool] | None = None) -> ZoneData:
    z = make_zone(zone) if isinstance(zone, str) else zone
    return build_zone(z, rrsets, pools or {})


def snapshot(*zones: ZoneData) -> Snapshot:
    return Snapshot({z.name: z for z in zones})


def texts(rrsets: tuple[RRsetData, ...]) -> list[str]:
    """Each RR of the sections as one ``name ttl type rdata`` line, in order."""
    return [f"{r.name} {r.ttl} {r.rtype} {d.to_text()}" for r in rrsets for d in r.rdatas]


def keys(rrsets: tuple[RRsetData, ...]) -> list[tuple[str, str]]:
    """(owner, type) of each RRset, in order."""
    return [(r.name, r.rtype) for r in rrsets]


def is_negative(answer: Answer, zone: str, rcode: int) -> bool:
    """True when ``answer`` is an authoritative negative answer with the SOA of ``zone``."""
    return (
        answer.rcode == rcode
        and answer.aa
        and not answer.answer
        and keys(answer.authority) == [(zone, "SOA")]
        and not answer.additional
    )
