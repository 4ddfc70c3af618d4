"""Pool operations. Changing a pool's addresses is one transaction that bumps the serial of
every zone with a record on the pool and writes one change row naming all of them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import Conflict, NotFound
from dnsd.domain.health import check_dict
from dnsd.domain.pools import Pool, make_pool, pool_dict
from dnsd.domain.selection import health_from_states
from dnsd.store.base import StoreBase, ZoneDelta, pool_key
from dnsd.store.convert import pool_from_row
from dnsd.store.health import HealthOps
from dnsd.store.tables import PoolAddressRow, PoolRow, RecordRow, ZoneRow


def pool_lines(record: RecordRow, pool: Pool) -> list[RRLine]:
    """The RRs a pool-backed record answers with."""
    return [(record.name, record.type, record.ttl, a) for a in pool.addresses_for(record.type)]


def healthy_lines(record: RecordRow, pool: Pool, states: dict[tuple[str, ...], str]) -> list[RRLine]:
    """:func:`pool_lines` without the members down for the record's name, unless none is up
    (fail open: then all of them)."""
    lines = pool_lines(record, pool)
    if not states:
        return lines
    is_up = health_from_states(states)
    up = [line for line in lines if is_up(pool.name, line[3], record.name)]
    return up or lines


def address_rows(pool: Pool) -> list[PoolAddressRow]:
    """The member rows of ``pool``: default, public, then named views, each in its order."""
    return [PoolAddressRow(address=m.address, view=m.view, position=i) for i, m in enumerate(pool.members)]


class PoolOps(StoreBase):
    def create_pool(self, pool: Pool, actor: str) -> Pool:
        """Add ``pool`` (built by :func:`make_pool`); :class:`Conflict` if the name is taken."""
        with self.write() as session:
            if session.scalar(select(PoolRow).where(PoolRow.name == pool.name)) is not None:
                raise Conflict(f"pool {pool.name} already exists")
            row = PoolRow(name=pool.name, description=pool.description, addresses=address_rows(pool))
            row.health_check = check_dict(pool.check) if pool.check is not None else None
            session.add(row)
            self.record_change(
                session,
                actor=actor,
                action="pool.create",
                subject=pool.name,
                deltas=[],
                after=pool_dict(pool),
            )
            return pool

    def get_pool(self, name: str) -> Pool:
        with self.read() as session:
            return pool_from_row(self._pool_row(session, name))

    def list_pools(self) -> list[Pool]:
        with self.read() as session:
            return [pool_from_row(r) for r in session.scalars(select(PoolRow).order_by(PoolRow.name))]

    def pool_usage(self, name: str) -> int:
        """How many records point at the pool."""
        with self.read() as session:
            row = self._pool_row(session, name)
            return session.scalar(select(func.count()).where(RecordRow.pool_id == row.id)) or 0

    @staticmethod
    def _pool_row(session: Session, name: str) -> PoolRow:
        row = session.scalar(select(PoolRow).where(PoolRow.name == pool_key(name)))
        if row is None:
            raise NotFound("pool", name)
        return row

    def update_pool(
        self,
        name: str,
        actor: str,
        addresses: list[str] | None = None,
        description: str | None = None,
        external_addresses: list[str] | None = None,
    ) -> Pool:
        """Change a pool; every zone answering with it gets a new serial in the same transaction."""
        with self.write() as session:
            row = self._pool_row(session, name)
            old = pool_from_row(row)
            new = make_pool(
                name,
                list(old.addresses) if addresses is None else addresses,
                old.description if description is None else description,
                list(old.external_addresses) if external_addresses is None else external_addresses,
            )
            if new == old:
                return old
            row.description = new.description
            # delete the old address rows before inserting the new ones: the unit of work would
            # insert first, and an address kept in the new set would break the unique constraint
            row.addresses = []
            session.flush()
            row.addresses = address_rows(new)
            deltas = self._affected_zones(session, row.id, old, new) if new.addresses != old.addresses else []
            self.record_change(
                session, actor=actor, action="pool.update", subject=new.name,
                deltas=deltas, before=pool_dict(old), after=pool_dict(new),
            )  # fmt: skip
            return new

    @staticmethod
    def _affected_zones(session: Session, pool_id: int, old: Pool, new: Pool) -> list[ZoneDelta]:
        records = session.scalars(select(RecordRow).where(RecordRow.pool_id == pool_id)).all()
        by_zone: dict[int, list[RecordRow]] = {}
        for record in records:
            by_zone.setdefault(record.zone_id, []).append(record)
        deltas = []
        states = HealthOps._states(session)  # the zone file carries healthy members only
        for zone_row in session.scalars(select(ZoneRow).where(ZoneRow.id.in_(by_zone))):
            removed = [line for r in by_zone[zone_row.id] for line in healthy_lines(r, old, states)]
            added = [line for r in by_zone[zone_row.id] for line in healthy_lines(r, new, states)]
            deltas.append(ZoneDelta(zone_row, removed, added))
        return deltas

    def delete_pool(self, name: str, actor: str) -> None:
        """Remove a pool; :class:`Conflict` while any record points at it."""
        with self.write() as session:
            row = self._pool_row(session, name)
            users = session.scalars(select(RecordRow).where(RecordRow.pool_id == row.id).limit(5)).all()
            if users:
                names = ", ".join(f"{u.name}/{u.type}" for u in users)
                raise Conflict(f"pool {name} is still used by records ({names}); move them first")
            before = pool_dict(pool_from_row(row))
            session.delete(row)
            self.record_change(
                session, actor=actor, action="pool.delete", subject=row.name, deltas=[], before=before
            )
