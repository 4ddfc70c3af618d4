"""Immutable, answer-ready views of the zones: what the DNS path, AXFR, export and sync read.

A :class:`Snapshot` is built from store rows and never changes; a rebuild makes a new one and
the server swaps a single reference, so readers never see a half-applied zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar, overload

from dnsd.domain.names import ancestors
from dnsd.domain.pools import DEFAULT_VIEW, Pool
from dnsd.domain.rdata import TXT, TYPE_CODES, Address, Rdata, Target
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, Steered, all_up, zone_file_members
from dnsd.domain.shards import Shards
from dnsd.domain.views import View, ViewMatcher
from dnsd.domain.zones import Zone


@dataclass(frozen=True, slots=True)
class RRsetData:
    """An answer-ready RRset: pool references already expanded to addresses."""

    name: str
    rtype: str
    ttl: int
    rdatas: tuple[Rdata, ...]


Node = Mapping[str, RRsetData]  # type name -> RRset at one owner name
T = TypeVar("T")


class OneNode(Mapping[str, RRsetData]):
    """The node of a name that holds one RRset (nearly every name of a large zone): one slot,
    48 bytes, where a ``dict`` and its read-only proxy take 232 (bench/RESULTS.md, issue 17)."""

    __slots__ = ("rrset",)

    def __init__(self, rrset: RRsetData) -> None:
        self.rrset = rrset

    def __getitem__(self, rtype: str) -> RRsetData:
        if rtype == self.rrset.rtype:
            return self.rrset
        raise KeyError(rtype)

    @overload
    def get(self, rtype: str, /) -> RRsetData | None: ...
    @overload
    def get(self, rtype: str, default: RRsetData, /) -> RRsetData: ...
    @overload
    def get(self, rtype: str, default: T, /) -> RRsetData | T: ...

    def get(self, rtype: str, default: object = None, /) -> object:
        rrset = self.rrset
        return rrset if rrset.rtype == rtype else default

    def __contains__(self, rtype: object) -> bool:
        return rtype == self.rrset.rtype

    def __iter__(self) -> Iterator[str]:
        yield self.rrset.rtype

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return f"OneNode({self.rrset!r})"


def frozen_node(node: Mapping[str, RRsetData]) -> Node:
    """The read-only node for ``node``'s RRsets (``node`` must not change afterwards)."""
    if len(node) == 1:
        if isinstance(node, OneNode):
            return node
        (rrset,) = node.values()
        return OneNode(rrset)
    return MappingProxyType(node if isinstance(node, dict) else dict(node))


def nodes_copy(nodes: Mapping[str, Node]) -> dict[str, Node]:
    """A new dict of ``nodes``: the C copy of the dict under a read-only proxy, or of a zone's
    shards (``dict(mapping)`` goes key by key through the mapping protocol: 5 s instead of 0.2 s
    at a million names)."""
    if isinstance(nodes, (dict, MappingProxyType)):
        return nodes.copy()
    if isinstance(nodes, Shards):
        return nodes.to_dict()
    return dict(nodes)


class NodesBuilder:
    """Collects RRsets into nodes, starting from the (shared, untouched) nodes of ``base``:
    a name's first RRset makes a :class:`OneNode`, a second one a dict of its own."""

    def __init__(self, base: Mapping[str, Node] | None = None) -> None:
        self.nodes: dict[str, Node] = nodes_copy(base) if base else {}
        self._own: dict[str, dict[str, RRsetData]] = {}  # nodes made here, still open

    def add(self, rrset: RRsetData) -> None:
        name = rrset.name
        own = self._own.get(name)
        if own is not None:
            own[rrset.rtype] = rrset
            return
        node = self.nodes.get(name)
        if node is None:
            self.nodes[name] = OneNode(rrset)
            return
        own = self._own[name] = dict(node)
        own[rrset.rtype] = rrset
        self.nodes[name] = MappingProxyType(own)

    def __contains__(self, name: str) -> bool:
        return name in self.nodes


