"""Build the serving snapshot with views, health and weighted selectors (docs/selection.md).

:func:`serving_snapshot` turns the store's zones and pools plus the :class:`ServingState`
(views, member health) into a :class:`Snapshot` whose ``default`` zones, per-view zones and
steered RRsets the answer path reads; :func:`rebuilt` replaces some zones of an existing one.
RRsets that fail open (no healthy member in any weight > 0 target) are logged at WARNING once
per snapshot build and counted (``dnsd_fail_open_total``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence

from dnsd.domain.changes import Change
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, all_up, health_from_states
from dnsd.domain.snapshot import Node, Snapshot, ZoneData
from dnsd.domain.steering import FailOpen, ViewedZone, view_zone
from dnsd.domain.views import ViewMatcher
from dnsd.domain.zones import Zone
from dnsd.server.patch import serving_zone
from dnsd.store.base import StoreBase
from dnsd.store.serving_state import ServingState, zones_on_pools

log = logging.getLogger("dnsd.feed")


class FailOpenCounter:
    """RRsets that failed open, summed over every snapshot build of this process."""

    total = 0


def plain_pools(serving: ServingState) -> Callable[[Pool], bool]:
    """Which pools' records (without weighted targets or views) read the same in every view
    with every member up: pools without members of their own in a named view, while no member
    of any pool is marked down (else the health-aware selection decides)."""
    if any(s != "up" for s in (serving.states or {}).values()):
        return lambda pool: False
    return lambda pool: not pool.views


def _health(serving: ServingState) -> Health:
    states = serving.states or {}
    return health_from_states(states) if any(s != "up" for s in states.values()) else all_up


def _viewed(
    zones: Mapping[str, tuple[Zone, list[RRset]]],
    pools: Mapping[str, Pool],
    serving: ServingState,
    base: Mapping[str, Mapping[str, Node]] | None = None,
) -> dict[str, ViewedZone]:
    health = _health(serving)
    names = [v.name for v in serving.views]
    out: dict[str, ViewedZone] = {}
    failed: list[FailOpen] = []
    for name, (zone, rrsets) in zones.items():
        viewed = view_zone(zone, rrsets, pools, names, health, base.get(name) if base else None)
        per_view = {v: serving_zone(z) for v, z in viewed.views.items()}
        out[name] = ViewedZone(serving_zone(viewed.default), per_view, viewed.fail_open)
        failed += viewed.fail_open
    for item in failed:
        log.warning(
            "fail open: no healthy member for %s %s in view %s (zone %s): answering every member",
            item.name, item.rtype, item.view, item.zone,
        )  # fmt: skip
    FailOpenCounter.total += len(failed)
    return out


def _assemble(
    default: dict[str, ZoneData],
    per_view: dict[str, dict[str, ZoneData]],
    serving: ServingState,
    generation: int,
    cursor: int,
) -> Snapshot:
    views = tuple(serving.views)
    matcher = ViewMatcher(views) if views else None
    return Snapshot(
        default, generation, cursor, views=views, matcher=matcher,
        view_zones={v.name: per_view.get(v.name, {}) for v in views}, health=dict(serving.states or {}),
    )  # fmt: skip


def serving_snapshot(
    zones: Mapping[str, tuple[Zone, list[RRset]]],
    pools: Mapping[str, Pool],
    serving: ServingState,
    generation: int,
    cursor: int,
    base: Mapping[str, Mapping[str, Node]] | None = None,
) -> Snapshot:
    """Every zone, in every view. ``base``: per zone, the nodes built already from the records
    that read the same everywhere (:meth:`dnsd.store.state_rows.StateReader.serving_rows`);
    ``zones`` then hold only the other records."""
    viewed = _viewed(zones, pools, serving, base)
    per_view: dict[str, dict[str, ZoneData]] = {}
    for name, vz in viewed.items():
        for view, data in vz.views.items():
            per_view.setdefault(view, {})[name] = data
    return _assemble({n: vz.default for n, vz in viewed.items()}, per_view, serving, generation, cursor)


def rebuilt(
    base: Snapshot,
    patched: Mapping[str, ZoneData],
    zones: Mapping[str, tuple[Zone, list[RRset]]],
    removed: Iterable[str],
    pools: Mapping[str, Pool],
    serving: ServingState,
    generation: int,
    cursor: int,
) -> Snapshot:
    """``base`` with ``patched`` zones (default view only: they have no per-view data), the
    re-read ``zones`` rebuilt in every view, and ``removed`` zones dropped."""
    default = dict(base.zones)
    per_view = {v: dict(base.view_zones.get(v, {})) for v in (w.name for w in serving.views)}
    default.update(patched)
    for name in patched:
        for table in per_view.values():
            table.pop(name, None)
    for name in removed:
        default.pop(name, None)
        for table in per_view.values():
            table.pop(name, None)
    for name, vz in _viewed(zones, pools, serving).items():
        default[name] = vz.default
        for view, table in per_view.items():
            if view in vz.views:
                table[name] = vz.views[view]
            else:
                table.pop(name, None)
    return _assemble(default, per_view, serving, generation, cursor)


def same_views(snapshot: Snapshot, serving: ServingState) -> bool:
    """Whether ``serving`` defines the views ``snapshot`` was built with (else rebuild all)."""
    return tuple(serving.views) == snapshot.views


def changed_pools(snapshot: Snapshot, serving: ServingState) -> set[str]:
    """The pools whose member states differ between ``snapshot`` and ``serving``."""
    before, after = snapshot.health, serving.states or {}
    return {key[0] for key in set(before) | set(after) if before.get(key, "up") != after.get(key, "up")}


_STEERING_KEYS = ("targets", "views", "mode")


def must_reread(
    store: StoreBase, snapshot: Snapshot, serving: ServingState, changes: Sequence[Change]
) -> set[str]:
    """The zones ``changes`` touch whose change lines (the ``default`` view's, without health)
    cannot patch the snapshot: zones with per-view data or weighted records, zones on pools
    whose health or view members changed. These are re-read whole."""
    touched = {zc.zone for change in changes for zc in change.zones}
    out = {name for name in touched if any(name in table for table in snapshot.view_zones.values())}
    out |= {name for name in touched if (zone := snapshot.zones.get(name)) is not None and zone.steered}
    pools = changed_pools(snapshot, serving)
    special = bool(serving.views) or any(s != "up" for s in (serving.states or {}).values())
    for change in changes:
        zones = {zc.zone for zc in change.zones}
        sides = [side for side in (change.before, change.after) if side]
        if change.action.startswith("pool.") and special:
            pools.add(change.subject)
        elif any(key in side for side in sides for key in _STEERING_KEYS) or (
            change.action.startswith("record.") and special and any("pool" in side for side in sides)
        ):
            out |= zones
    return out | zones_on_pools(store, pools)
