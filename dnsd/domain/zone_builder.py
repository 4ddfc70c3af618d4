"""Build a serving zone straight from stored rows, one RRset at a time. Pure.

:class:`ServingZoneBuilder` gives exactly what ``serving_zone(build_zone(zone, rrsets, pools))``
gives (:func:`dnsd.domain.snapshot.build_zone`, :func:`dnsd.server.patch.serving_zone`; the
differential test is tests/store/test_state_rows.py) without an :class:`RRset` per row: the
DNS server's cold start feeds it the store's rows as they are fetched. Names whose parent is
the apex (most of a large zone) have no empty non-terminals to look for, and a pool's
addresses are expanded once per pool and type, not once per RRset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dnsd.domain.names import ancestors
from dnsd.domain.pools import DEFAULT_VIEW, Pool
from dnsd.domain.rdata import Address, Rdata, Target
from dnsd.domain.records import RRset
from dnsd.domain.snapshot import RRsetData, ZoneData, expand
from dnsd.domain.targets import Mode
from dnsd.domain.targets import Target as PoolTarget
from dnsd.domain.zones import Zone


@dataclass(frozen=True, slots=True)
class Steering:
    """What a pool-backed RRset may add to its pool: weighted targets, their mode, views."""

    targets: tuple[PoolTarget, ...] = ()
    mode: Mode = "hashed"
    views: tuple[str, ...] = ()


class ServingZoneBuilder:
    """Collects one zone's RRsets (:meth:`add`) and builds its :class:`ZoneData` (:meth:`finish`)."""

    def __init__(self, zone: Zone, pools: Mapping[str, Pool]) -> None:
        self.zone = zone
        self._pools = pools
        self._expanded: dict[tuple[str, str], tuple[Rdata, ...]] = {}
        apex = zone.name
        self._nodes: dict[str, dict[str, RRsetData]] = {
            apex: {
                "SOA": RRsetData(apex, "SOA", zone.ttl, (zone.soa(),)),
                "NS": RRsetData(apex, "NS", zone.ttl, tuple(Target(n) for n in zone.ns)),
            }
        }

    def _pool(self, pool: str, rtype: str) -> tuple[Rdata, ...]:
        key = (pool, rtype)
        found = self._expanded.get(key)
        if found is None:
            stored = self._pools.get(pool)
            found = () if stored is None else tuple(Address(a) for a in stored.addresses_for(rtype))
            # (the default view's members: what build_zone expands a single-pool RRset to)
            self._expanded[key] = found
        return found

    def add(
        self, name: str, rtype: str, ttl: int, values: tuple[Rdata, ...], pool: str | None,
        steering: Steering | None = None,
    ) -> None:  # fmt: skip
        """One stored RRset: its ``values``, or its ``pool`` (expanded here; a weighted or
        view-limited one as :func:`expand` does it). An RRset limited to other views, or that
        expands to nothing, is left out, as :func:`build_zone` leaves it out."""
        if steering is not None and steering.views and DEFAULT_VIEW not in steering.views:
            return
        if pool is None:
            rdatas = values
        elif steering is None or not steering.targets:
            rdatas = self._pool(pool, rtype)
        else:
            rrset = RRset(name, rtype, ttl, values, pool, targets=steering.targets, mode=steering.mode)
            rdatas = expand(rrset, self._pools)
        if not rdatas:
            return
        node = self._nodes.get(name)
        if node is None:
            node = self._nodes[name] = {}
        node[rtype] = RRsetData(name, rtype, ttl, rdatas)

    def finish(self) -> ZoneData:
        """The zone, ready to serve (no stored RRsets kept: ``rrsets`` is empty)."""
        apex, nodes = self.zone.name, self._nodes
        names = set(nodes)
        for name in nodes:
            if name != apex and name.partition(".")[2] != apex:  # else nothing lies between
                names.update(ancestors(name, apex))
        cuts = frozenset(n for n, node in nodes.items() if n != apex and "NS" in node)
        dnames = frozenset(n for n, node in nodes.items() if "DNAME" in node)
        frozen = {n: MappingProxyType(node) for n, node in nodes.items()}
        self._nodes = {}
        return ZoneData(self.zone, MappingProxyType(frozen), frozenset(names), cuts, dnames)
