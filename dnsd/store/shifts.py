"""Shifts in the store: rows in ``shifts`` (state survives restarts), and each step written to
the records through the normal record write path (one change per record: audit log, serial,
IXFR, DNSPod plan). The decisions are :mod:`dnsd.domain.shifts`; the leader drives them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.records import RRset
from dnsd.domain.shifts import ACTIVE, ORIGINAL, Move, Shift, ShiftRecord, Status, control, targets_at
from dnsd.domain.targets import Target
from dnsd.store.base import MAX_INTEGER, check_integer, pool_key
from dnsd.store.convert import rrset_dict
from dnsd.store.records import RecordFilter, RecordOps
from dnsd.store.tables import PoolRow, RecordRow, ShiftRow, utcnow

SELECTORS = ("names", "owner", "pool")
MAX_RECORDS = 10_000


def _record_json(record: ShiftRecord) -> dict[str, Any]:
    return {
        "zone": record.zone, "name": record.name, "type": record.rtype, "mode": record.mode,
        "original": [[t.pool, t.weight] for t in record.original],
    }  # fmt: skip


def _shift_from_row(row: ShiftRow) -> Shift:
    records = tuple(
        ShiftRecord(
            r["zone"],
            r["name"],
            r["type"],
            tuple(Target(p, w) for p, w in r["original"]),
            "random" if r.get("mode") == "random" else "hashed",
        )
        for r in row.records
    )
    status: Status = row.status  # type: ignore[assignment]
    return Shift(
        row.id, status, row.target_pool, tuple(row.steps), row.every_seconds, row.step_index,
        records, row.next_at, row.reason, tuple(row.history or ()), row.actor,
    )  # fmt: skip


def shift_actor(shift: Shift) -> str:
    """Who the record changes of a shift's steps are by, in the change log."""
    return f"shift/{shift.id}"


