"""``/shifts``: progressive, checked, reversible moves of records to a pool (docs/steering.md).

The leader takes the steps; these routes start, list and control shifts. A write token may
shift the names of its zones; a selector (``owner``, ``pool``) needs an admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.auth import Caller, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.schemas import Body, Integer
from dnsd.domain.names import name_problems
from dnsd.domain.shifts import Shift, check_steps, parse_duration

router = APIRouter(prefix="/shifts", tags=["shifts"], dependencies=[Depends(authenticate)])


class ShiftIn(Body):
    names: list[str] | None = Field(None, examples=[["www.hello-web.com"]], description="records to shift")
    owner: str | None = Field(None, description="or: every pool record of this owner")
    pool: str | None = Field(None, description="or: every record now on this pool")
    to: str = Field(examples=["istio-ingressgateway"], description="the target pool")
    steps: list[Integer] = Field([5, 25, 50, 100], description="percent on the target, ending at 100")
    every: float | str = Field(600, description="seconds (or '10m') each step runs before the next")


class ShiftRecordOut(BaseModel):
    zone: str
    name: str
    type: str
    original: dict[str, int]


class ShiftOut(BaseModel):
    id: int
    status: str
    to: str
    steps: list[int]
    every: float
    step: int
    percent: int
    next_at: dt.datetime | None
    reason: str
    actor: str
    records: list[ShiftRecordOut]
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, shift: Shift) -> ShiftOut:
        records = [
            ShiftRecordOut(
                zone=r.zone, name=r.name, type=r.rtype, original={t.pool: t.weight for t in r.original}
            )
            for r in shift.records
        ]
        return cls(
            id=shift.id, status=shift.status, to=shift.target, steps=list(shift.steps), every=shift.every,
            step=shift.step_index, percent=shift.percent, next_at=shift.next_at, reason=shift.reason,
            actor=shift.actor, records=records, history=list(shift.history),
        )  # fmt: skip


class ShiftList(BaseModel):
    items: list[ShiftOut]


@router.post("", status_code=201, responses=documented(401, 403, 409, 503))
def start_shift(body: ShiftIn, caller: Caller, store: StoreDep) -> ShiftOut:
    """Start a shift; the leader checks the route and takes the first step at once."""
    every = parse_duration(body.every) if isinstance(body.every, str) else body.every
    steps, seconds = check_steps(body.steps, every)
    names = [name_problems(n, strict=False)[0] for n in body.names or []]
    if names:
        caller.require_records_write(store, names)
    else:
        caller.require_admin()
    shift = store.create_shift(
        body.to, steps, seconds, caller.actor, names=names, owner=body.owner, pool=body.pool
    )
    return ShiftOut.of(shift)


@router.get("", responses=documented(401, 503))
def list_shifts(store: StoreDep, active: bool = False) -> ShiftList:
    return ShiftList(items=[ShiftOut.of(s) for s in store.list_shifts(active=active)])


@router.get("/{shift_id}", responses=documented(401, 404, 503))
def get_shift(shift_id: int, store: StoreDep) -> ShiftOut:
    """One shift with the history of each step."""
    return ShiftOut.of(store.get_shift(shift_id))


@router.post("/{shift_id}/{action}", responses=documented(401, 403, 404, 503))
def control_shift(
    shift_id: int, action: Literal["pause", "resume", "abort"], caller: Caller, store: StoreDep
) -> ShiftOut:
    """Pause, resume, or abort (the records go back to their original targets)."""
    shift = store.get_shift(shift_id)
    caller.require_records_write(store, [r.name for r in shift.records])
    return ShiftOut.of(store.control_shift(shift_id, action, caller.actor))
