"""Planning a seed: what a parsed file adds to the store, and every cross-reference problem.

Pure: it compares a :class:`SeedFile` with the current state and decides, before anything is
written, what to create, what to replace and what is already there. A seed adds and replaces
only: existing pools and zones are kept as stored (a difference is noted, not applied), and
records the file does not name are never touched. With no deletes, it needs no delete brake.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.plan import CREATE, UPDATE, Plan, Step
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, Pool
from dnsd.domain.records import RRset, find_zone, placement_problems
from dnsd.domain.views import make_views
from dnsd.domain.zones import Zone
from dnsd.services.seedfile import Entry, SeedFile, SeedView

T = TypeVar("T", Pool, Zone, SeedView)
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Current:
    """What the store holds: every view, zone and pool, and the RRsets at (at least) the file's
    names."""

    zones: Mapping[str, Zone]
    pools: Mapping[str, Pool]
    rrsets: Mapping[str, Sequence[RRset]]
    views: Mapping[str, SeedView] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeedPlan:
    pools: tuple[Pool, ...]
    zones: tuple[Zone, ...]
    records: tuple[Step, ...]  # create or update; ``label``: the entry's place in the file
    kept: Mapping[str, int]  # entries already as in the file, by kind
    notes: tuple[str, ...]
    views: tuple[SeedView, ...] = ()

    @property
    def plan(self) -> Plan:
        """The records' part in the shape every planner shares (a seed never deletes)."""
        return Plan(self.records)

    @property
    def changes_nothing(self) -> bool:
        return not (self.views or self.pools or self.zones or self.records)


def _duplicates(entries: Sequence[Entry[E]], key: Callable[[E], Hashable], what: str) -> list[Reason]:
    seen: dict[Hashable, str] = {}
    reasons = []
    for entry in entries:
        k = key(entry.item)
        if k in seen:
            reasons.append(Reason(f"{entry.path}.name", f"{what} already declared at {seen[k]}"))
        else:
            seen[k] = entry.path
    return reasons


def _missing(
    entries: Sequence[Entry[T]], stored: Mapping[str, T], same: Callable[[T, T], bool], kind: str
) -> tuple[list[T], list[str]]:
    """The entries not stored yet, and a note for each stored one that differs from the file."""
    new: list[T] = []
    notes: list[str] = []
    for entry in entries:
        have = stored.get(entry.item.name)
        if have is None:
            new.append(entry.item)
        elif not same(have, entry.item):
            notes.append(f"{entry.path}: {kind} {entry.item.name} exists with other settings; kept as stored")
    return new, notes


def _pool_problems(seed: SeedFile, pools: set[str]) -> list[Reason]:
    """Records naming a pool neither stored nor declared (a pool declared with problems is
    reported at its own entry)."""
    return [
        Reason(where, f"unknown pool {pool!r}; declare it under 'pools'")
        for where, pool in seed.pool_refs
        if pool not in pools and pool not in seed.broken
    ]


def _view_problems(seed: SeedFile, current: Current, new: Sequence[SeedView]) -> list[Reason]:
    """New views overlapping a stored view or each other, and views named by pools and records
    that are neither stored nor declared (nor ``default``/``public``)."""
    reasons: list[Reason] = []
    paths = {e.item.name: e.path for e in seed.views}
    created = {v.name for v in new}
    everything = [v.view for v in new] + [v.view for name, v in current.views.items() if name not in created]
    try:
        make_views([(v.name, v.networks) for v in everything])
    except InvalidInput as exc:
        for r in exc.reasons:
            # an overlap names both views: report it at the new one (stored views never overlap)
            view = next((v.name for v in new if f"view {v.name!r}" in r.message), None)
            if view is not None:
                reasons.append(Reason(f"{paths[view]}.networks", r.message))
    known = set(current.views) | set(paths) | set(seed.broken) | {DEFAULT_VIEW, PUBLIC_VIEW}
    reasons += [
        Reason(where, f"unknown view {view!r}; declare it under 'views'")
        for where, view in seed.view_refs
        if view not in known
    ]
    return reasons


