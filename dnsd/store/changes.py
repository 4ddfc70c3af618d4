"""The change log read side: the audit listing, the feed cursor, and consistent state loads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, func, select

from dnsd.domain.changes import Change, ZoneChange
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.zones import Zone
from dnsd.store.base import MAX_BIGINT, StoreBase, check_integer, check_page, name_key
from dnsd.store.convert import (
    change_from_row,
    pool_from_row,
    rrset_from_row,
    zone_change_from_row,
    zone_from_row,
)
from dnsd.store.engine import is_sqlite
from dnsd.store.health import HealthOps
from dnsd.store.tables import ChangeRow, ChangeZoneRow, PoolRow, RecordRow, ZoneRow


@dataclass(frozen=True, slots=True)
class StoreState:
    """Zones (with their RRsets) and pools read in one transaction, up to change ``cursor``."""

    cursor: int
    zones: dict[str, tuple[Zone, list[RRset]]]
    pools: dict[str, Pool]
    health: dict[tuple[str, ...], str] = field(default_factory=dict)  # member states (Probe.key)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: int
    zones: tuple[str, ...]


class ChangeOps(StoreBase):
    def list_changes(
        self,
        zone: str | None = None,
        owner: str | None = None,
        since: dt.datetime | None = None,
        after_id: int = 0,
        limit: int = 100,
        *,
        newest_first: bool = False,
        lines_under: int | None = None,
    ) -> list[Change]:
        """Changes filtered by zone touched, record owner, time and id: the first ``limit``
        oldest first, or with ``newest_first`` the last ``limit`` newest first. ``lines_under``
        leaves out changes whose RR lines in one zone take that many characters or more (bulk
        imports: the IXFR journal skips them, and parsing them would cost seconds)."""
        check_page(limit)
        check_integer("after_id", after_id, MAX_BIGINT)
        with self.read() as session:
            query = select(ChangeRow).where(ChangeRow.id > after_id)
            if zone:
                touched = select(ChangeZoneRow.change_id).where(ChangeZoneRow.zone == name_key(zone))
                query = query.where(ChangeRow.id.in_(touched))
            if owner:
                query = query.where(ChangeRow.owner == owner)
            if since:
                query = query.where(ChangeRow.created_at >= since)
            if lines_under is not None:
                chars = func.length(cast(ChangeZoneRow.added, Text)) + func.length(
                    cast(ChangeZoneRow.removed, Text)
                )
                large = select(ChangeZoneRow.change_id).where(chars >= lines_under)
                query = query.where(ChangeRow.id.not_in(large))
            order = ChangeRow.id.desc() if newest_first else ChangeRow.id
            return [change_from_row(r) for r in session.scalars(query.order_by(order).limit(limit))]

    def zone_history(self, zone: str, after_serial_change: int = 0) -> list[ZoneChange]:
        """Every recorded change of one zone in commit order (IXFR's source)."""
        with self.read() as session:
            rows = session.scalars(
                select(ChangeZoneRow)
                .where(ChangeZoneRow.zone == name_key(zone), ChangeZoneRow.change_id > after_serial_change)
                .order_by(ChangeZoneRow.change_id)
            )
            return [zone_change_from_row(r) for r in rows]

    def last_change_id(self) -> int:
        with self.read() as session:
            return session.scalar(select(func.max(ChangeRow.id))) or 0

    def feed(self, cursor: int, limit: int = 1000) -> list[FeedEntry]:
        """Changes after ``cursor`` with the zones each touched, oldest first."""
        check_page(limit)
        with self.read() as session:
            rows = session.scalars(
                select(ChangeRow).where(ChangeRow.id > cursor).order_by(ChangeRow.id).limit(limit)
            )
            return [FeedEntry(r.id, tuple(z.zone for z in r.zones)) for r in rows]

    def load_state(self, zones: Iterable[str] | None = None) -> StoreState:
        """Read the named zones (all when None) and every pool in one consistent transaction."""
        with self.read() as session:
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            cursor = session.scalar(select(func.max(ChangeRow.id))) or 0
            query = select(ZoneRow)
            if zones is not None:
                query = query.where(ZoneRow.name.in_(list(zones)))
            zone_rows = session.scalars(query).all()
            pools_by_id = {p.id: pool_from_row(p) for p in session.scalars(select(PoolRow))}
            out: dict[str, tuple[Zone, list[RRset]]] = {}
            by_id: dict[int, tuple[Zone, list[RRset]]] = {z.id: (zone_from_row(z), []) for z in zone_rows}
            records = session.scalars(select(RecordRow).where(RecordRow.zone_id.in_(list(by_id))))
            for rec in records:
                zone, rrsets = by_id[rec.zone_id]
                pool = pools_by_id[rec.pool_id].name if rec.pool_id is not None else None
                rrsets.append(rrset_from_row(rec, zone.name, pool))
            for zone, rrsets in by_id.values():
                out[zone.name] = (zone, rrsets)
            health = HealthOps._states(session)
            return StoreState(cursor, out, {p.name: p for p in pools_by_id.values()}, health)
