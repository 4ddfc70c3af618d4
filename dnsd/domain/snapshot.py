"""Immutable, answer-ready views of the zones: what the DNS path, AXFR, export and sync read.

A :class:`Snapshot` is built from store rows and never changes; a rebuild makes a new one and
the server swaps a single reference, so readers never see a half-applied zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from dnsd.domain.names import ancestors
from dnsd.domain.pools import DEFAULT_VIEW, Pool
from dnsd.domain.rdata import TXT, TYPE_CODES, Address, Rdata, Target
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, Steered, all_up, zone_file_members
from dnsd.domain.zones import Zone


@dataclass(frozen=True, slots=True)
class RRsetData:
    """An answer-ready RRset: pool references already expanded to addresses."""

    name: str
    rtype: str
    ttl: int
    rdatas: tuple[Rdata, ...]


Node = Mapping[str, RRsetData]  # type name -> RRset at one owner name


@dataclass(frozen=True, slots=True)
class ZoneData:
    """One zone, ready to answer from.

    ``nodes`` holds every owner name with data (apex SOA and NS included); ``names`` every name
    that exists, empty non-terminals included (RFC 4592 section 2.2.2); ``cuts`` the delegation
    points (NS below the apex); ``dnames`` the owners of DNAME records. ``negative_soa`` (derived)
    is the apex SOA with the RFC 2308 negative TTL, ready for NXDOMAIN/NODATA authority sections.
    """

    zone: Zone
    nodes: Mapping[str, Node]
    names: frozenset[str]
    cuts: frozenset[str]
    dnames: frozenset[str]
    rrsets: tuple[RRset, ...] = field(default=())
    negative_soa: RRsetData = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        zone = self.zone
        negative = RRsetData(zone.name, "SOA", zone.negative_ttl, (zone.soa(),))
        object.__setattr__(self, "negative_soa", negative)  # frozen: set once, here

    @property
    def name(self) -> str:
        return self.zone.name

    def iter_rrsets(self) -> Iterable[RRsetData]:
        """Every RRset, SOA first, then by (name, type): the order AXFR and export use."""
        apex = self.nodes[self.zone.name]
        yield apex["SOA"]
        for name in sorted(self.nodes, key=canonical_order_key):
            for rtype in sorted(self.nodes[name]):
                if name == self.zone.name and rtype == "SOA":
                    continue
                yield self.nodes[name][rtype]


def canonical_order_key(name: str) -> tuple[str, ...]:
    """Sort key giving RFC 4034 canonical order (by reversed labels)."""
    return tuple(reversed(name.split("."))) if name else ()


def zone_rrsets(zone_data: ZoneData) -> list[RRsetData]:
    """Every RRset of the zone in transfer order: SOA, apex NS, then canonical order (by type
    code within a name).

    AXFR sends this list followed by the SOA again; the exported zone file is this list as text.
    """
    apex = zone_data.name
    out = [zone_data.nodes[apex]["SOA"], zone_data.nodes[apex]["NS"]]
    for name in sorted(zone_data.nodes, key=canonical_order_key):
        node = zone_data.nodes[name]
        for rtype in sorted(node, key=lambda t: TYPE_CODES.get(t, 0xFFFF)):
            if name == apex and rtype in ("SOA", "NS"):
                continue
            out.append(node[rtype])
    return out


@dataclass(frozen=True, slots=True)
class Snapshot:
    """All zones at one moment. ``generation`` rises with every rebuild; ``cursor`` is the id of
    the last change row it includes."""

    zones: Mapping[str, ZoneData]
    generation: int = 0
    cursor: int = 0

    def find_zone(self, qname: str) -> ZoneData | None:
        """The zone with the longest match for ``qname`` (canonical), or None."""
        name = qname
        while True:
            zone = self.zones.get(name)
            if zone is not None:
                return zone
            if not name:
                return None
            _, _, name = name.partition(".")


def expand(
    rrset: RRset, pools: Mapping[str, Pool], view: str = DEFAULT_VIEW, health: Health = all_up
) -> tuple[Rdata, ...]:
    """The rdata an RRset carries in ``view``'s zone file and transfers: its values, or the
    healthy members of its weight > 0 pools in that view (:func:`zone_file_members`)."""
    if rrset.pool is None:
        return rrset.values
    if not rrset.targets and health is all_up:  # the common case, kept cheap
        pool = pools.get(rrset.pool)
        return tuple(Address(a) for a in pool.addresses_for(rrset.rtype, view=view)) if pool else ()
    members = {p: pools[p].members for p in rrset.pools if p in pools}
    steered = Steered(rrset.name, "A" if rrset.rtype == "A" else "AAAA", rrset.pool_targets, rrset.mode)
    return tuple(Address(a) for a in zone_file_members(steered, view, members, health).addresses)


def build_zone(
    zone: Zone,
    rrsets: Iterable[RRset],
    pools: Mapping[str, Pool],
    view: str = DEFAULT_VIEW,
    health: Health = all_up,
) -> ZoneData:
    """Build the answer-ready view of one zone as ``view`` sees it (RRsets limited to other
    views left out). RRsets that expand to nothing are left out."""
    nodes: dict[str, dict[str, RRsetData]] = {
        zone.name: {
            "SOA": RRsetData(zone.name, "SOA", zone.ttl, (zone.soa(),)),
            "NS": RRsetData(zone.name, "NS", zone.ttl, tuple(Target(n) for n in zone.ns)),
        }
    }
    kept = tuple(r for r in rrsets if not r.views or view in r.views)
    for rrset in kept:
        rdatas = expand(rrset, pools, view, health)
        if rdatas:
            nodes.setdefault(rrset.name, {})[rrset.rtype] = RRsetData(
                rrset.name, rrset.rtype, rrset.ttl, rdatas
            )
    names = set(nodes)
    for name in list(nodes):
        names.update(ancestors(name, zone.name))
    cuts = frozenset(n for n, node in nodes.items() if n != zone.name and "NS" in node)
    dnames = frozenset(n for n, node in nodes.items() if "DNAME" in node)
    frozen = {n: MappingProxyType(node) for n, node in nodes.items()}
    return ZoneData(zone, MappingProxyType(frozen), frozenset(names), cuts, dnames, kept)


def txt(*strings: str) -> TXT:
    """Convenience for tests and demo data: TXT from str parts."""
    return TXT(tuple(s.encode() for s in strings))
