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

from dnsd.domain.pools import Pool
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset
from dnsd.domain.snapshot import ZoneData
from dnsd.domain.zone_builder import ServingZoneBuilder
from dnsd.domain.zones import Zone
from dnsd.store.base import StoreBase
from dnsd.store.changes import StoreState
from dnsd.store.engine import is_sqlite
from dnsd.store.tables import ChangeRow, PoolAddressRow, PoolRow, RecordRow, ZoneRow

PAGE = 20_000
"""Record rows fetched per round trip."""
_PAGED = {"yield_per": PAGE}  # per statement: Connection.execution_options would stay on the connection

_ZONES = ZoneRow.__table__
_POOLS = PoolRow.__table__
_ADDRESSES = PoolAddressRow.__table__
_RECORDS = RecordRow.__table__


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
    """Every pool by id, addresses in stored order (internal and external apart)."""
    rows = conn.execute(select(_POOLS.c.id, _POOLS.c.name, _POOLS.c.description)).all()
    internal: dict[int, list[str]] = {row.id: [] for row in rows}
    external: dict[int, list[str]] = {row.id: [] for row in rows}
    addresses = select(_ADDRESSES.c.pool_id, _ADDRESSES.c.address, _ADDRESSES.c.external).order_by(
        _ADDRESSES.c.pool_id, _ADDRESSES.c.position, _ADDRESSES.c.id
    )
    for pool_id, address, is_external in conn.execute(addresses):
        (external if is_external else internal)[pool_id].append(address)
    return {
        row.id: Pool(row.name, tuple(internal[row.id]), row.description, tuple(external[row.id]))
        for row in rows
    }


def _texts(raw: str) -> list[str]:
    """The JSON list of rdata texts: ``["x"]`` (nearly every row) without the JSON parser."""
    if raw.startswith('["') and raw.endswith('"]') and '"' not in raw[2:-2] and "\\" not in raw:
        return [raw[2:-2]]
    texts: list[str] = json.loads(raw)
    return texts


def _record_rows(conn: Connection, zone_ids: list[int]) -> Iterator[RecordTuple]:
    """Every record of the zones as (id, zone_id, name, type, ttl, rdata texts, pool_id, owner),
    fetched in pages; the rdata column is read as its JSON text (no per-row type processing)."""
    if not zone_ids:
        return
    c = _RECORDS.c
    query = select(c.id, c.zone_id, c.name, c.type, c.ttl, cast(c.rdata, Text), c.pool_id, c.owner)
    rows = conn.execute(query.where(c.zone_id.in_(zone_ids)), execution_options=_PAGED)
    shared = _Shared()
    for row_id, zone_id, name, rtype, ttl, rdata, pool_id, owner in rows:
        yield row_id, zone_id, name, shared(rtype), shared(ttl), _texts(rdata), pool_id, shared(owner)


RecordTuple = tuple[int, int, str, str, int, list[str], "int | None", str]


def read_rrsets(conn: Connection, zones: dict[int, Zone], pools: dict[int, Pool]) -> dict[int, list[RRset]]:
    """The RRsets of ``zones`` (by id), as :func:`dnsd.store.convert.rrset_from_row` makes them."""
    out: dict[int, list[RRset]] = {zone_id: [] for zone_id in zones}
    pool_names = {pool_id: pool.name for pool_id, pool in pools.items()}
    zone_names = {zone_id: zone.name for zone_id, zone in zones.items()}
    for row_id, zone_id, name, rtype, ttl, texts, pool_id, owner in _record_rows(conn, list(zones)):
        values = tuple([parse_rdata(rtype, text) for text in texts])
        pool = pool_names[pool_id] if pool_id is not None else None
        out[zone_id].append(RRset(name, rtype, ttl, values, pool, owner, zone_names[zone_id], row_id))
    return out


class StateReader(StoreBase):
    def load_state(self, zones: Iterable[str] | None = None) -> StoreState:
        """The named zones (all when None) with their RRsets, and every pool, read in one
        consistent transaction: what :meth:`dnsd.store.changes.ChangeOps.load_state` returns."""
        with self.read() as session:
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            conn = session.connection()
            cursor = conn.scalar(select(func.max(ChangeRow.__table__.c.id))) or 0
            zone_rows = _zones(conn, zones)
            pools = _pools(conn)
            records = read_rrsets(conn, zone_rows, pools)
            state = {zone.name: (zone, records[zone_id]) for zone_id, zone in zone_rows.items()}
            return StoreState(cursor, state, {pool.name: pool for pool in pools.values()})

    def serving_zones(self, zones: Iterable[str] | None = None) -> tuple[int, dict[str, ZoneData]]:
        """The change cursor and the named zones (all when None) ready to serve, read in one
        consistent transaction
        and built as the rows arrive (:class:`ServingZoneBuilder`): equal to building
        ``serving_zone(build_zone(...))`` from :meth:`load_state`, without its RRsets.

        The garbage collector is paused meanwhile: millions of new objects and no cycles, so
        each collection would only walk them all again.
        """
        with self.read() as session, _collector_paused():
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            conn = session.connection()
            cursor = conn.scalar(select(func.max(ChangeRow.__table__.c.id))) or 0
            zone_rows = _zones(conn, zones)
            pools = _pools(conn)
            by_name = {pool.name: pool for pool in pools.values()}
            builders = {zone_id: ServingZoneBuilder(zone, by_name) for zone_id, zone in zone_rows.items()}
            _add_rows(conn, builders, {pool_id: pool.name for pool_id, pool in pools.items()})
            zones = {builder.zone.name: builder.finish() for builder in builders.values()}
        return cursor, zones


def _add_rows(conn: Connection, builders: dict[int, ServingZoneBuilder], pool_names: dict[int, str]) -> None:
    """Every record row into its zone's builder (the columns the DNS side needs, nothing else)."""
    if not builders:
        return
    c = _RECORDS.c
    query = select(c.zone_id, c.name, c.type, c.ttl, cast(c.rdata, Text), c.pool_id)
    rows = conn.execute(query.where(c.zone_id.in_(list(builders))), execution_options=_PAGED)
    types: dict[str, str] = {}
    ttls: dict[int, int] = {}
    for zone_id, name, stored_type, ttl, rdata, pool_id in rows:
        rtype = types.setdefault(stored_type, stored_type)
        values = tuple([parse_rdata(rtype, text) for text in _texts(rdata)])
        pool = pool_names[pool_id] if pool_id is not None else None
        builders[zone_id].add(name, rtype, ttls.setdefault(ttl, ttl), values, pool)


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
