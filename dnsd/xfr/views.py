"""Zones as each view sees them, for transfers: which views a zone differs in, and their data.

A secondary of a view (its TSIG key's view, or its address's) must receive that view's copy of
each zone. Most zones look the same in every view, so only the views where a zone differs from
``default`` get a :class:`ZoneData` of their own; the others transfer the snapshot's. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, Pool
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, all_up
from dnsd.domain.snapshot import ZoneData, build_zone
from dnsd.domain.zones import Zone

ViewZones = Mapping[tuple[str, str], ZoneData]
"""(zone name, view) -> the zone as that view sees it, for the views where it differs."""


def differs_in_view(rrsets: Sequence[RRset], pools: Mapping[str, Pool], view: str) -> bool:
    """Whether the zone of ``rrsets`` reads differently in ``view`` than in ``default``: an
    RRset limited to views that include one but not the other, or a pool with members of its
    own in ``view`` (for ``public``: external addresses)."""
    for rrset in rrsets:
        if rrset.views and rrset.visible_in(view) != rrset.visible_in(DEFAULT_VIEW):
            return True
        for name in rrset.pools if rrset.pool is not None else ():
            pool = pools.get(name)
            if pool is None:
                continue
            if view in pool.views or (view == PUBLIC_VIEW and pool.external_addresses):
                return True
    return False


def zones_by_view(
    zones: Mapping[str, tuple[Zone, list[RRset]]],
    pools: Mapping[str, Pool],
    views: Iterable[str],
    health: Health = all_up,
) -> dict[tuple[str, str], ZoneData]:
    """For each zone and each of ``views`` (``default`` skipped) where it differs, the zone as
    that view sees it (:func:`dnsd.domain.snapshot.build_zone`)."""
    wanted = sorted(set(views) - {DEFAULT_VIEW})
    out: dict[tuple[str, str], ZoneData] = {}
    for name, (zone, rrsets) in zones.items():
        for view in wanted:
            if differs_in_view(rrsets, pools, view):
                out[(name, view)] = build_zone(zone, rrsets, pools, view, health)
    return out
