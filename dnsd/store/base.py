"""Transactions and the change log: the pieces every store operation shares.

Every write runs in :meth:`StoreBase.write`: one transaction that holds the store's write lock
(``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on PostgreSQL). Writes are
rare next to reads, so serialising them is cheap, and it gives two guarantees the feed relies
on: serials never race, and change ids commit in the order they were allocated, so a reader
following ``changes.id > cursor`` never skips a change that commits late.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import DnsdError, InvalidInput, Reason, StoreUnavailable
from dnsd.domain.names import name_problems
from dnsd.domain.records import MAX_OWNER, TtlLimits
from dnsd.domain.zones import SerialPolicy, next_serial
from dnsd.store.engine import WRITE_OPTION, is_sqlite
from dnsd.store.tables import ChangeRow, ChangeZoneRow, ZoneRow

WRITE_LOCK_KEY = 0x646E7364  # "dnsd"
NOTIFY_CHANNEL = "dnsd_changes"
MAX_ACTOR = MAX_OWNER  # the width of changes.actor
SCHEMA_MISSING = "schema missing or outdated: run `dnsd migrate`"
_UNDEFINED_OBJECT = ("42P01", "42703")  # PostgreSQL: undefined_table, undefined_column
_SQLITE_SCHEMA = ("no such table", "no such column", "has no column named")
_COMMITTED = "dnsd_committed_changes"  # Session.info key: changes to log once committed
MAX_BIGINT = 2**63 - 1  # SQL BIGINT (and any SQLite INTEGER): offsets, change ids
MAX_INTEGER = 2**31 - 1  # SQL INTEGER on PostgreSQL: record ids

change_log = logging.getLogger("dnsd.changes")


class SchemaMissing(StoreUnavailable):
    """The database answers but lacks our tables or columns: it was never migrated, or it was
    migrated by an older dnsd. The message says what to do."""


class DatabaseUnreachable(StoreUnavailable):
    """The database cannot be reached at all (raised by :func:`dnsd.store.migrate.upgrade`);
    the message names it (password masked) and the driver's reason."""


def one_line(exc: BaseException) -> str:
    """A driver's message on one line (psycopg spreads its hints over several)."""
    return " ".join(str(exc).split())


def store_error(exc: DBAPIError) -> DnsdError | None:
    """The dnsd error a database error means, or None for one that is a bug (raise it as is)."""
    orig = exc.orig if exc.orig is not None else exc
    sqlstate = getattr(orig, "sqlstate", None)
    message = one_line(orig)
    if sqlstate in _UNDEFINED_OBJECT or (
        sqlstate is None and any(marker in message for marker in _SQLITE_SCHEMA)
    ):
        return SchemaMissing(f"{SCHEMA_MISSING} ({message})")
    if isinstance(exc, OperationalError | InterfaceError):
        return StoreUnavailable(f"database unavailable: {message}")
    return None


@dataclass(frozen=True, slots=True)
class ZoneDelta:
    """A zone a change touches, with the RRs it removes and adds (pool references expanded)."""

    row: ZoneRow
    removed: Sequence[RRLine] = ()
    added: Sequence[RRLine] = ()
    bump: bool = True
    deleted: bool = False
    serial: int | None = None  # the new serial when the change sets it (import --keep-serial)


def name_key(text: str) -> str:
    """The canonical form of a name a caller typed (any case, trailing dot, IDNA), for lookups.

    Nothing is validated: a name that is not valid simply matches nothing.
    """
    return name_problems(text, strict=False)[0]


def pool_key(text: str) -> str:
    """The canonical form of a pool name a caller typed, for lookups."""
    return text.strip().lower()


def check_page(limit: int, offset: int = 0) -> None:
    """Refuse negative paging, which SQLite reads as "no limit" and PostgreSQL as an error, and
    numbers no database integer holds."""
    reasons = [Reason(k, "must not be negative") for k, v in (("limit", limit), ("offset", offset)) if v < 0]
    too_large = f"must be at most {MAX_BIGINT}"
    reasons += [Reason(k, too_large) for k, v in (("limit", limit), ("offset", offset)) if v > MAX_BIGINT]
    if reasons:
        raise InvalidInput(reasons)


def check_integer(field: str, value: int, maximum: int, minimum: int = 0) -> None:
    """:class:`InvalidInput` naming ``field`` unless ``minimum <= value <= maximum``.

    Ids and cursors come from users (paths, query strings, command lines); one past the width
    of its column would otherwise fail in the driver (``OverflowError`` on SQLite, "integer
    out of range" on PostgreSQL) instead of here.
    """
    if value < minimum:
        raise InvalidInput([Reason(field, f"must be at least {minimum}")])
    if value > maximum:
        raise InvalidInput([Reason(field, f"must be at most {maximum}")])


