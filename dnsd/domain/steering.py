"""The zones as each view sees them, and the selectors of weighted RRsets (docs/selection.md,
"What the snapshot precomputes").

A zone's answers differ in a view only when one of its RRsets is limited to views, or points at
a pool with members of its own in that view; every other view shares the ``default`` view's
:class:`ZoneData` object. A weighted RRset with more than one eligible target becomes a
:class:`SteeredRRset`: its ``rdatas`` are the zone-file union (what AXFR and export carry), its
``selector`` holds one variant per eligible target and the cumulative weights the DNS answer
picks from. Pure: health is a lookup passed in.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from dnsd.domain.pools import DEFAULT_VIEW, Pool
from dnsd.domain.rdata import Address
from dnsd.domain.records import RRset
from dnsd.domain.selection import HASH_PREFIX, Client, Health, all_up, subnet_point, view_members
from dnsd.domain.snapshot import Node, RRsetData, ZoneData, build_zone, frozen_node
from dnsd.domain.targets import Mode
from dnsd.domain.views import View
from dnsd.domain.zones import Zone


@dataclass(frozen=True, slots=True)
class Selector:
    """How the DNS answer picks one of ``variants`` (one per eligible target, record order):
    the point (``hashed``: :func:`subnet_point` of the client and ``name``; ``random``:
    ``floor(draw * total)``) falls into ``bounds`` (cumulative weights)."""

    name: str
    mode: Mode
    variants: tuple[RRsetData, ...]
    bounds: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.bounds[-1]

    def index_of_point(self, point: int) -> int:
        return min(bisect_right(self.bounds, point), len(self.bounds) - 1)

    def index_for(self, client: Client) -> int:
        """The variant ``hashed`` gives ``client`` (as :func:`dnsd.domain.selection.select`)."""
        return self.index_of_point(subnet_point(client, self.name, self.total))

    def index_for_draw(self, draw: float) -> int:
        """The variant ``random`` gives the uniform ``draw`` in [0, 1)."""
        total = self.total
        return self.index_of_point(min(int(draw * total), total - 1))


@dataclass(frozen=True, slots=True)
class SteeredRRset(RRsetData):
    """An RRset whose DNS answer is one of its selector's variants; ``rdatas`` is the union."""

    selector: Selector | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class FailOpen:
    """An RRset answered with every member because none of its weight > 0 targets had a
    healthy member in ``view``."""

    zone: str
    view: str
    name: str
    rtype: str


def scope_of(view_prefix: int, hashed_choice: bool, address: str) -> int:
    """RFC 7871 scope of a trusted ECS answer (docs/selection.md step 5): the prefix the view
    was found at (see :class:`DefaultScope` for the default view), raised to 24/56 when a
    hashed choice between several targets was made."""
    if not hashed_choice:
        return view_prefix
    return max(view_prefix, HASH_PREFIX[ipaddress.ip_address(address).version])


class DefaultScope:
    """The scope of an answer from the ``default`` view: the shortest prefix of the client
    subnet that holds no view network, so that a resolver caching the answer for that scope
    never gives it to a client of a view (RFC 7871 7.2.1: the answer must be right for every
    address the scope covers). Scope 0 only when no view network is of the subnet's family.

    docs/selection.md step 5 said 0 for every default answer; a real unbound then serves the
    default answer to every client of every view from its cache, so this refines it.
    """

    __slots__ = ("_memo", "_networks")

    def __init__(self, views: Iterable[View]) -> None:
        self._networks: dict[int, list[tuple[int, int, int]]] = {4: [], 6: []}
        for view in views:
            for text in view.networks:
                net = ipaddress.ip_network(text)
                self._networks[net.version].append(
                    (int(net.network_address), net.prefixlen, net.max_prefixlen)
                )
        self._memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, version: int, value: int, prefix: int) -> int:
        key = (version, value, prefix)
        found = self._memo.get(key)
        if found is None:
            found = 0
            for start, length, bits in self._networks[version]:
                common = bits - (value ^ start).bit_length()  # leading bits in common
                found = max(found, min(length, common) + 1)
            found = min(found, 128 if version == 6 else 32)
            if len(self._memo) >= 65536:
                self._memo.clear()
            self._memo[key] = found
        return found


