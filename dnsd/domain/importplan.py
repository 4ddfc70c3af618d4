"""Planning a zone-file import: what a file asks for against what the store holds. Pure.

Per RRset the plan says ``add`` (new), ``change`` (same owner, other content), ``unchanged``
(same TTL and the same answer, a pool reference counting as the addresses it expands to, so an
exported file imports as a no-op whoever owns the records), or ``conflict`` (another owner holds
the name, or the RRset cannot stand next to what is at the name). RRsets the store has and the
file does not are left alone: an import adds and updates, it never deletes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset, placement_problems
from dnsd.domain.snapshot import expand
from dnsd.domain.zones import Zone, serial_gt

ADD, CHANGE, UNCHANGED, CONFLICT = "add", "change", "unchanged", "conflict"
ZONE_FIELDS = ("ns", "mname", "rname", "refresh", "retry", "expire", "minimum", "ttl")


@dataclass(frozen=True, slots=True)
class ZoneFileData:
    """What a zone file asks for: the zone (SOA fields, apex NS, and the file's serial) and its
    other RRsets (all owned by the importing owner), with the first line of each RRset and the
    notes made while reading (``"line N: message"``)."""

    zone: Zone
    rrsets: tuple[RRset, ...]
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanItem:
    action: str
    new: RRset
    line: int = 0
    old: RRset | None = None
    holder: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """The plan for one zone. ``zone_changes`` maps a zone field to (current, file) values;
    ``serial_floor`` is the file's serial when it is newer than the store's (or the zone is
    new): the applied serial must go past it so secondaries that hold it still transfer."""

    zone: Zone
    create_zone: bool
    zone_changes: Mapping[str, tuple[object, object]]
    serial_floor: int | None
    items: tuple[PlanItem, ...]
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    @property
    def clean(self) -> bool:
        """True when nothing conflicts, so the plan may be applied."""
        return self.count(CONFLICT) == 0

    @property
    def writes(self) -> bool:
        """True when applying the plan changes anything."""
        return (
            self.create_zone
            or bool(self.zone_changes)
            or any(item.action in (ADD, CHANGE) for item in self.items)
        )


def _zone_changes(current: Zone, wanted: Zone) -> dict[str, tuple[object, object]]:
    changes: dict[str, tuple[object, object]] = {}
    for key in ZONE_FIELDS:
        old, new = getattr(current, key), getattr(wanted, key)
        same = set(old) == set(new) if key == "ns" else old == new  # NS order means nothing in DNS
        if not same:
            changes[key] = (old, new)
    return changes


def answers(rrset: RRset, pools: Mapping[str, Pool]) -> tuple[int, frozenset[str]]:
    """TTL and rdata texts an RRset answers with (pool references expanded)."""
    return rrset.ttl, frozenset(r.to_text() for r in expand(rrset, pools))


def _item(new: RRset, line: int, existing: Sequence[RRset], pools: Mapping[str, Pool]) -> PlanItem:
    old = next((r for r in existing if r.rtype == new.rtype), None)
    if old is not None and answers(old, pools) == answers(new, pools):
        return PlanItem(UNCHANGED, new, line, old)
    holder = next((r.owner for r in existing if r.owner != new.owner), None)
    if holder is not None:
        return PlanItem(CONFLICT, new, line, old, holder, f"{new.name} is held by {holder}")
    return PlanItem(ADD if old is None else CHANGE, new, line, old)


def plan_import(
    data: ZoneFileData,
    current: Zone | None,
    current_rrsets: Sequence[RRset],
    pools: Mapping[str, Pool],
) -> ImportPlan:
    """Compare the file with the store's zone (``current`` None when it does not exist yet)."""
    by_name: dict[str, list[RRset]] = {}
    for rrset in current_rrsets:
        by_name.setdefault(rrset.name, []).append(rrset)
    wanted_types: dict[str, set[str]] = {}
    for rrset in data.rrsets:
        wanted_types.setdefault(rrset.name, set()).add(rrset.rtype)
    items = []
    for rrset in data.rrsets:
        line = data.lines.get((rrset.name, rrset.rtype), 0)
        existing = by_name.get(rrset.name, [])
        item = _item(rrset, line, existing, pools)
        if item.action in (ADD, CHANGE):
            kept = [r for r in existing if r.rtype not in wanted_types[rrset.name]]
            problems = placement_problems(rrset, data.zone.name, kept)
            if problems:
                reason = "; ".join(p.message for p in problems)
                item = PlanItem(CONFLICT, rrset, line, item.old, None, reason)
        items.append(item)
    newer = current is None or serial_gt(data.zone.serial, current.serial)
    return ImportPlan(
        zone=data.zone,
        create_zone=current is None,
        zone_changes={} if current is None else _zone_changes(current, data.zone),
        serial_floor=data.zone.serial if newer else None,
        items=tuple(items),
        warnings=data.warnings,
        skipped=data.skipped,
    )