class StoreBase:
    def __init__(
        self, engine: Engine, limits: TtlLimits | None = None, serial_policy: SerialPolicy = "date"
    ) -> None:
        self.engine = engine
        self.limits = limits or TtlLimits()
        self.serial_policy = serial_policy  # how record_change picks the next serial
        self._write_engine = engine.execution_options(**{WRITE_OPTION: True})

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session; database errors become :class:`StoreUnavailable` (or
        :class:`SchemaMissing` when the schema is not migrated)."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except (OperationalError, InterfaceError, ProgrammingError) as exc:
            mapped = store_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        except (PoolTimeout, DisconnectionError) as exc:  # pooled connections stuck or dead (hung database)
            raise StoreUnavailable(f"database unavailable: {one_line(exc)}") from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction holding the store's write lock; commits on success.

        Database errors are mapped as in :meth:`read`. Every change recorded in the transaction
        is logged (``dnsd.changes``, INFO) once it has committed, and only then.
        """
        try:
            with Session(self._write_engine, expire_on_commit=False) as session:
                with session.begin():
                    if not is_sqlite(self.engine):
                        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
                    yield session
                committed: list[LoggedChange] = session.info.pop(_COMMITTED, [])
        except (OperationalError, InterfaceError, ProgrammingError) as exc:
            mapped = store_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        except (PoolTimeout, DisconnectionError) as exc:
            raise StoreUnavailable(f"database unavailable: {one_line(exc)}") from exc
        for change in committed:
            log_change(change)

    def next_serial(self, current: int) -> int:
        """The serial after ``current`` by this store's policy (0: a new zone's first serial)."""
        return next_serial(current, policy=self.serial_policy)

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
        """Bump the serial of every zone in ``deltas`` once (by :attr:`serial_policy`, or to the
        delta's own ``serial``) and write the change row, in ``session``.

        :class:`InvalidInput` (field ``actor``) for an empty actor or one over 255 characters.
        """
        if not actor or len(actor) > MAX_ACTOR:
            raise InvalidInput([Reason("actor", f"must be 1-{MAX_ACTOR} characters, got {len(actor)}")])
        change = ChangeRow(
            actor=actor, owner=owner, action=action, subject=subject, before=before, after=after
        )
        zones: list[ZoneSerials] = []
        for delta in sorted(deltas, key=lambda d: d.row.name):
            prev: int | None = delta.row.serial
            new: int | None = prev
            if delta.deleted:
                new = None
            elif delta.bump and prev is not None:
                new = delta.serial if delta.serial is not None else self.next_serial(prev)
                delta.row.serial = new
            shown = ZoneSerials(delta.row.name, prev if delta.bump or delta.deleted else None, new)
            zones.append(shown)
            change.zones.append(
                ChangeZoneRow(
                    zone=shown.zone,
                    prev_serial=shown.prev_serial,
                    serial=shown.serial,
                    # JSON writes a tuple as the same array: no copy of a million lines
                    removed=list(delta.removed),
                    added=list(delta.added),
                )
            )
        session.add(change)
        session.flush()
        if not is_sqlite(self.engine):
            session.execute(text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": str(change.id)})
        logged = LoggedChange(change.id, actor, action, subject, owner, tuple(zones))
        session.info.setdefault(_COMMITTED, []).append(logged)
        return change


@dataclass(frozen=True, slots=True)
class ZoneSerials:
    zone: str
    prev_serial: int | None
    serial: int | None


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """What the log says about one change, taken when it is recorded, written once committed."""

    id: int
    actor: str
    action: str
    subject: str
    owner: str | None
    zones: tuple[ZoneSerials, ...]


def log_change(change: LoggedChange) -> None:
    """One INFO line for a committed change: who did what, and the serial of every zone touched."""
    zones = [{"zone": z.zone, "prev_serial": z.prev_serial, "serial": z.serial} for z in change.zones]
    serials = ", ".join(f"{z.zone} {_serial(z.prev_serial)} -> {_serial(z.serial)}" for z in change.zones)
    change_log.info(
        "change %d: %s %s by %s%s%s", change.id, change.action, change.subject, change.actor,
        f" (owner {change.owner})" if change.owner else "", f"; {serials}" if serials else "",
        extra={"change_id": change.id, "actor": change.actor, "action": change.action,
               "subject": change.subject, "owner": change.owner, "zones": zones},
    )  # fmt: skip


def _serial(serial: int | None) -> str:
    return "-" if serial is None else str(serial)
