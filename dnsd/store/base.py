"""Transactions and the change log: the pieces every store operation shares.

Every write runs in :meth:`StoreBase.write`: one transaction that holds the store's write lock
(``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on PostgreSQL). Writes are
rare next to reads, so serialising them is cheap, and it gives two guarantees the feed relies
on: serials never race, and change ids commit in the order they were allocated, so a reader
following ``changes.id > cursor`` never skips a change that commits late.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import InvalidInput, Reason, StoreUnavailable
from dnsd.domain.names import name_problems
from dnsd.domain.records import TtlLimits
from dnsd.domain.zones import next_serial
from dnsd.store.engine import WRITE_OPTION, is_sqlite
from dnsd.store.tables import ChangeRow, ChangeZoneRow, ZoneRow

WRITE_LOCK_KEY = 0x646E7364  # "dnsd"
NOTIFY_CHANNEL = "dnsd_changes"


@dataclass(frozen=True, slots=True)
class ZoneDelta:
    """A zone a change touches, with the RRs it removes and adds (pool references expanded)."""

    row: ZoneRow
    removed: Sequence[RRLine] = ()
    added: Sequence[RRLine] = ()
    bump: bool = True
    deleted: bool = False


def name_key(text: str) -> str:
    """The canonical form of a name a caller typed (any case, trailing dot, IDNA), for lookups.

    Nothing is validated: a name that is not valid simply matches nothing.
    """
    return name_problems(text, strict=False)[0]


def pool_key(text: str) -> str:
    """The canonical form of a pool name a caller typed, for lookups."""
    return text.strip().lower()


def check_page(limit: int, offset: int = 0) -> None:
    """Refuse negative paging, which SQLite reads as "no limit" and PostgreSQL as an error."""
    reasons = [Reason(k, "must not be negative") for k, v in (("limit", limit), ("offset", offset)) if v < 0]
    if reasons:
        raise InvalidInput(reasons)


class StoreBase:
    def __init__(self, engine: Engine, limits: TtlLimits | None = None) -> None:
        self.engine = engine
        self.limits = limits or TtlLimits()
        self._write_engine = engine.execution_options(**{WRITE_OPTION: True})

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session; database errors become :class:`StoreUnavailable`."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(f"database unavailable: {exc.orig}") from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction holding the store's write lock; commits on success."""
        try:
            with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
                if not is_sqlite(self.engine):
                    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(f"database unavailable: {exc.orig}") from exc

    @staticmethod
    def zone_rows(session: Session) -> dict[str, ZoneRow]:
        return {row.name: row for row in session.scalars(select(ZoneRow))}

    def record_change(
        self,
        session: Session,
        *,
        actor: str,
        action: str,
        subject: str,
        deltas: Sequence[ZoneDelta],
        owner: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> ChangeRow:
        """Bump the serial of every zone in ``deltas`` and write the change row, in ``session``."""
        change = ChangeRow(
            actor=actor, owner=owner, action=action, subject=subject, before=before, after=after
        )
        for delta in sorted(deltas, key=lambda d: d.row.name):
            prev: int | None = delta.row.serial
            new: int | None = prev
            if delta.deleted:
                new = None
            elif delta.bump and prev is not None:
                new = delta.row.serial = next_serial(prev)
            change.zones.append(
                ChangeZoneRow(
                    zone=delta.row.name,
                    prev_serial=prev if delta.bump or delta.deleted else None,
                    serial=new,
                    removed=[list(line) for line in delta.removed],
                    added=[list(line) for line in delta.added],
                )
            )
        session.add(change)
        session.flush()
        if not is_sqlite(self.engine):
            session.execute(text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": str(change.id)})
        return change
