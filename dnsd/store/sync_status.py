"""Store operations of the provider sync: saving and reading the status of the last runs
(the :class:`SyncStatus` type itself is pure: :mod:`dnsd.domain.sync_status`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from sqlalchemy import select

from dnsd.domain.errors import Conflict, NotFound
from dnsd.domain.sync_status import APPROVABLE, SyncStatus
from dnsd.store.base import StoreBase
from dnsd.store.sync_tables import SyncStatusRow


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _from_row(row: SyncStatusRow) -> SyncStatus:
    return SyncStatus(
        provider=row.provider,
        zone=row.zone,
        run_at=_aware(row.run_at) or row.run_at,
        mode=row.mode,
        result=row.result,
        creates=row.creates,
        updates=row.updates,
        deletes=row.deletes,
        conflicts=row.conflicts,
        failed=row.failed,
        drift=row.drift,
        message=row.message,
        applied_hash=row.applied_hash,
        last_success_at=_aware(row.last_success_at),
    )


class SyncStatusStore(StoreBase):
    """Sync status rows. Build it on the same engine as the :class:`ZoneStore`.

    Saving a status is not a change of DNS data: it writes no change row and bumps no serial.
    """

    def save_sync_status(self, status: SyncStatus) -> None:
        """Insert or overwrite the row of ``(status.provider, status.zone)``. A pending approval
        is kept when the new status holds back the same thing again (a run that read the row
        before the operator approved must not cancel the approval)."""
        with self.write() as session:
            row = session.get(SyncStatusRow, (status.provider, status.zone), with_for_update=True)
            if (row is not None and row.result == "approved" and status.result in APPROVABLE
                    and row.applied_hash == status.applied_hash):  # fmt: skip
                return
            if row is None:
                row = SyncStatusRow(provider=status.provider, zone=status.zone)
                session.add(row)
            for key, value in asdict(status).items():
                setattr(row, key, value)

    def get_sync_status(self, provider: str, zone: str) -> SyncStatus | None:
        with self.read() as session:
            row = session.get(SyncStatusRow, (provider, zone))
            return _from_row(row) if row is not None else None

    def list_sync_statuses(self, provider: str | None = None, zone: str | None = None) -> list[SyncStatus]:
        """Every stored status, by provider then zone, optionally filtered."""
        with self.read() as session:
            query = select(SyncStatusRow)
            if provider:
                query = query.where(SyncStatusRow.provider == provider)
            if zone:
                query = query.where(SyncStatusRow.zone == zone.lower().rstrip("."))
            rows = session.scalars(query.order_by(SyncStatusRow.provider, SyncStatusRow.zone))
            return [_from_row(r) for r in rows]

    def approve(self, provider: str, zone: str, actor: str) -> SyncStatus:
        """Approve what the row of ``(provider, zone)`` holds back: a plan refused by the safety
        limit (applied once, by the next run) or the controller's held deletes (the same set is
        applied by the next reconcile). :class:`NotFound` without a row; :class:`Conflict` when
        nothing is held back."""
        now = dt.datetime.now(dt.UTC)
        with self.write() as session:
            row = session.get(SyncStatusRow, (provider, zone), with_for_update=True)
            if row is None:
                raise NotFound("sync status", f"{provider} {zone}", field="zone")
            if row.result not in APPROVABLE:
                raise Conflict(f"{provider} {zone}: nothing to approve (last result {row.result})")
            row.result, row.run_at = "approved", now
            row.message = f"approved by {actor}; the next run applies it. Was: {row.message}"[:2000]
            return _from_row(row)