class ShiftOps(RecordOps):
    def create_shift(
        self,
        target: str,
        steps: tuple[int, ...],
        every: float,
        actor: str,
        *,
        names: Sequence[str] = (),
        owner: str | None = None,
        pool: str | None = None,
    ) -> Shift:
        """Start a shift of the A/AAAA pool records selected by ``names``, ``owner`` or current
        ``pool`` (exactly one) to pool ``target``. :class:`InvalidInput` naming the field for a
        bad selector, an unknown target (``to``), names without pool records; :class:`Conflict`
        when a selected record is already in an active shift. The first step is due at once."""
        chosen = [k for k, v in (("names", names), ("owner", owner), ("pool", pool)) if v]
        if len(chosen) != 1:
            raise InvalidInput([Reason("names", "give exactly one of names, owner or pool")])
        with self.read() as session:
            if session.scalar(select(PoolRow.id).where(PoolRow.name == pool_key(target))) is None:
                raise InvalidInput([Reason("to", f"no pool named {target!r}")])
        records = self._selected(pool_key(target), names, owner, pool)
        busy = {(r.name, r.rtype) for s in self.list_shifts(active=True) for r in s.records}
        taken = [f"{r.name}/{r.rtype}" for r in records if (r.name, r.rtype) in busy]
        if taken:
            raise Conflict(f"already in an active shift: {', '.join(taken[:5])}")
        now = utcnow()
        with self.write() as session:
            row = ShiftRow(
                status="running", target_pool=pool_key(target), steps=list(steps), every_seconds=every,
                step_index=ORIGINAL, records=[_record_json(r) for r in records], next_at=now,
                reason="", history=[{"at": now.isoformat(), "event": "start", "step": ORIGINAL,
                                     "percent": 0, "actor": actor}], actor=actor,
            )  # fmt: skip
            session.add(row)
            session.flush()
            self.record_change(
                session, actor=actor, action="shift.start", subject=f"shift/{row.id}", deltas=[],
                after={"to": row.target_pool, "steps": list(steps), "every": every,
                       "records": [f"{r.name}/{r.rtype}" for r in records]},
            )  # fmt: skip
            return _shift_from_row(row)

    def _selected(
        self, target: str, names: Sequence[str], owner: str | None, pool: str | None
    ) -> list[ShiftRecord]:
        found: list[RRset] = []
        missing: list[str] = []
        if names:
            for name in names:
                got = [r for r in self._pool_records(RecordFilter(name=name))]
                found += got
                if not got:
                    missing.append(name)
        else:
            found = self._pool_records(RecordFilter(owner=owner, pool=pool))
        if missing:
            raise InvalidInput([Reason("names", f"no A/AAAA record on a pool at {', '.join(missing)}")])
        field = "names" if names else ("owner" if owner else "pool")
        if not found:
            raise InvalidInput([Reason(field, "selects no A/AAAA record on a pool")])
        moving = [r for r in found if r.pool_targets != (Target(target, 1),)]
        if not moving:
            raise InvalidInput([Reason(field, f"every selected record is already on {target} alone")])
        return [ShiftRecord(r.zone or "", r.name, r.rtype, r.pool_targets, r.mode) for r in moving]

    def _pool_records(self, flt: RecordFilter) -> list[RRset]:
        rrsets, _ = self.list_rrsets(flt, limit=MAX_RECORDS)
        return [r for r in rrsets if r.rtype in ("A", "AAAA") and r.pool is not None]

    def get_shift(self, shift_id: int) -> Shift:
        check_integer("id", shift_id, MAX_INTEGER)
        with self.read() as session:
            row = session.get(ShiftRow, shift_id)
            if row is None:
                raise NotFound("shift", str(shift_id))
            return _shift_from_row(row)

    def list_shifts(self, active: bool = False) -> list[Shift]:
        """Every shift (or the running and paused ones), oldest first."""
        with self.read() as session:
            query = select(ShiftRow).order_by(ShiftRow.id)
            if active:
                query = query.where(ShiftRow.status.in_(ACTIVE))
            return [_shift_from_row(r) for r in session.scalars(query)]

    def apply_move(self, before: Shift, move: Move) -> Shift:
        """Write ``move.step`` to every record of the shift (one change each, through
        :meth:`put_rrset`; a record already so changes nothing), then store the shift's new
        state unless someone else changed it meanwhile (then the stored one is returned)."""
        shift = move.shift
        if move.step is not None:
            percent = 0 if move.step == ORIGINAL else shift.steps[move.step]
            for record in shift.records:
                self._write_targets(record, targets_at(record, shift.target, percent), shift_actor(shift))
        with self.write() as session:
            row = session.get(ShiftRow, shift.id)
            if row is None:
                raise NotFound("shift", str(shift.id))
            if (row.status, row.step_index, len(row.history or ())) != (
                before.status,
                before.step_index,
                len(before.history),
            ):
                return _shift_from_row(row)
            row.status, row.step_index, row.next_at = shift.status, shift.step_index, shift.next_at
            row.reason, row.history = shift.reason, list(shift.history)
            if shift.status != before.status and shift.status not in ACTIVE:
                self.record_change(
                    session, actor=shift_actor(shift), action=f"shift.{shift.status}",
                    subject=f"shift/{shift.id}", deltas=[], after={"reason": shift.reason,
                                                                   "percent": shift.percent},
                )  # fmt: skip
            return _shift_from_row(row)

    def _write_targets(self, record: ShiftRecord, targets: tuple[Target, ...], actor: str) -> None:
        current = self._pool_records(RecordFilter(name=record.name, type=record.rtype))
        if not current:
            return  # deleted meanwhile: nothing to steer
        plain = len(targets) == 1 and targets[0].weight == 1
        new = replace(
            current[0], pool=targets[0].pool, targets=() if plain else targets, mode=record.mode, values=()
        )
        self.put_rrset(new, actor)

    def hand_over(self, rrset: RRset, new_owner: str, actor: str) -> None:
        """Give the record ``rrset`` (name, type, owner as read) to ``new_owner`` without
        changing what it answers (one change, no serial bump): a Kubernetes object taking a
        name over by a shift. :class:`Conflict` if the record's owner changed meanwhile."""
        with self.write() as session:
            zone = self._zone_for(session, rrset.name)
            row = session.scalar(
                select(RecordRow).where(
                    RecordRow.zone_id == zone.id, RecordRow.name == rrset.name, RecordRow.type == rrset.rtype
                )
            )
            if row is None:
                raise NotFound("record", f"{rrset.name}/{rrset.rtype}")
            if row.owner != rrset.owner:
                raise Conflict(f"{rrset.name}/{rrset.rtype} is held by {row.owner}", holder=row.owner)
            old = self._to_domain(session, row, zone.name)
            row.owner = new_owner
            after = rrset_dict(replace(old, owner=new_owner))
            self.record_change(
                session, actor=actor, action="record.update", subject=f"{old.name}/{old.rtype}",
                owner=new_owner, deltas=[], before=rrset_dict(old), after=after,
            )  # fmt: skip

    def control_shift(self, shift_id: int, action: str, actor: str, now: dt.datetime | None = None) -> Shift:
        """Pause, resume or abort (back to the original targets) one shift."""
        shift = self.get_shift(shift_id)
        return self.apply_move(shift, control(shift, action, now or utcnow(), actor))
