"""Checks between the entries of a dump (pure): duplicates, references, and the rules that hold
between RRsets (one owner per name, CNAME alone), as the store enforces them one write at a time."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.k8s import MappingEntry
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, Pool
from dnsd.domain.records import RRset, find_zone, placement_problems
from dnsd.domain.views import View, make_views
from dnsd.domain.zones import Zone

T = TypeVar("T")
Placed = tuple[str, T]  # (path in the document, entry)


def duplicates(entries: Sequence[Placed[T]], key: Callable[[T], Hashable], what: str) -> list[Reason]:
    """A reason for every entry whose ``key`` an earlier entry already has."""
    seen: dict[Hashable, str] = {}
    reasons = []
    for path, item in entries:
        first = seen.setdefault(key(item), path)
        if first != path:
            reasons.append(Reason(f"{path}.name" if what != "mapping" else f"{path}.key",
                                  f"{what} {key(item)} is already at {first}"))  # fmt: skip
    return reasons


def record_problems(
    records: Sequence[Placed[RRset]], zones: Iterable[str], pools: Iterable[str]
) -> list[Reason]:
    """Every record in the zone it belongs to, on a pool of the dump, once, one owner per name,
    and placed as the store would allow (CNAME alone, no CNAME or NS at the apex)."""
    zone_names, pool_names = set(zones), set(pools)
    reasons = duplicates(records, lambda r: f"{r.name}/{r.rtype}", "record")
    by_name: dict[str, list[Placed[RRset]]] = {}
    for path, rrset in records:
        expected = find_zone(rrset.name, zone_names)
        if expected is None:
            reasons.append(Reason(f"{path}.name", f"no zone of this dump contains {rrset.name}"))
        elif rrset.zone != expected:
            reasons.append(
                Reason(f"{path}.zone", f"{rrset.name} belongs in zone {expected}, not {rrset.zone!r}")
            )
        if rrset.pool is not None and rrset.pool not in pool_names:
            reasons.append(Reason(f"{path}.pool", f"pool {rrset.pool!r} is not in this dump"))
        by_name.setdefault(rrset.name, []).append((path, rrset))
    for placed in by_name.values():
        reasons += _at_one_name(placed)
    return reasons


def _at_one_name(placed: Sequence[Placed[RRset]]) -> list[Reason]:
    first_path, first = placed[0]
    reasons = []
    for path, rrset in placed:
        if rrset.owner != first.owner:
            message = f"{first_path} gives {rrset.name} to {first.owner}; a name has one owner"
            reasons.append(Reason(f"{path}.owner", message))
        others = [o for _, o in placed if o.rtype != rrset.rtype]
        reasons += [
            Reason(f"{path}.{r.field}", r.message) for r in placement_problems(rrset, rrset.zone, others)
        ]
    return reasons


def cross_problems(
    zones: Sequence[Placed[Zone]],
    pools: Sequence[Placed[Pool]],
    records: Sequence[Placed[RRset]],
    mappings: Sequence[Placed[MappingEntry]],
    declared: tuple[set[str], set[str]],
) -> list[Reason]:
    """Every problem between entries. ``declared`` holds the zone and pool names the document
    declares, sound or not, so an entry with a problem does not also break everything naming it."""
    zone_names, pool_names = declared
    reasons = duplicates(zones, lambda z: z.name, "zone") + duplicates(pools, lambda p: p.name, "pool")
    reasons += record_problems(records, zone_names, pool_names)
    reasons += duplicates(mappings, lambda m: f"{m.kind} {m.key}".strip(), "mapping")
    reasons += [
        Reason(f"{path}.pool", f"pool {m.pool!r} is not in this dump")
        for path, m in mappings
        if m.pool not in pool_names
    ]
    return reasons


def view_problems(
    views: Sequence[Placed[View]],
    view_names: set[str],
    pools: Sequence[Placed[Pool]],
    records: Sequence[Placed[RRset]],
    pool_names: set[str],
) -> list[Reason]:
    """Views declared once and not overlapping; every view a pool or record names declared, and
    every weighted target's pool in the dump."""
    reasons = duplicates(views, lambda v: v.name, "view")
    try:
        make_views([(v.name, v.networks) for _, v in views])
    except InvalidInput as exc:
        for r in exc.reasons:
            index = r.field.split(".")[1]
            if r.field.endswith(".networks") and index.isdigit():
                reasons.append(Reason(f"{views[int(index)][0]}.networks", r.message))
    known = view_names | {DEFAULT_VIEW, PUBLIC_VIEW}
    for path, pool in pools:
        reasons += [
            Reason(f"{path}.members.{v}", f"view {v!r} is not in this dump")
            for v in pool.views
            if v not in known
        ]
    for path, rrset in records:
        reasons += [
            Reason(f"{path}.views.{i}", f"view {v!r} is not in this dump")
            for i, v in enumerate(rrset.views)
            if v not in known
        ]
        if rrset.targets:
            reasons += [
                Reason(f"{path}.targets.{i}.pool", f"pool {t.pool!r} is not in this dump")
                for i, t in enumerate(rrset.targets)
                if t.pool not in pool_names and i > 0
            ]
    return reasons