def needs_own_data(rrsets: Sequence[RRset], pools: Mapping[str, Pool], view: str) -> bool:
    """Whether the zone of ``rrsets`` answers differently in ``view`` than in ``default``."""
    for rrset in rrsets:
        if rrset.views and rrset.visible_in(view) != rrset.visible_in(DEFAULT_VIEW):
            return True
        if rrset.pool is not None:
            for name in rrset.pools:
                pool = pools.get(name)
                if pool is not None and view in pool.views:
                    return True
    return False


def _selector(
    rrset: RRset, view: str, pools: Mapping[str, Pool], health: Health
) -> tuple[Selector | None, bool]:
    """The selector of a pool-backed RRset in ``view`` (None when one variant is all there is)
    and whether it fails open (steps 2-4 of docs/selection.md)."""
    rtype = "A" if rrset.rtype == "A" else "AAAA"
    eligible: list[tuple[int, tuple[str, ...]]] = []
    any_member = False
    for target in rrset.pool_targets:
        if target.weight <= 0:
            continue
        pool = pools.get(target.pool)
        addrs = view_members(pool.members if pool else (), view, rtype)
        any_member = any_member or bool(addrs)
        up = tuple(a for a in addrs if health(target.pool, a, rrset.name))
        if up:
            eligible.append((target.weight, up))
    if not eligible:
        return None, any_member
    if len(eligible) == 1:
        return None, False
    bounds: list[int] = []
    total = 0
    for weight, _ in eligible:
        total += weight
        bounds.append(total)
    variants = tuple(
        RRsetData(rrset.name, rrset.rtype, rrset.ttl, tuple(Address(a) for a in up)) for _, up in eligible
    )
    return Selector(rrset.name, rrset.mode, variants, tuple(bounds)), False


def steer_zone(
    zone: Zone,
    rrsets: Sequence[RRset],
    pools: Mapping[str, Pool],
    view: str = DEFAULT_VIEW,
    health: Health = all_up,
    base: Mapping[str, Node] | None = None,
) -> tuple[ZoneData, list[FailOpen]]:
    """:func:`build_zone` for ``view`` (on ``base``), with weighted RRsets of several eligible
    targets turned into :class:`SteeredRRset` and the RRsets that fail open listed."""
    data = build_zone(zone, rrsets, pools, view, health, base)
    fail_open: list[FailOpen] = []
    steered: dict[tuple[str, str], Selector] = {}
    for rrset in data.rrsets:
        if rrset.pool is None or rrset.rtype not in ("A", "AAAA"):
            continue
        if not rrset.targets and health is all_up:
            continue  # one pool, everything up: the union is the answer
        selector, failed = _selector(rrset, view, pools, health)
        if failed:
            fail_open.append(FailOpen(zone.name, view, rrset.name, rrset.rtype))
        if selector is not None:
            steered[(rrset.name, rrset.rtype)] = selector
    if not steered:
        return data, fail_open
    changed: dict[str, dict[str, RRsetData]] = {}
    for (name, rtype), selector in steered.items():
        node = changed.setdefault(name, dict(data.nodes[name]))
        union = node[rtype]
        node[rtype] = SteeredRRset(name, rtype, union.ttl, union.rdatas, selector)
    nodes = data.nodes.updated({name: frozen_node(node) for name, node in changed.items()})
    return dataclasses.replace(data, nodes=nodes), fail_open


@dataclass(frozen=True, slots=True)
class ViewedZone:
    """One zone as every view sees it: ``default``, and the named views whose data differ."""

    default: ZoneData
    views: Mapping[str, ZoneData]
    fail_open: tuple[FailOpen, ...] = ()


def view_zone(
    zone: Zone,
    rrsets: Sequence[RRset],
    pools: Mapping[str, Pool],
    views: Iterable[str] = (),
    health: Health = all_up,
    base: Mapping[str, Node] | None = None,
) -> ViewedZone:
    """The zone in ``default`` and in each of ``views`` whose answers differ from it. ``base``:
    nodes that read the same in every view, already built (see :func:`build_zone`)."""
    default, failed = steer_zone(zone, rrsets, pools, DEFAULT_VIEW, health, base)
    own: dict[str, ZoneData] = {}
    for view in views:
        if needs_own_data(rrsets, pools, view):
            own[view], more = steer_zone(zone, rrsets, pools, view, health, base)
            failed += more
    return ViewedZone(default, MappingProxyType(own), tuple(failed))


def steered_rrsets(*sections: Iterable[RRsetData]) -> tuple[SteeredRRset, ...]:
    """The steered RRsets among answer sections, in order (an answer usually has none)."""
    return tuple(r for section in sections for r in section if isinstance(r, SteeredRRset))