def _record_problems(
    rrset: RRset,
    zone: str | None,
    stored: Sequence[RRset],
    siblings: Sequence[Entry[RRset]],
    broken: frozenset[str],
) -> list[Reason]:
    """Problems of one record against the zone and RRsets around it (store and file).

    A record in a zone the file declares with problems of its own is not checked further:
    those problems are reported at the zone already.
    """
    if zone is None:
        return [Reason("name", f"no zone holds {rrset.name}; declare the zone under 'zones'")]
    if zone in broken:
        return []
    out = []
    holders = sorted({s.owner for s in stored if s.owner != rrset.owner})
    if holders:
        out.append(Reason("owner", f"{rrset.name} is held by {holders[0]} in the store"))
    rival = next((e for e in siblings if e.item.owner != rrset.owner), None)
    if rival is not None:
        out.append(Reason("owner", f"{rrset.name} is also claimed by {rival.item.owner} at {rival.path}"))
    others = {s.rtype: s for s in stored} | {e.item.rtype: e.item for e in siblings}
    others.pop(rrset.rtype, None)
    return out + placement_problems(rrset, zone, others.values())


def _record_steps(seed: SeedFile, current: Current, reasons: list[Reason]) -> tuple[list[Step], int]:
    zones = set(current.zones) | {e.item.name for e in seed.zones} | seed.broken
    pools = set(current.pools) | {e.item.name for e in seed.pools}
    steps: list[Step] = []
    kept = 0
    reasons += _pool_problems(seed, pools)
    for entry in seed.records:
        rrset = entry.item
        zone = find_zone(rrset.name, zones)
        stored = current.rrsets.get(rrset.name, ())
        siblings = [e for e in seed.records if e.item.name == rrset.name and e is not entry]
        problems = _record_problems(rrset, zone, stored, siblings, seed.broken)
        reasons += [Reason(f"{entry.path}.{p.field}", p.message) for p in problems]
        if problems or zone is None or zone in seed.broken or any(p not in pools for p in rrset.pools):
            continue
        have = next((s for s in stored if s.rtype == rrset.rtype), None)
        if have is not None and have.content() == rrset.content():
            kept += 1
        else:
            action = CREATE if have is None else UPDATE
            steps.append(Step(action, replace(rrset, zone=zone), have, entry.path))
    return steps, kept


def _same_zone(a: Zone, b: Zone) -> bool:
    return replace(a, serial=0) == replace(b, serial=0)


def plan_seed(seed: SeedFile, current: Current) -> tuple[SeedPlan, list[Reason]]:
    """The plan for ``seed`` over ``current`` and every problem found; apply it only if none."""
    reasons = _duplicates(seed.views, lambda v: v.name, "view")
    reasons += _duplicates(seed.pools, lambda p: p.name, "pool")
    reasons += _duplicates(seed.zones, lambda z: z.name, "zone")
    reasons += _duplicates(seed.records, lambda r: (r.name, r.rtype), "record")
    views, view_notes = _missing(seed.views, current.views, lambda a, b: a == b, "view")
    if not any(r.field.startswith("views[") for r in reasons):
        reasons += _view_problems(seed, current, views)
    pools, pool_notes = _missing(seed.pools, current.pools, lambda a, b: a == b, "pool")
    zones, zone_notes = _missing(seed.zones, current.zones, _same_zone, "zone")
    steps, kept = _record_steps(seed, current, reasons)
    counts = {
        "views": len(seed.views) - len(views),
        "pools": len(seed.pools) - len(pools),
        "zones": len(seed.zones) - len(zones),
        "records": kept,
    }
    notes = tuple(view_notes + pool_notes + zone_notes)
    plan = SeedPlan(tuple(pools), tuple(zones), tuple(steps), counts, notes, tuple(views))
    return plan, reasons
