"""Plans: what to create, update and delete at a provider so it holds the desired records.

Ownership rules (the provider is shared with people using its console):

* a record is dnsd's when its remark is this instance's marker (:func:`records.marker`); only
  those are ever updated or deleted;
* records without the marker at a name and type where dnsd wants an RRset (a *shared* RRset):
  dnsd manages the values it owns (by remark) and leaves the console's values alone. A console
  value dnsd also wants is not created twice; a console value dnsd does not want is served
  next to dnsd's values, so it is reported as a ``shared`` conflict (say, the old VIP of a pool
  that moved), never silently;
* an unmarked record that excludes dnsd's RRset (a CNAME against anything at the name) is an
  ``exclusive`` conflict: dnsd's values there cannot be published (its own records at the name,
  if any, stay as they are: *frozen*, and reported with the values they still serve);
* ``adopt`` takes the records of either kind of conflict over (re-marks, rewrites or deletes them);
* an RRset is one name, type and line (``RecordLine``): lines are planned apart. Records on
  lines dnsd does not publish are never looked at, unless they carry dnsd's marker (a line no
  longer mapped from a view: dnsd deletes its records there); nor are the apex NS records the
  provider manages (``DefaultNS``).

Value changes reuse the record (one modify call) instead of a delete and a create.

A :class:`ZonePlan` lists provider rows; :func:`as_plan` gives it the shape every planner
shares (:class:`~dnsd.domain.plan.Plan`): a :class:`ProviderStep` per provider call, the
call itself attached, and a :class:`~dnsd.domain.plan.Problem` per conflict. The reports count
from that shape; the brake (:class:`~dnsd.domain.plan.DeleteBrake`) weighs the updates and
deletes of dnsd's own records against how many it had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from dnsd.domain.names import absolutize
from dnsd.domain.plan import DeleteBrake, Plan, Problem, Skip, Step
from dnsd.domain.records import RRset
from dnsd.sync.desired import DesiredZone, Skipped
from dnsd.sync.records import DEFAULT_LINE, RecordSpec, RemoteRecord

RRKey = tuple[str, str, str]  # (subdomain, type, line)
T = TypeVar("T", RecordSpec, RemoteRecord)


@dataclass(frozen=True, slots=True)
class RecordChange:
    """One provider call: ``create`` (``new``), ``update`` (``old`` -> ``new``) or ``delete`` (``old``)."""

    action: str
    zone: str
    subdomain: str
    rtype: str
    new: RecordSpec | None = None
    old: RemoteRecord | None = None
    why: str = ""
    line: str = DEFAULT_LINE


SHARED, EXCLUSIVE = "shared", "exclusive"


@dataclass(frozen=True, slots=True)
class PlanConflict:
    """Records without dnsd's marker standing where dnsd wants an RRset.

    ``kind`` ``shared``: ``held`` are console values of the same type dnsd does not want; they are
    served next to dnsd's values, which dnsd still manages. ``exclusive``: ``held`` (a CNAME, or
    anything next to a wanted CNAME) keeps dnsd's ``wanted`` values off the provider; ``frozen``
    are dnsd's own records at the name and type, left serving what they served.
    """

    zone: str
    subdomain: str
    rtype: str
    held: tuple[RemoteRecord, ...]
    wanted: tuple[RecordSpec, ...]
    kind: str = EXCLUSIVE
    frozen: tuple[RemoteRecord, ...] = ()
    line: str = DEFAULT_LINE

    def describe(self) -> str:
        """One line naming what the public answer holds that dnsd does not want."""
        name = f"{self.subdomain} {self.rtype}" + (
            f" (line {self.line})" if self.line != DEFAULT_LINE else ""
        )
        console = ", ".join(f"{r.rtype} {r.show()} (id {r.id})" for r in self.held)
        if self.kind == SHARED:
            return f"{name}: console records {console} are served next to dnsd's values"
        frozen = ", ".join(r.show() for r in self.frozen)
        wanted = ", ".join(w.show() for w in self.wanted)
        still = f"; dnsd's records still serve {frozen}" if frozen else ""
        return f"{name}: held by console records {console}; dnsd wants {wanted}, not published{still}"


# The brake on a zone's updates and deletes: the one every planner shares.
SafetyLimits = DeleteBrake


@dataclass(frozen=True, slots=True)
class ZonePlan:
    """The changes for one zone. ``managed`` counts dnsd's records before the plan, ``touched``
    those it updates or deletes (the safety limit's measure), ``own_changes`` adds the creates
    where nothing foreign stood (drift's measure); ``fingerprint`` is the desired state's hash."""

    zone: str
    creates: tuple[RecordChange, ...] = ()
    updates: tuple[RecordChange, ...] = ()
    deletes: tuple[RecordChange, ...] = ()
    conflicts: tuple[PlanConflict, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    unchanged: int = 0
    managed: int = 0
    touched: int = 0
    own_changes: int = 0
    fingerprint: str = ""
    desired: tuple[RecordSpec, ...] = ()

    @property
    def changes(self) -> tuple[RecordChange, ...]:
        """Every call in the order they must run: deletes before updates before creates, and
        creates on the default line first (DNSPod wants one there before other lines)."""
        creates = tuple(sorted(self.creates, key=lambda c: c.line != DEFAULT_LINE))
        return self.deletes + self.updates + creates

    def unsafe(self, limits: SafetyLimits) -> str | None:
        """Why applying this plan needs ``--force``, or None."""
        why = limits.reason("plan updates or deletes", self.touched, self.managed)
        return None if why is None else f"{why}; use --force to apply it"


@dataclass(frozen=True, slots=True)
class ProviderStep(Step):
    """A :class:`~dnsd.domain.plan.Step` at a provider: one record (a one-value RRset: name,
    type and TTL; the value is the record's) and the provider ``call`` that makes it so. ``old``
    is the record before, owned by its remark (dnsd's marker when it is dnsd's)."""

    call: RecordChange | None = None


def _rrset(zone: str, record: RecordSpec | RemoteRecord, owner: str = "") -> RRset:
    return RRset(absolutize(record.subdomain, zone), record.rtype, record.ttl, owner=owner, zone=zone)


def as_plan(plan: ZonePlan) -> Plan:
    """``plan`` in the shape every planner shares (see the module docstring). Its
    ``unchanged`` stays a count on the :class:`ZonePlan`: the provider rows already right are
    not kept."""
    zone = plan.zone
    steps: list[Step] = []
    for call in plan.changes:
        record = call.new or call.old  # a delete's subject is the record it deletes
        if record is None:
            continue
        old = _rrset(zone, call.old, call.old.remark) if call.old is not None else None
        new = _rrset(zone, record)
        label = f"record {call.old.id}" if call.old is not None else "new record"
        steps.append(ProviderStep(call.action, new, old, label, call))
    problems = tuple(
        Problem(zone, f"{c.subdomain} {c.rtype}", c.describe(), absolutize(c.subdomain, zone), "console")
        for c in plan.conflicts
    )
    skipped = tuple(Skip(zone, s.name, f"{s.rtype}: {s.reason}") for s in plan.skipped)
    return Plan(tuple(steps), (), problems, skipped)


@dataclass
class _Builder:
    zone: str
    mark: str
    creates: list[RecordChange] = field(default_factory=list)
    updates: list[RecordChange] = field(default_factory=list)
    deletes: list[RecordChange] = field(default_factory=list)
    contested: set[RRKey] = field(default_factory=set)
    unchanged: int = 0

    def change(
        self, action: str, key: RRKey, new: RecordSpec | None, old: RemoteRecord | None, why: str
    ) -> None:
        target = {"create": self.creates, "update": self.updates, "delete": self.deletes}[action]
        if new is not None and old is not None and new.weight is None and old.weight:
            new = replace(new, weight=0)  # DNSPod keeps a weight that is not sent; 0 turns it off
        target.append(RecordChange(action, self.zone, key[0], key[1], new, old, why, key[2]))

    def touched(self) -> int:
        """Records that were dnsd's before this plan and that it updates or deletes."""
        return sum(1 for c in self.updates + self.deletes if c.old is not None and c.old.remark == self.mark)

    def own_changes(self) -> int:
        """Changes to dnsd's own records: :meth:`touched`, plus creates where nothing foreign stood."""
        return self.touched() + sum(
            1 for c in self.creates if (c.subdomain, c.rtype, c.line) not in self.contested
        )


def _group(records: Iterable[T]) -> dict[RRKey, list[T]]:
    out: dict[RRKey, list[T]] = defaultdict(list)
    for record in records:
        out[(record.subdomain.lower(), record.rtype, record.line)].append(record)
    return out


def _blockers(key: RRKey, foreign: dict[RRKey, list[RemoteRecord]]) -> list[RemoteRecord]:
    """Foreign records that clash with an RRset at ``key`` (same type, or CNAME exclusivity,
    on the same line)."""
    sub, rtype, line = key
    out: list[RemoteRecord] = []
    for (fsub, ftype, fline), records in sorted(foreign.items()):
        if fsub == sub and fline == line and (ftype == rtype or "CNAME" in (rtype, ftype)):
            out += records
    return out


def _update_reason(want: RecordSpec, have: RemoteRecord, mark: str) -> str:
    reasons = []
    if have.remark != mark:
        reasons.append(f"adopt (remark {have.remark!r})")
    if have.key != want.key:
        reasons.append(f"value {have.show()} -> {want.show()}")
    if have.ttl != want.ttl:
        raised = f" (plan minimum; dnsd's TTL is {want.asked_ttl})" if want.asked_ttl is not None else ""
        reasons.append(f"ttl {have.ttl} -> {want.ttl}{raised}")
    if (have.weight or None) != want.weight:
        reasons.append(f"weight {have.weight or '-'} -> {want.weight or '-'}")
    if have.status != "ENABLE":
        reasons.append(f"status {have.status} -> ENABLE")
    return ", ".join(reasons)


def _plan_rrset(b: _Builder, key: RRKey, wanted: list[RecordSpec], held: list[RemoteRecord]) -> None:
    """Match held records to wanted ones by value; reuse leftovers for new values; delete the rest."""
    mark = b.mark
    by_value: dict[str, RemoteRecord] = {}
    for record in sorted(held, key=lambda r: (r.remark != mark, r.id)):  # dnsd's own, oldest first
        by_value.setdefault(record.key, record)
    leftover_want: list[RecordSpec] = []
    used: set[int] = set()
    for want in sorted(wanted, key=lambda w: w.key):
        have = by_value.get(want.key)
        if have is None or have.id in used:
            leftover_want.append(want)
            continue
        used.add(have.id)
        reason = _update_reason(want, have, mark)
        if reason:
            b.change("update", key, want, have, reason)
        else:
            b.unchanged += 1
    leftover_held = sorted((r for r in held if r.id not in used), key=lambda r: (r.key, r.id))
    for want, have in zip(leftover_want, leftover_held, strict=False):
        b.change("update", key, want, have, _update_reason(want, have, mark))
    for want in leftover_want[len(leftover_held) :]:
        b.change("create", key, want, None, ", ".join(filter(None, ["new value", want.ttl_note()])))
    for have in leftover_held[len(leftover_want) :]:
        b.change("delete", key, None, have, "adopted, not wanted" if have.remark != mark else "not wanted")


def _plan_shared(
    b: _Builder, key: RRKey, wanted: list[RecordSpec], own: list[RemoteRecord], blockers: list[RemoteRecord]
) -> PlanConflict | None:
    """An RRset with console records in it (no ``adopt``): see the module's ownership rules."""
    sub, rtype, line = key
    exclusive = [r for r in blockers if r.rtype != rtype]
    if exclusive:
        return PlanConflict(b.zone, sub, rtype, tuple(exclusive), tuple(wanted), EXCLUSIVE, tuple(own), line)
    console = {r.key for r in blockers}
    _plan_rrset(b, key, [w for w in wanted if w.key not in console], own)
    keys = {w.key for w in wanted}
    unwanted = tuple(r for r in blockers if r.key not in keys)
    if not unwanted:
        return None
    return PlanConflict(b.zone, sub, rtype, unwanted, tuple(wanted), SHARED, (), line)


def plan_zone(
    desired: DesiredZone, remote: Iterable[RemoteRecord], mark: str, adopt: bool = False
) -> ZonePlan:
    """Compare the desired records of a zone with the provider's and list the changes."""
    lines = desired.lines | {DEFAULT_LINE}
    visible = [r for r in remote if not r.default_ns and (r.line in lines or r.remark == mark)]
    managed = [r for r in visible if r.remark == mark]
    foreign = _group(r for r in visible if r.remark != mark)
    wanted = _group(desired.records)
    held = _group(managed)
    b = _Builder(desired.zone, mark)
    conflicts: list[PlanConflict] = []
    for key in sorted(set(wanted) | set(held)):
        blockers = _blockers(key, foreign) if key in wanted else []
        if blockers and not adopt:
            conflict = _plan_shared(b, key, wanted[key], held.get(key, []), blockers)
            if conflict is not None:
                conflicts.append(conflict)
            continue
        if blockers:
            b.contested.add(key)
        same_type = [r for r in blockers if r.rtype == key[1]]
        for other in (r for r in blockers if r.rtype != key[1]):
            b.change(
                "delete", (key[0], other.rtype, key[2]), None, other, f"adopted, {key[1]} wanted at the name"
            )
        _plan_rrset(b, key, wanted.get(key, []), held.get(key, []) + same_type)
    b.deletes = _unique(b.deletes)
    return ZonePlan(
        desired.zone, tuple(b.creates), tuple(b.updates), tuple(b.deletes), tuple(conflicts),
        desired.skipped, b.unchanged, len(managed), b.touched(), b.own_changes(), desired.fingerprint,
        desired.records,
    )  # fmt: skip


def _unique(changes: list[RecordChange]) -> list[RecordChange]:
    """A foreign CNAME blocking several wanted types is deleted once."""
    seen: set[int] = set()
    out = []
    for change in changes:
        ident = change.old.id if change.old else -1
        if ident not in seen:
            seen.add(ident)
            out.append(change)
    return out