@dataclass(frozen=True, slots=True)
class ZoneData:
    """One zone, ready to answer from.

    ``nodes`` holds every owner name with data (apex SOA and NS included), in :class:`Shards` so
    that a patch copies only the shards it touches; ``ents`` the empty
    non-terminals (RFC 4592 section 2.2.2), so a name exists when it is in either (:meth:`exists`;
    a set of every name would cost 40 bytes per record for nothing); ``interior`` every name
    strictly between the apex and an owner, owner or not (empty for a flat zone: a patch that
    removes a leaf below the apex then knows no empty non-terminal changed); ``cuts`` the delegation
    points (NS below the apex); ``dnames`` the owners of DNAME records. ``negative_soa`` (derived)
    is the apex SOA with the RFC 2308 negative TTL, ready for NXDOMAIN/NODATA authority sections.
    ``steered``: the zone holds a weighted record or one limited to views, so the change log's
    lines (the default view's union) cannot patch it (:mod:`dnsd.server.patch`).
    """

    zone: Zone
    nodes: Shards[Node]
    ents: frozenset[str]
    cuts: frozenset[str]
    dnames: frozenset[str]
    rrsets: tuple[RRset, ...] = field(default=())
    steered: bool = False
    interior: frozenset[str] = frozenset()
    negative_soa: RRsetData = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        zone = self.zone
        negative = RRsetData(zone.name, "SOA", zone.negative_ttl, (zone.soa(),))
        object.__setattr__(self, "negative_soa", negative)  # frozen: set once, here

    @property
    def name(self) -> str:
        return self.zone.name

    def exists(self, name: str) -> bool:
        """Whether ``name`` exists in the zone: it owns data or is an empty non-terminal."""
        return name in self.nodes or name in self.ents

    def iter_rrsets(self) -> Iterable[RRsetData]:
        """Every RRset, SOA first, then by (name, type): the order AXFR and export use."""
        apex = self.nodes[self.zone.name]
        yield apex["SOA"]
        nodes = self.nodes.as_dict()
        for name in sorted(nodes, key=canonical_order_key):
            node = nodes[name]
            for rtype in sorted(node):
                if name == self.zone.name and rtype == "SOA":
                    continue
                yield node[rtype]


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
    nodes = zone_data.nodes.as_dict()  # C lookups; one shard (export): no copy
    for name in sorted(nodes, key=canonical_order_key):
        node = nodes[name]
        for rtype in sorted(node, key=lambda t: TYPE_CODES.get(t, 0xFFFF)):
            if name == apex and rtype in ("SOA", "NS"):
                continue
            out.append(node[rtype])
    return out


@dataclass(frozen=True, slots=True)
class Snapshot:
    """All zones at one moment. ``generation`` rises with every rebuild; ``cursor`` is the id of
    the last change row it includes.

    With views (docs/selection.md): ``zones`` is what the ``default`` view sees; ``views`` are
    the defined views in a fixed order, ``matcher`` finds a client's view, ``view_zones`` holds
    per view only the zones whose answers differ there (the others are shared), ``health`` the
    member states the zones were built with. :meth:`in_view` is the snapshot a view answers from.
    """

    zones: Mapping[str, ZoneData]
    generation: int = 0
    cursor: int = 0
    views: tuple[View, ...] = ()
    matcher: ViewMatcher | None = None
    view_zones: Mapping[str, Mapping[str, ZoneData]] = field(default_factory=dict)
    health: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    _in_views: Mapping[str, Snapshot] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        per_view: dict[str, Snapshot] = {}
        for view in self.views:
            own = self.view_zones.get(view.name)
            zones = {**self.zones, **own} if own else self.zones
            per_view[view.name] = Snapshot(zones, self.generation, self.cursor) if own else self
        object.__setattr__(self, "_in_views", per_view)  # frozen: set once, here

    def in_view(self, view: str) -> Snapshot:
        """The zones as ``view`` sees them (``default``, ``public`` and unknown views: ``self``)."""
        return self._in_views.get(view, self)

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
        return pool_rdatas(pool, rrset.rtype, view) if pool else ()
    members = {p: pools[p].members for p in rrset.pools if p in pools}
    steered = Steered(rrset.name, "A" if rrset.rtype == "A" else "AAAA", rrset.pool_targets, rrset.mode)
    return tuple(Address(a) for a in zone_file_members(steered, view, members, health).addresses)


