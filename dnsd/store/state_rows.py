"""The store's state read with SQLAlchemy Core: plain row tuples, no ORM object per row.

:meth:`StateReader.load_state` returns exactly what :meth:`ChangeOps.load_state` returns (the
same :class:`StoreState`, equal field by field; tests/store/test_state_rows.py compares them
on SQLite and PostgreSQL), for the DNS server's cold start: at a million records the ORM's
identity map and per-row instrumentation took 39 s and a gigabyte (bench/RESULTS.md, issue
17), tuples a few seconds. Records are fetched in pages (``yield_per``: a server-side cursor
on PostgreSQL), and strings and numbers that repeat across rows (types, owners, TTLs) are
shared, so a large zone does not hold a million copies of ``"A"``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Text, cast, func, select

from dnsd.domain.health import make_check
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, Pool
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset
from dnsd.domain.targets import Mode, Target
from dnsd.domain.zones import Zone
from dnsd.store.base import StoreBase
from dnsd.store.changes import StoreState
from dnsd.store.engine import is_sqlite
from dnsd.store.tables import ChangeRow, PoolAddressRow, PoolRow, RecordRow, RecordTargetRow, ZoneRow

PAGE = 20_000
"""Record rows fetched per round trip."""
_PAGED = {"yield_per": PAGE}  # per statement: Connection.execution_options would stay on the connection

_ZONES = ZoneRow.__table__
_POOLS = PoolRow.__table__
_ADDRESSES = PoolAddressRow.__table__
_RECORDS = RecordRow.__table__
_TARGETS = RecordTargetRow.__table__


class _Shared:
    """One object per distinct value: a value seen again is replaced by its first copy."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self._seen.setdefault(value, value)


def _zones(conn: Connection, names: Iterable[str] | None) -> dict[int, Zone]:
    query = select(_ZONES)
    if names is not None:
        query = query.where(_ZONES.c.name.in_(list(names)))
    out: dict[int, Zone] = {}
    for row in conn.execute(query).mappings():
        out[row["id"]] = Zone(
            name=row["name"], serial=row["serial"], ns=tuple(row["ns"]), mname=row["mname"],
            rname=row["rname"], refresh=row["refresh"], retry=row["retry"], expire=row["expire"],
            minimum=row["minimum"], ttl=row["ttl"], secondaries=tuple(row["secondaries"] or ()),
            dnspod_sync=row["dnspod_sync"],
        )  # fmt: skip
    return out


def _pools(conn: Connection) -> dict[int, Pool]:
    """Every pool by id, as :func:`dnsd.store.convert.pool_from_row` makes it (members per view
    in stored order, the health check)."""
    rows = conn.execute(select(_POOLS.c.id, _POOLS.c.name, _POOLS.c.description, _POOLS.c.health_check)).all()
    by_view: dict[int, dict[str, list[str]]] = {row.id: {} for row in rows}
    members = select(_ADDRESSES.c.pool_id, _ADDRESSES.c.address, _ADDRESSES.c.view).order_by(
        _ADDRESSES.c.pool_id, _ADDRESSES.c.position, _ADDRESSES.c.id
    )
    for pool_id, address, view in conn.execute(members):
        by_view[pool_id].setdefault(view, []).append(address)
    out: dict[int, Pool] = {}
    for row in rows:
        views = by_view[row.id]
        internal, external = tuple(views.pop(DEFAULT_VIEW, ())), tuple(views.pop(PUBLIC_VIEW, ()))
        named = tuple((view, tuple(addrs)) for view, addrs in sorted(views.items()))
        check = make_check(row.health_check) if row.health_check else None
        out[row.id] = Pool(row.name, internal, row.description, external, named, check)
    return out


def _targets(
    conn: Connection, zone_ids: list[int], pool_names: dict[int, str]
) -> dict[int, tuple[Target, ...]]:
    """The weighted targets of the zones' records, by record id (few records have any)."""
    t, r = _TARGETS.c, _RECORDS.c
    query = (
        select(t.record_id, t.pool_id, t.weight)
        .join(_RECORDS, r.id == t.record_id)
        .where(r.zone_id.in_(zone_ids))
        .order_by(t.record_id, t.position, t.id)
    )
    out: dict[int, list[Target]] = {}
    for record_id, pool_id, weight in conn.execute(query):
        out.setdefault(record_id, []).append(Target(pool_names[pool_id], weight))
    return {record_id: tuple(targets) for record_id, targets in out.items()}


def _texts(raw: str) -> list[str]:
    """The JSON list of rdata texts: ``["x"]`` (nearly every row) without the JSON parser."""
    if raw.startswith('["') and raw.endswith('"]') and '"' not in raw[2:-2] and "\\" not in raw:
        return [raw[2:-2]]
    texts: list[str] = json.loads(raw)
    return texts


def _record_rows(conn: Connection, zone_ids: list[int], columns: tuple[Any, ...]) -> Iterator[Any]:
    """The rows of ``columns`` then the rdata column (as its JSON text: no per-row type
    processing) of every record of the zones, fetched in pages."""
    c = _RECORDS.c
    query = select(*columns, cast(c.rdata, Text)).where(c.zone_id.in_(zone_ids))
    return iter(conn.execute(query, execution_options=_PAGED))


def _mode(mode: str | None) -> Mode:
    return "random" if mode == "random" else "hashed"


def read_rrsets(conn: Connection, zones: dict[int, Zone], pools: dict[int, Pool]) -> dict[int, list[RRset]]:
    """The RRsets of ``zones`` (by id), as :func:`dnsd.store.convert.rrset_from_row` makes them."""
    out: dict[int, list[RRset]] = {zone_id: [] for zone_id in zones}
    if not zones:
        return out
    pool_names = {pool_id: pool.name for pool_id, pool in pools.items()}
    zone_names = {zone_id: zone.name for zone_id, zone in zones.items()}
    targets = _targets(conn, list(zones), pool_names)
    shared = _Shared()
    c = _RECORDS.c
    columns = (c.id, c.zone_id, c.name, c.type, c.ttl, c.pool_id, c.owner, c.mode, c.views)
    for row_id, zone_id, name, stored_type, ttl, pool_id, owner, mode, views, rdata in _record_rows(
        conn, list(zones), columns
    ):
        rtype = shared(stored_type)
        values = tuple([parse_rdata(rtype, text) for text in _texts(rdata)])
        pool = pool_names[pool_id] if pool_id is not None else None
        out[zone_id].append(
            RRset(
                name,
                rtype,
                shared(ttl),
                values,
                pool,
                shared(owner),
                zone_names[zone_id],
                row_id,
                targets.get(row_id, ()),
                _mode(mode),
                tuple(views or ()),
            )
        )
    return out


class StateReader(StoreBase):
    def load_state(self, zones: Iterable[str] | None = None) -> StoreState:
        """The named zones (all when None) with their RRsets, and every pool, read in one
        consistent transaction: what :meth:`dnsd.store.changes.ChangeOps.load_state` returns."""
        with self.read() as session, _collector_paused():
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            conn = session.connection()
            cursor = conn.scalar(select(func.max(ChangeRow.__table__.c.id))) or 0
            zone_rows = _zones(conn, zones)
            pools = _pools(conn)
            records = read_rrsets(conn, zone_rows, pools)
            state = {zone.name: (zone, records[zone_id]) for zone_id, zone in zone_rows.items()}
            return StoreState(cursor, state, {pool.name: pool for pool in pools.values()})


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
