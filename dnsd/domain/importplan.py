"""Planning a zone-file import: what a file asks for against what the store holds. Pure.

The plan is the shared :class:`~dnsd.domain.plan.Plan` of the file's RRsets, in the import's
words per RRset: ``add`` (a create step), ``change`` (an update step, ``old`` what it replaces),
``unchanged`` (same TTL and the same answer, a pool reference counting as the addresses it
expands to, so an exported file imports as a no-op whoever owns the records), or ``conflict``
(a :class:`~dnsd.domain.plan.Problem` naming the ``holder`` when another owner holds the name,
or saying why the RRset cannot stand next to what is at the name). Each step's ``label`` is
where the RRset starts in the file (``line 12``).

RRsets the store has and the file does not are left alone: an import adds and updates, it never
deletes, so it has no delete brake (:class:`~dnsd.domain.plan.DeleteBrake` counts deletes, and
a plan with none never trips it; an update replaces an RRset's values the way the Kubernetes
planner's updates do, which its brake does not count either).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dnsd.domain.plan import CREATE, UPDATE, Plan, Problem, Step
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
    notes made while reading (``"line N: message"``). ``lines[i]`` is where ``rrsets[i]`` starts
    (a tuple beside the RRsets, not a dict by name and type: 100 bytes less per RRset of a
    million-line file)."""

    zone: Zone
    rrsets: tuple[RRset, ...]
    lines: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One RRset of the file in the import's words (a row of the printed plan), read off the
    :class:`Plan`: ``add`` is a create step, ``change`` an update, ``conflict`` a problem."""

    action: str
    new: RRset
    line: int = 0
    old: RRset | None = None
    holder: str | None = None
    reason: str = ""


def _label(line: int) -> str:
    return f"line {line}" if line else ""


def _line(label: str) -> int:
    return int(label.removeprefix("line ")) if label else 0


_ACTIONS = {CREATE: ADD, UPDATE: CHANGE}


def _step_line(step: Step) -> int:
    return _line(step.label)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """The plan for one zone. ``zone_changes`` maps a zone field to (current, file) values;
    ``serial_floor`` is the file's serial when it is newer than the store's (or the zone is
    new): the applied serial must go past it so secondaries that hold it still transfer.

    ``plan`` is the shared :class:`Plan` of the file's RRsets: a create or update step per
    RRset to write (``label`` ``line N``: where the RRset starts in the file), the RRsets
    already served in ``unchanged``, and a :class:`Problem` per conflict (its refused step
    attached). ``kept`` are the unchanged RRsets as steps with their line and what stands.
    """

    zone: Zone
    create_zone: bool
    zone_changes: Mapping[str, tuple[object, object]]
    serial_floor: int | None
    plan: Plan
    kept: tuple[Step, ...] = ()
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    @property
    def items(self) -> tuple[PlanItem, ...]:
        """Every RRset of the file in file order, in the import's words."""
        rows = [PlanItem(_ACTIONS[s.action], s.rrset, _line(s.label), s.old) for s in self.plan.steps]
        rows += [PlanItem(UNCHANGED, s.rrset, _line(s.label), s.old) for s in self.kept]
        refused = [(p, p.step) for p in self.plan.problems if p.step is not None]  # all of them
        rows += [PlanItem(CONFLICT, s.rrset, _line(s.label), s.old, p.holder, p.message) for p, s in refused]
        return tuple(sorted(rows, key=lambda row: row.line))

    def listed(self, limit: int | None) -> tuple[PlanItem, ...]:
        """What the printed plan lists, in file order: every conflict, and the adds and changes
        (all of them, or the first ``limit`` in file order) without building an item per RRset
        of a million-line file."""
        steps = self.plan.steps if limit is None else sorted(self.plan.steps, key=_step_line)[:limit]
        rows = [PlanItem(_ACTIONS[s.action], s.rrset, _line(s.label), s.old) for s in steps]
        refused = [(p, p.step) for p in self.plan.problems if p.step is not None]
        rows += [PlanItem(CONFLICT, s.rrset, _line(s.label), s.old, p.holder, p.message) for p, s in refused]
        return tuple(sorted(rows, key=lambda row: row.line))

    def count(self, action: str) -> int:
        if action == UNCHANGED:
            return len(self.plan.unchanged)
        if action == CONFLICT:
            return len(self.plan.problems)
        return self.plan.count({ADD: CREATE, CHANGE: UPDATE}.get(action, action))

    @property
    def clean(self) -> bool:
        """True when nothing conflicts, so the plan may be applied."""
        return not self.plan.problems

    @property
    def writes(self) -> bool:
        """True when applying the plan changes anything."""
        return self.create_zone or bool(self.zone_changes) or bool(self.plan.steps)


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


def _conflict(step: Step, holder: str | None, reason: str) -> Problem:
    return Problem(step.rrset.owner, step.label or "line", reason, step.rrset.name, holder, step)


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
    wanted_types: dict[str, set[str]] = {}  # only where something stands already
    for rrset in data.rrsets:
        if rrset.name in by_name:
            wanted_types.setdefault(rrset.name, set()).add(rrset.rtype)
    steps: list[Step] = []
    kept: list[Step] = []
    problems: list[Problem] = []
    for index, rrset in enumerate(data.rrsets):
        label = _label(data.lines[index] if index < len(data.lines) else 0)
        existing = by_name.get(rrset.name, [])
        old = next((r for r in existing if r.rtype == rrset.rtype), None)
        step = Step(CREATE if old is None else UPDATE, rrset, old, label)
        if old is not None and answers(old, pools) == answers(rrset, pools):
            kept.append(step)
            continue
        holder = next((r.owner for r in existing if r.owner != rrset.owner), None)
        if holder is not None:
            problems.append(_conflict(step, holder, f"{rrset.name} is held by {holder}"))
            continue
        kept_here = [r for r in existing if r.rtype not in wanted_types[rrset.name]] if existing else []
        placement = placement_problems(rrset, data.zone.name, kept_here)
        if placement:
            problems.append(_conflict(step, None, "; ".join(p.message for p in placement)))
            continue
        steps.append(step)
    newer = current is None or serial_gt(data.zone.serial, current.serial)
    return ImportPlan(
        zone=data.zone,
        create_zone=current is None,
        zone_changes={} if current is None else _zone_changes(current, data.zone),
        serial_floor=data.zone.serial if newer else None,
        plan=Plan(tuple(steps), tuple(s.rrset for s in kept), tuple(problems)),
        kept=tuple(kept),
        warnings=data.warnings,
        skipped=data.skipped,
    )
