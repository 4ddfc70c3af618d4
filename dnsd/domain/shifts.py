"""Shifts: a progressive, checked, reversible move of records to a target pool (pure).

A shift walks ``steps`` (percentages, ascending, ending at 100). Step ``i`` sets each record's
targets to ``{target: steps[i]}`` plus its original other pools scaled to ``100 - steps[i]``;
the last step (100) leaves the record on the target pool alone, a plain ``pool`` exactly as a
manual move would. Before each step the caller checks every name's route on the target
(an HTTP probe with Host = the name to each target member) and passes the failures in;
while a step runs it passes the names whose target members turned unhealthy. Any failure
rolls back to the last good step (the step before the current one; or the original targets)
and stops the shift. No I/O, no clock: times are arguments.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.targets import Mode, Target

Status = Literal["running", "paused", "completed", "rolled_back", "aborted"]
ACTIVE: tuple[Status, ...] = ("running", "paused")
ORIGINAL = -1  # step index meaning "the targets the records had before the shift"


@dataclass(frozen=True, slots=True)
class ShiftRecord:
    """A record a shift moves, with the targets it had before (to roll back to)."""

    zone: str
    name: str
    rtype: str
    original: tuple[Target, ...]
    mode: Mode = "hashed"


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    status: Status
    target: str
    steps: tuple[int, ...]
    every: float  # seconds each step runs before the next is checked
    step_index: int  # the step in effect (ORIGINAL: none yet)
    records: tuple[ShiftRecord, ...]
    next_at: dt.datetime | None  # when the next step is due (running only)
    reason: str = ""
    history: tuple[dict[str, Any], ...] = ()
    actor: str = ""

    @property
    def percent(self) -> int:
        """The target's share now (0 before the first step)."""
        return 0 if self.step_index == ORIGINAL else self.steps[self.step_index]


@dataclass(frozen=True, slots=True)
class Move:
    """What the caller must do: write ``step`` (an index, or ORIGINAL) to every record, then
    store ``shift``. ``step`` None: no record changes."""

    shift: Shift
    step: int | None


def check_steps(steps: Sequence[Any], every: Any) -> tuple[tuple[int, ...], float]:
    """Validate steps (integers 1..100, strictly ascending, the last 100) and ``every``
    (seconds, 0 to 7 days). :class:`InvalidInput` naming ``steps``/``every``."""
    reasons: list[Reason] = []
    ok = bool(steps) and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 100 for s in steps)
    if not ok:
        reasons.append(Reason("steps", "percentages from 1 to 100, like 5,25,50,100"))
    elif any(b <= a for a, b in itertools.pairwise(steps)) or steps[-1] != 100:
        reasons.append(Reason("steps", "must rise strictly and end at 100"))
    if isinstance(every, bool) or not isinstance(every, int | float) or not 0 <= every <= 7 * 86400:
        reasons.append(Reason("every", "seconds from 0 to 604800 (7 days)"))
    if reasons:
        raise InvalidInput(reasons)
    return tuple(int(s) for s in steps), float(every)


def parse_duration(text: str) -> float:
    """``"10m"`` -> 600.0; plain numbers are seconds; units s, m, h, d."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    scale = units.get(value[-1:], 0) if value else 0
    try:
        return float(value[:-1]) * scale if scale else float(value)
    except ValueError:
        raise InvalidInput([Reason("every", f"{text!r}: a duration like 30s, 10m, 1h")]) from None


def targets_at(record: ShiftRecord, target: str, percent: int) -> tuple[Target, ...]:
    """The record's targets with ``percent`` on ``target`` and its other weight > 0 pools
    sharing ``100 - percent`` in their original proportions (largest remainder, so the
    weights add up to 100). 0: the original targets; 100: the target alone."""
    if percent == 0:
        return record.original
    if percent == 100:
        return (Target(target, 1),)
    others = [t for t in record.original if t.pool != target and t.weight > 0]
    total = sum(t.weight for t in others)
    if not others:
        return (Target(target, 1),)
    rest = 100 - percent
    shares = [t.weight * rest / total for t in others]
    weights = [int(s) for s in shares]
    order = sorted(range(len(others)), key=lambda i: shares[i] - weights[i], reverse=True)
    for i in order[: rest - sum(weights)]:
        weights[i] += 1
    return (*(Target(t.pool, w) for t, w in zip(others, weights, strict=True)), Target(target, percent))


def _event(now: dt.datetime, event: str, shift: Shift, **extra: Any) -> dict[str, Any]:
    return {"at": now.isoformat(), "event": event, "step": shift.step_index, "percent": shift.percent} | extra


def _rolled_back(shift: Shift, now: dt.datetime, why: str) -> Move:
    back = max(ORIGINAL, shift.step_index - 1)
    write = None if shift.step_index == ORIGINAL else back
    done = replace(shift, status="rolled_back", step_index=back, next_at=None, reason=why)
    return Move(replace(done, history=(*shift.history, _event(now, "rolled_back", done, reason=why))), write)


def is_due(shift: Shift, now: dt.datetime) -> bool:
    """True when a running shift's next step is due."""
    return shift.status == "running" and (shift.next_at is None or now >= shift.next_at)


def advance(shift: Shift, now: dt.datetime, failures: Sequence[str]) -> Move:
    """The next step of a due, running shift, given the failures of the route check of that
    step (empty: every name routed by every target member)."""
    if failures:
        return _rolled_back(shift, now, "; ".join(failures))
    nxt = shift.step_index + 1
    last = nxt == len(shift.steps) - 1
    moved = replace(
        shift,
        step_index=nxt,
        status="completed" if last else "running",
        next_at=None if last else now + dt.timedelta(seconds=shift.every),
    )
    history = [*shift.history, _event(now, "step", moved)]
    if last:
        history.append(_event(now, "completed", moved))
    return Move(replace(moved, history=tuple(history)), nxt)


def watch(shift: Shift, now: dt.datetime, unhealthy: Sequence[str]) -> Move | None:
    """A running step whose target members turned unhealthy rolls back; None: all well."""
    if shift.status != "running" or shift.step_index == ORIGINAL or not unhealthy:
        return None
    return _rolled_back(shift, now, "target unhealthy during the step: " + "; ".join(unhealthy))


def control(shift: Shift, action: str, now: dt.datetime, actor: str) -> Move:
    """``pause``, ``resume`` or ``abort`` (back to the original targets) by ``actor``.
    :class:`InvalidInput` (field ``action``) when the shift's status does not allow it."""
    allowed = {"pause": ("running",), "resume": ("paused",), "abort": ACTIVE}
    if action not in allowed:
        raise InvalidInput([Reason("action", "one of pause, resume, abort")])
    if shift.status not in allowed[action]:
        raise InvalidInput([Reason("action", f"cannot {action} a shift that is {shift.status}")])
    if action == "pause":
        new, write = replace(shift, status="paused", next_at=None), None
    elif action == "resume":
        new, write = replace(shift, status="running", next_at=now + dt.timedelta(seconds=shift.every)), None
    else:
        new = replace(
            shift, status="aborted", step_index=ORIGINAL, next_at=None, reason=f"aborted by {actor}"
        )
        write = ORIGINAL if shift.step_index != ORIGINAL else None
    return Move(replace(new, history=(*shift.history, _event(now, action, new, actor=actor))), write)