def apex_nodes(zone: Zone) -> NodesBuilder:
    """A builder holding the zone's apex SOA and NS."""
    nodes = NodesBuilder()
    nodes.add(RRsetData(zone.name, "SOA", zone.ttl, (zone.soa(),)))
    nodes.add(RRsetData(zone.name, "NS", zone.ttl, tuple(Target(n) for n in zone.ns)))
    return nodes


def interior_names(nodes: Iterable[str], apex: str) -> frozenset[str]:
    """The names strictly between the apex and an owner in ``nodes`` (owners or not)."""
    out: set[str] = set()
    for name in nodes:
        if name.partition(".")[2] == apex:
            continue  # a child of the apex (nearly every name of a flat zone): nothing between
        out.update(ancestors(name, apex))
    return frozenset(out)


def empty_non_terminals(nodes: Iterable[str], apex: str) -> frozenset[str]:
    """The names between ``nodes`` and the apex that own no data themselves."""
    owners = nodes if isinstance(nodes, (Mapping, set, frozenset)) else set(nodes)
    return frozenset(a for a in interior_names(owners, apex) if a not in owners)


def pool_rdatas(pool: Pool, rtype: str, view: str = DEFAULT_VIEW) -> tuple[Rdata, ...]:
    """What an RRset of ``rtype`` on ``pool`` carries in ``view`` when every member is up."""
    return tuple(Address(a) for a in pool.addresses_for(rtype, view=view))


def build_zone(
    zone: Zone,
    rrsets: Iterable[RRset],
    pools: Mapping[str, Pool],
    view: str = DEFAULT_VIEW,
    health: Health = all_up,
    base: Mapping[str, Node] | None = None,
    shards: int | None = None,
) -> ZoneData:
    """Build the answer-ready view of one zone as ``view`` sees it (RRsets limited to other
    views left out). RRsets that expand to nothing are left out. ``base`` holds nodes already
    built (apex included; see :func:`apex_nodes`): the RRsets that read the same in every
    view, expanded once (:mod:`dnsd.store.state_rows`); ``rrsets`` are added to them.
    ``shards``: see :class:`Shards` (1 for a zone that is only rendered, never patched)."""
    nodes = NodesBuilder(base) if base is not None else apex_nodes(zone)
    every = tuple(rrsets)
    kept = tuple(r for r in every if not r.views or view in r.views)
    for rrset in kept:
        rdatas = expand(rrset, pools, view, health)
        if rdatas:
            nodes.add(RRsetData(rrset.name, rrset.rtype, rrset.ttl, rdatas))
    steered = any(r.targets or r.views for r in every)
    return zone_data(zone, nodes.nodes, kept, steered, shards)


def zone_data(
    zone: Zone,
    nodes: dict[str, Node],
    rrsets: tuple[RRset, ...] = (),
    steered: bool = False,
    shards: int | None = None,
) -> ZoneData:
    """The :class:`ZoneData` of complete ``nodes`` (derived sets computed here; ``nodes`` is
    taken over, not copied, when it fits in one shard)."""
    apex = zone.name
    cuts = frozenset(n for n, node in nodes.items() if "NS" in node and n != apex)
    dnames = frozenset(n for n, node in nodes.items() if "DNAME" in node)
    interior = interior_names(nodes, apex)
    ents = frozenset(a for a in interior if a not in nodes)
    return ZoneData(zone, Shards(nodes, shards, adopt=True), ents, cuts, dnames, rrsets, steered, interior)


def txt(*strings: str) -> TXT:
    """Convenience for tests and demo data: TXT from str parts."""
    return TXT(tuple(s.encode() for s in strings))
