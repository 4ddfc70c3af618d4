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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Text, cast, func, select

from dnsd.domain.health import make_check
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, Pool
from dnsd.domain.rdata import Address, Rdata, is_plain_ipv4, parse_rdata
from dnsd.domain.records import RRset
from dnsd.domain.snapshot import Node, NodesBuilder, OneNode, RRsetData, apex_nodes, pool_rdatas
from dnsd.domain.targets import Mode, Target
from dnsd.domain.zones import Zone
from dnsd.store.base import StoreBase
from dnsd.store.changes import StoreState
from dnsd.store.engine import is_sqlite
from dnsd.store.tables import ChangeRow, PoolAddressRow, PoolRow, RecordRow, RecordTargetRow, ZoneRow

PAGE = 20_000
"""Record rows fetched per round trip."""

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


def _record_rows(conn: Connection, zone_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """Every record row of the zones as a plain driver tuple: id, zone id, name, type, ttl,
    pool id, owner, mode, then views and rdata as their JSON text (parsed only where needed).

    Read with the driver's own cursor in pages (a server-side cursor on PostgreSQL): SQLAlchemy's
    per-row result processing was a third of a million-record cold start."""
    c = _RECORDS.c
    query = select(
        c.id, c.zone_id, c.name, c.type, c.ttl, c.pool_id, c.owner, c.mode,
        cast(c.views, Text), cast(c.rdata, Text),
    ).where(c.zone_id.in_(zone_ids))  # fmt: skip
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))  # ids: ints
    driver = conn.connection.dbapi_connection
    assert driver is not None
    cursor = driver.cursor() if is_sqlite(conn.engine) else driver.cursor(name="dnsd_records")
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(PAGE):
            yield from rows
    finally:
        cursor.close()


def _mode(mode: str | None) -> Mode:
    return "random" if mode == "random" else "hashed"


PlainPool = Callable[[Pool], bool]
"""Whether a record on this pool (no weighted targets, no views) reads the same in every view."""


def _no_plain_pool(pool: Pool) -> bool:
    return False


def read_rrsets(
    conn: Connection,
    zones: dict[int, Zone],
    pools: dict[int, Pool],
    plain: dict[int, NodesBuilder] | None = None,
    plain_pool: PlainPool = _no_plain_pool,
) -> dict[int, list[RRset]]:
    """The RRsets of ``zones`` (by id), as :func:`dnsd.store.convert.rrset_from_row` makes them.

    With ``plain`` (a builder per zone id), the records that read the same in every view and
    need no selection (no weighted targets, no views; values, or a pool ``plain_pool`` accepts)
    go there straight as answer-ready RRsets instead: no :class:`RRset` is made for them, which
    at a million records is most of the cold start's time and memory (bench/RESULTS.md)."""
    out: dict[int, list[RRset]] = {zone_id: [] for zone_id in zones}
    if not zones:
        return out
    pool_names = {pool_id: pool.name for pool_id, pool in pools.items()}
    zone_names = {zone_id: zone.name for zone_id, zone in zones.items()}
    targets = _targets(conn, list(zones), pool_names)
    plain_pools = {pool_id for pool_id, pool in pools.items() if plain_pool(pool)}
    expanded: dict[tuple[int, str], tuple[Rdata, ...]] = {}
    shared = _Shared()
    nodes = {zone_id: builder.nodes for zone_id, builder in (plain or {}).items()}
    for row_id, zone_id, name, stored_type, ttl, pool_id, owner, mode, views_text, rdata in _record_rows(
        conn, list(zones)
    ):
        rtype = shared(stored_type)
        views = json.loads(views_text) if views_text is not None and views_text != "null" else None
        if plain is not None and not views and row_id not in targets:
            rdatas: tuple[Rdata, ...] | None
            if pool_id is not None:
                rdatas = expanded.get((pool_id, rtype))
                if rdatas is None and pool_id in plain_pools:  # one tuple per pool and type
                    rdatas = expanded[(pool_id, rtype)] = pool_rdatas(pools[pool_id], rtype)
            elif rtype == "A" and rdata.startswith('["') and is_plain_ipv4(rdata[2:-2]):  # ["192.0.2.1"]
                rdatas = (Address(rdata[2:-2]),)
            else:
                rdatas = tuple([parse_rdata(rtype, text) for text in _texts(rdata)])
            if rdatas is not None:
                if rdatas:  # an RRset that expands to nothing is left out, as build_zone does
                    answer = RRsetData(name, rtype, shared(ttl), rdatas)
                    zone_nodes = nodes[zone_id]
                    if name in zone_nodes:
                        plain[zone_id].add(answer)
                    else:  # a name's first RRset, inlined from NodesBuilder.add
                        zone_nodes[name] = OneNode(answer)
                continue
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


@dataclass(frozen=True, slots=True)
class ServingRows:
    """What the DNS server builds its snapshot from: per zone, the nodes of the records that
    read the same in every view (apex SOA and NS included) and the other records as RRsets."""

    cursor: int
    zones: dict[str, tuple[Zone, list[RRset]]]
    base: dict[str, dict[str, Node]]
    pools: dict[str, Pool]


class StateReader(StoreBase):
    @contextmanager
    def _consistent(self) -> Iterator[tuple[Connection, int]]:
        """A connection whose reads all see one moment (REPEATABLE READ on PostgreSQL; SQLite's
        read transaction already does), and the id of the last change committed by then."""
        with self.read() as session, collector_paused():
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            conn = session.connection()
            yield conn, conn.scalar(select(func.max(ChangeRow.__table__.c.id))) or 0

    def serving_rows(self, plain_pool: PlainPool) -> ServingRows:
        """Every zone and pool in one consistent transaction, split as :class:`ServingRows`
        says (``plain_pool``: see :func:`read_rrsets`)."""
        with self._consistent() as (conn, cursor):
            zone_rows = _zones(conn, None)
            pools = _pools(conn)
            builders = {zone_id: apex_nodes(zone) for zone_id, zone in zone_rows.items()}
            records = read_rrsets(conn, zone_rows, pools, builders, plain_pool)
            return ServingRows(
                cursor,
                {zone.name: (zone, records[zone_id]) for zone_id, zone in zone_rows.items()},
                {zone.name: builders[zone_id].nodes for zone_id, zone in zone_rows.items()},
                {pool.name: pool for pool in pools.values()},
            )

    def load_state(self, zones: Iterable[str] | None = None) -> StoreState:
        """The named zones (all when None) with their RRsets, and every pool, read in one
        consistent transaction: what :meth:`dnsd.store.changes.ChangeOps.load_state` returns."""
        with self._consistent() as (conn, cursor):
            zone_rows = _zones(conn, zones)
            pools = _pools(conn)
            records = read_rrsets(conn, zone_rows, pools)
            state = {zone.name: (zone, records[zone_id]) for zone_id, zone in zone_rows.items()}
            return StoreState(cursor, state, {pool.name: pool for pool in pools.values()})


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off meanwhile: millions of new objects and no cycles would make it
    walk the growing heap again and again (at a million records, 10 s of a 28 s load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
