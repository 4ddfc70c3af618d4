"""Writing many record rows at once with SQLAlchemy Core (no ORM object per row).

A zone-file import of a million RRsets would otherwise build a million mapped objects (about
a kilobyte each, and an INSERT with RETURNING per row); here each chunk of rows is one
``executemany`` of plain tuples, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, insert, literal, literal_column, update
from sqlalchemy.orm import Session

from dnsd.domain.plan import Step
from dnsd.store.tables import RecordRow, utcnow

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


def _chunks(items: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def write_record_rows(session: Session, zone_id: int, steps: Sequence[Step]) -> None:
    """Write each step's RRset as literal values: a new row for a step without ``old``, the
    row of ``old`` (by id) rewritten otherwise (its pool reference dropped)."""
    now = utcnow()
    insert_rows = insert(_RECORDS).values(
        zone_id=_constant(session, zone_id, "zone_id"),
        created_at=_constant(session, now, "created_at"),
        updated_at=_constant(session, now, "updated_at"),
    )
    creates = (
        {
            "name": s.rrset.name,
            "type": s.rrset.rtype,
            "ttl": s.rrset.ttl,
            "rdata": s.rrset.value_texts(),
            "pool_id": None,
            "owner": s.rrset.owner,
        }
        for s in steps
        if s.old is None
    )
    for chunk in _chunks(creates):
        session.execute(insert_rows, chunk)
    updates = (
        {"row_id": s.old.id, "new_ttl": s.rrset.ttl, "new_rdata": s.rrset.value_texts(), "now": now}
        for s in steps
        if s.old is not None
    )
    for chunk in _chunks(updates):
        session.execute(_UPDATE, chunk)
