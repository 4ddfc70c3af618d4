"""Writing many record rows at once with SQLAlchemy Core (no ORM object per row).

A zone-file import of a million RRsets would otherwise build a million mapped objects (about
a kilobyte each, and an INSERT with RETURNING per row); here each chunk of rows is one
``executemany`` of plain tuples, in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Table, bindparam, insert, literal, literal_column, update
from sqlalchemy.orm import Session

from dnsd.domain.plan import Step
from dnsd.store.tables import RecordRow, utcnow

T = TypeVar("T")
CHUNK = 5000
"""Rows per executemany: large enough to amortise the round trip, small enough that the
parameter lists stay a few megabytes."""

_RECORDS = cast(Table, RecordRow.__table__)
_UPDATE = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("row_id"))
    .values(ttl=bindparam("new_ttl"), rdata=bindparam("new_rdata"), pool_id=None, updated_at=bindparam("now"))
)


def _constant(session: Session, value: object, column: str) -> ColumnElement[Any]:
    """``value`` written into the SQL as a literal (as the column's type renders it): every row
    shares it, so it is converted once, not once per row of an ``executemany``."""
    dialect = session.get_bind().dialect
    rendered = literal(value, _RECORDS.c[column].type).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return literal_column(str(rendered))


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def rdata_json(texts: list[str]) -> str:
    """The JSON text of the rdata column: ``["x"]`` built directly when no character needs
    escaping (nearly every value), else the JSON encoder's."""
    if len(texts) == 1:
        text = texts[0]
        if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
            return f'["{text}"]'
    return json.dumps(texts)


_COLUMNS = ("zone_id", "created_at", "updated_at", "name", "type", "ttl", "rdata", "owner")


def _insert_sql(session: Session, zone_id: int, now: object) -> str | None:
    """The INSERT of one record row for the driver: zone and timestamps as literals (shared by
    every row), then name, type, ttl, rdata (JSON text) and owner as positional parameters.
    None for a driver with another parameter style (SQLAlchemy's executemany is used then)."""
    dialect = session.get_bind().dialect
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if mark is None:
        return None
    rdata = f"CAST({mark} AS JSON)" if dialect.name == "postgresql" else mark
    literals = [str(_constant(session, v, c)) for v, c in ((zone_id, "zone_id"), (now, "created_at"))]
    values = [*literals, literals[1], mark, mark, mark, rdata, mark]
    return f"INSERT INTO {_RECORDS.name} ({', '.join(_COLUMNS)}) VALUES ({', '.join(values)})"


def _insert_raw(session: Session, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """``sql`` run with the driver's own ``executemany`` in chunks, in the session's
    transaction: SQLAlchemy's per-row parameter processing was a third of a million-row import."""
    driver = session.connection().connection.dbapi_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)
    finally:
        cursor.close()


def write_record_rows(session: Session, zone_id: int, steps: Sequence[Step]) -> None:
    """Write each step's RRset as literal values: a new row for a step without ``old``, the
    row of ``old`` (by id) rewritten otherwise (its pool reference dropped)."""
    now = utcnow()
    insert_rows = insert(_RECORDS).values(
        zone_id=_constant(session, zone_id, "zone_id"),
        created_at=_constant(session, now, "created_at"),
        updated_at=_constant(session, now, "updated_at"),
    )
    sql = _insert_sql(session, zone_id, now)
    if sql is not None:
        rows = (
            (s.rrset.name, s.rrset.rtype, s.rrset.ttl, rdata_json(s.rrset.value_texts()), s.rrset.owner)
            for s in steps
            if s.old is None
        )
        _insert_raw(session, sql, rows)
    else:
        creates: Iterator[dict[str, Any]] = (
            {"name": s.rrset.name, "type": s.rrset.rtype, "ttl": s.rrset.ttl, "rdata": s.rrset.value_texts(),
             "pool_id": None, "owner": s.rrset.owner}
            for s in steps
            if s.old is None
        )  # fmt: skip
        for chunk in _chunks(creates):
            session.execute(insert_rows, chunk)
    updates: Iterator[dict[str, Any]] = (
        {"row_id": s.old.id, "new_ttl": s.rrset.ttl, "new_rdata": s.rrset.value_texts(), "now": now}
        for s in steps
        if s.old is not None
    )
    for batch in _chunks(updates):
        session.execute(_UPDATE, batch)
