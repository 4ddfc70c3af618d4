"""Zone-file import: plan against the current rows and apply the whole plan in one transaction.

The plan is recomputed inside the write transaction (under the store's write lock), so what is
applied is exactly what was checked. A plan with any conflict writes nothing. A new zone is one
``zone.import`` change. An existing zone gets a ``zone.update`` change when its SOA timers or
NS differ (recorded as ``update_zone`` does; IXFR answers such a step with AXFR), then one
``zone.import`` change with every RR removed and added: one IXFR difference sequence. Either
way the serial rises once per import (the ``zone.update`` step carries the bump when there is
one), never once per RRset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import Conflict
from dnsd.domain.importplan import ADD, CHANGE, ImportPlan, ZoneFileData, plan_import
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.snapshot import expand
from dnsd.domain.zones import apex_ns_lines, zone_dict
from dnsd.store.base import StoreBase, ZoneDelta
from dnsd.store.convert import pool_from_row, zone_from_row
from dnsd.store.record_rows import write_record_rows
from dnsd.store.state_rows import read_rrsets
from dnsd.store.tables import PoolRow, ZoneRow


class ImportConflict(Conflict):
    """The plan has conflicts; nothing was written. ``plan`` says which RRsets and why."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        conflicts = plan.plan.problems
        holder = next((p.holder for p in conflicts if p.holder), None)
        super().__init__(f"{len(conflicts)} RRsets conflict; nothing imported", holder=holder)


@dataclass(frozen=True, slots=True)
class _Current:
    plan: ImportPlan
    row: ZoneRow | None
    pools: Mapping[str, Pool]


def _lines(rrset: RRset, pools: Mapping[str, Pool]) -> list[RRLine]:
    return [(rrset.name, rrset.rtype, rrset.ttl, r.to_text()) for r in expand(rrset, pools)]


class ZoneImportOps(StoreBase):
    def plan_zone_import(self, data: ZoneFileData) -> ImportPlan:
        """The plan for importing ``data``, without writing anything (``--dry-run``)."""
        with self.read() as session:
            return self._current(session, data).plan

    def apply_zone_import(self, data: ZoneFileData, actor: str, *, keep_serial: bool = False) -> ImportPlan:
        """Apply the import in one transaction, one serial bump, and return the plan applied.

        The new serial goes past the file's serial when that is newer than ours; with
        ``keep_serial`` it *is* the file's serial then (ours, when newer, is bumped as usual).

        Raises :class:`ImportConflict` (nothing written) when any RRset conflicts. A plan with
        nothing to add or change writes nothing, not even a change row.
        """
        with self.write() as session:
            current = self._current(session, data)
            plan = current.plan
            if not plan.clean:
                raise ImportConflict(plan)
            if plan.writes:
                self._apply(session, current, actor, keep_serial)
            return plan

    @staticmethod
    def _current(session: Session, data: ZoneFileData) -> _Current:
        row = session.scalar(select(ZoneRow).where(ZoneRow.name == data.zone.name))
        pool_rows = {p.id: pool_from_row(p) for p in session.scalars(select(PoolRow))}
        zone = zone_from_row(row) if row is not None else None
        rrsets: list[RRset] = []
        if row is not None and zone is not None:  # read as plain rows: a zone may hold a million
            rrsets = read_rrsets(session.connection(), {row.id: zone}, pool_rows)[row.id]
        pools = {p.name: p for p in pool_rows.values()}
        return _Current(plan_import(data, zone, rrsets, pools), row, pools)

    def _apply(self, session: Session, current: _Current, actor: str, keep_serial: bool) -> None:
        plan, row = current.plan, current.row
        # every RRset of a file has the importing owner: the first one's is the import's
        owner = next((s.rrset.owner for s in (*plan.plan.steps[:1], *plan.kept[:1])), None)
        floor = plan.serial_floor
        kept = floor if keep_serial else None  # the serial this import ends at, if fixed
        if row is None:
            row = ZoneRow(
                serial=kept if kept is not None else self.next_serial(floor or 0), **zone_dict(plan.zone)
            )
            session.add(row)
            session.flush()
        else:
            if floor is not None and kept is None:
                row.serial = floor  # the next bump goes past the file's serial
            if plan.zone_changes:
                self._update_zone(session, row, plan, actor, kept)
        removed: list[RRLine] = []
        added: list[RRLine] = []
        for step in plan.plan.steps:  # creates and updates only: an import never deletes
            if step.old is not None:
                removed += _lines(step.old, current.pools)
            added += _lines(step.rrset, current.pools)
        write_record_rows(session, row.id, plan.plan.steps)
        if added or removed or current.row is None:
            summary = {key: plan.count(key) for key in (ADD, CHANGE)}
            bump = current.row is not None and not plan.zone_changes  # one bump per import
            self.record_change(
                session, actor=actor, action="zone.import", subject=plan.zone.name, owner=owner,
                deltas=[ZoneDelta(row, removed, added, bump=bump, serial=kept)],
                after={**zone_dict(zone_from_row(row)), **summary},
            )  # fmt: skip

    def _update_zone(
        self, session: Session, row: ZoneRow, plan: ImportPlan, actor: str, serial: int | None
    ) -> None:
        old = zone_from_row(row)
        for key, (_, value) in plan.zone_changes.items():
            setattr(row, key, list(value) if isinstance(value, tuple) else value)
        new = zone_from_row(row)
        old_ns, new_ns = apex_ns_lines(old), apex_ns_lines(new)
        removed = [line for line in old_ns if line not in new_ns]
        added = [line for line in new_ns if line not in old_ns]
        self.record_change(
            session, actor=actor, action="zone.update", subject=plan.zone.name,
            deltas=[ZoneDelta(row, removed, added, serial=serial)],
            before=zone_dict(old), after=zone_dict(new),
        )  # fmt: skip
