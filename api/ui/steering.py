"""What the console shows of steering: each pool member's health per view (from ``GET
/pools/{name}``) and each shift's progress (from ``GET /shifts``), as the pages draw them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from api.member_health import MemberHealthOut, PoolDetailOut
from api.routes.pools import get_pool
from api.routes.shifts import ShiftOut, list_shifts
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW
from dnsd.domain.shifts import ORIGINAL, ShiftRecord, targets_at
from dnsd.domain.targets import Target
from dnsd.store.zonestore import ZoneStore

UNCHECKED = "unchecked"  # never probed (or the pool has no check): answers as up


@dataclass(frozen=True, slots=True)
class MemberState:
    view: str
    address: str
    state: str  # up, down or unchecked
    last_change: dt.datetime | None
    error: str


def _state(probes: list[MemberHealthOut]) -> tuple[str, dt.datetime | None, str]:
    if not probes:
        return UNCHECKED, None, ""
    down = [p for p in probes if p.state == "down"]
    changes = [p.last_change for p in probes if p.last_change is not None]
    return ("down" if down else "up"), max(changes, default=None), down[0].last_error if down else ""


def member_states(detail: PoolDetailOut, host: str = "") -> list[MemberState]:
    """Every member of the pool with its view and health. ``host``: a route-aware check's probe
    for that name counts (else any probe of the address: down if one is down)."""
    views = [(DEFAULT_VIEW, detail.addresses), (PUBLIC_VIEW, detail.external_addresses)]
    views += sorted(detail.members.items())
    out = []
    for view, addresses in views:
        for address in addresses:
            probes = [p for p in detail.health if p.address == address]
            if host and any(p.host == host for p in probes):
                probes = [p for p in probes if p.host == host]
            out.append(MemberState(view, address, *_state(probes)))
    return out


def pool_health(store: ZoneStore, pool: str, host: str = "") -> list[MemberState]:
    return member_states(get_pool(pool, store), host)


@dataclass(frozen=True, slots=True)
class ShiftRecordNow:
    name: str
    rtype: str
    weights: list[tuple[str, int]]  # the targets the record has at the shift's step


@dataclass(frozen=True, slots=True)
class ShiftProgress:
    shift: ShiftOut
    records: list[ShiftRecordNow]

    @property
    def step_text(self) -> str:
        """``step i of n`` (1-based; 0 before the first step)."""
        done = 0 if self.shift.step == ORIGINAL else self.shift.step + 1
        return f"step {done} of {len(self.shift.steps)}"

    @property
    def active(self) -> bool:
        return self.shift.status in ("running", "paused")


def progress(shift: ShiftOut) -> ShiftProgress:
    records = []
    for r in shift.records:
        record = ShiftRecord(r.zone, r.name, r.type, tuple(Target(p, w) for p, w in r.original.items()))
        now = targets_at(record, shift.to, shift.percent)
        records.append(ShiftRecordNow(r.name, r.type, [(t.pool, t.weight) for t in now]))
    return ShiftProgress(shift, records)


def shifts(
    store: ZoneStore, active: bool = False, sees: Callable[[str], bool] = lambda _: True
) -> list[ShiftProgress]:
    """The shifts with a record in a zone ``sees`` accepts, newest first."""
    listed = reversed(list_shifts(store, active=active).items)
    return [progress(s) for s in listed if any(sees(r.zone) for r in s.records) or not s.records]
