"""Where plans are read from and applied to: the store directly, or a dnsd over HTTP.

A :class:`RecordSink` offers the few reads a plan needs and the two writes it makes; both
implementations raise the domain errors (:class:`Conflict`, :class:`NotFound`,
:class:`InvalidInput`), so :func:`execute` treats them alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.k8s import SHIFT, PoolMapping
from dnsd.domain.plan import CREATE, DELETE, UPDATE, Plan, Problem, Step
from dnsd.domain.records import RRset
from dnsd.domain.shifts import ACTIVE
from dnsd.k8s.desired import Derivation
from dnsd.k8s.plan import Scope, make_plan
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.zonestore import ZoneStore


class RecordSink(Protocol):
    def zones(self) -> list[str]: ...

    def managed(self, scope: Scope) -> list[RRset]:
        """The existing records whose owners ``scope`` contains."""
        ...

    def at_names(self, names: Iterable[str]) -> list[RRset]:
        """Every existing record at these names, any owner and type."""
        ...

    def put(self, rrset: RRset) -> bool:
        """Make the RRset so (idempotent); True when something changed."""
        ...

    def delete(self, rrset: RRset) -> None:
        """Delete the record (as its owner); a record already gone is not an error."""
        ...


class ControllerSink(RecordSink, Protocol):
    """What the controller needs beyond a :class:`RecordSink`: the pool mapping and a place
    for the problems it reports."""

    def pool_mapping(self) -> PoolMapping: ...

    def replace_problems(
        self, prefixes: Sequence[str], problems: Iterable[Problem]
    ) -> tuple[list[Problem], list[Problem]]:
        """Make the stored problems under ``prefixes`` exactly ``problems``; (new, resolved)."""
        ...


class StoreSink:
    """Plans against, and writes to, the store; every write is one store transaction."""

    def __init__(self, store: ZoneStore, actor: str) -> None:
        self.store = store
        self.k8s = K8sOps(store.engine, store.limits)
        self.actor = actor

    def zones(self) -> list[str]:
        return [z.name for z in self.store.list_zones()]

    def managed(self, scope: Scope) -> list[RRset]:
        return [r for r in self.k8s.owned_rrsets(scope.prefixes) if scope.contains(r.owner)]

    def at_names(self, names: Iterable[str]) -> list[RRset]:
        return self.k8s.rrsets_at(names)

    def put(self, rrset: RRset) -> bool:
        return self.store.put_rrset(rrset, self.actor).changed

    def pool_mapping(self) -> PoolMapping:
        return self.k8s.pool_mapping()

    def replace_problems(
        self, prefixes: Sequence[str], problems: Iterable[Problem]
    ) -> tuple[list[Problem], list[Problem]]:
        return self.k8s.replace_problems(prefixes, problems)

    def start_shifts(self, plan: Plan, mapping: PoolMapping | None = None) -> Plan:
        """Moves onto a pool the mapping says to shift to (a ``shift`` entry) become shifts:
        the record keeps answering from its old pool (handed to the new owner when the plan
        deletes it for another object) and a shift to the new pool starts; the leader takes
        the steps. Updates of records a running (or rolled back, or aborted) shift moves to the desired
        pool are left to it. Returns the plan without the steps so taken over."""
        mapping = mapping if mapping is not None else self.pool_mapping()
        if not any(e.kind == SHIFT for e in mapping.entries):
            return plan
        shifts = self.store.list_shifts()
        active = {(r.name, r.rtype): s.target for s in shifts if s.status in ACTIVE for r in s.records}
        # a shift that rolled back or was aborted is not restarted by every resync: it waits
        # for a person (a manual `dnsd shift start`, or the shift entry removed for a hard move)
        for shift in (s for s in shifts if s.status in ("rolled_back", "aborted")):
            for record in shift.records:
                active.setdefault((record.name, record.rtype), shift.target)
        deleted = {(s.rrset.name, s.rrset.rtype): s.rrset for s in plan.steps if s.action == DELETE}
        moves: dict[tuple[str, str], tuple[RRset, RRset]] = {}
        for step in plan.steps:
            new, key = step.rrset, (step.rrset.name, step.rrset.rtype)
            old = step.old if step.action == UPDATE else deleted.get(key) if step.action == CREATE else None
            if new.pool is None or old is None or old.pool is None or old.pool_targets == new.pool_targets:
                continue
            if active.get(key) == new.pool or (key not in active and mapping.shift_for(new.pool)):
                moves[key] = (old, new)
        for key, (old, new) in sorted(moves.items()):
            if key in active:
                continue
            if old.owner != new.owner:
                self.store.hand_over(old, new.owner, self.actor)
        started = set()
        for key, (_old, new) in sorted(moves.items()):
            spec = mapping.shift_for(new.pool or "")
            if key in active or spec is None or new.name in started:
                continue
            self.store.create_shift(new.pool or "", spec[0], spec[1], self.actor, names=[new.name])
            started.add(new.name)
        steps = tuple(s for s in plan.steps if (s.rrset.name, s.rrset.rtype) not in moves)
        return replace(plan, steps=steps)

    def delete(self, rrset: RRset) -> None:
        assert rrset.id is not None, "records to delete come from the sink, with their id"
        with contextlib.suppress(NotFound):
            self.store.delete_rrset(rrset.id, self.actor, owner=rrset.owner)


def plan_against(sink: RecordSink, derivation: Derivation, scope: Scope) -> tuple[Plan, int]:
    """The plan for ``derivation`` against what ``sink`` holds, and how many records ``scope``
    manages now (for the safety check)."""
    managed = sink.managed(scope)
    names = {n.name for n in derivation.names} | {r.name for r in managed}
    plan = make_plan(derivation, sink.zones(), managed, sink.at_names(names), scope)
    return plan, len(managed)


@dataclass(slots=True)
class Outcome:
    applied: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _failure(step: Step, exc: Conflict | InvalidInput | NotFound) -> Problem:
    owner, name = step.rrset.owner, step.rrset.name
    if isinstance(exc, Conflict):
        return Problem(owner, "name", f"held by {exc.holder}; left alone", name, exc.holder or "unknown")
    if isinstance(exc, NotFound):
        return Problem(owner, exc.field or exc.kind, str(exc), name)
    return Problem(owner, ",".join(r.field for r in exc.reasons), str(exc), name)


def execute(plan: Plan, sink: RecordSink, mapping: PoolMapping | None = None) -> Outcome:
    """Apply the steps in order (deletes first). A step the sink refuses becomes a problem and
    the others go on; a store or network outage propagates (the caller retries the whole plan).
    Over the store, moves the ``mapping`` (default: the stored one) says to shift start shifts."""
    out = Outcome()
    if isinstance(sink, StoreSink):
        plan = sink.start_shifts(plan, mapping)
    for step in plan.steps:
        try:
            if step.action == DELETE:
                sink.delete(step.rrset)
            else:
                sink.put(step.rrset)
        except (Conflict, InvalidInput, NotFound) as exc:
            out.problems.append(_failure(step, exc))
        else:
            out.applied.append(step)
    return out
