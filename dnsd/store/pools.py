"""Pool operations. Changing a pool's addresses is one transaction that bumps the serial of
every zone with a record on the pool and writes one change row naming all of them."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, object_session

from dnsd.domain.errors import Conflict, NotFound
from dnsd.domain.health import HealthCheck, check_dict
from dnsd.domain.pools import Pool, make_pool, pool_dict
from dnsd.store.base import StoreBase, ZoneDelta, pool_key
from dnsd.store.convert import pool_from_row, rrset_from_row
from dnsd.store.lines import rr_lines, session_health
from dnsd.store.records import check_views_defined
from dnsd.store.tables import PoolAddressRow, PoolRow, RecordRow, RecordTargetRow, ZoneRow


def _uses_pool(pool_id: int) -> ColumnElement[bool]:
    """Records on the pool: as their pool, or as one of their weighted targets."""
    targeted = select(RecordTargetRow.record_id).where(RecordTargetRow.pool_id == pool_id)
    return or_(RecordRow.pool_id == pool_id, RecordRow.id.in_(targeted))


def _pool_name(record: RecordRow) -> str | None:
    if record.pool_id is None:
        return None
    if record.targets:
        return record.targets[0].pool.name
    pool = object_session(record).get(PoolRow, record.pool_id)  # type: ignore[union-attr]
    return pool.name if pool is not None else None


def address_rows(pool: Pool) -> list[PoolAddressRow]:
    """The member rows of ``pool``: default, public, then named views, each in its order."""
    return [PoolAddressRow(address=m.address, view=m.view, position=i) for i, m in enumerate(pool.members)]


class PoolOps(StoreBase):
    def create_pool(self, pool: Pool, actor: str) -> Pool:
        """Add ``pool`` (built by :func:`make_pool`); :class:`Conflict` if the name is taken."""
        with self.write() as session:
            if session.scalar(select(PoolRow).where(PoolRow.name == pool.name)) is not None:
                raise Conflict(f"pool {pool.name} already exists")
            check_views_defined(session, pool.views, "members")
            row = PoolRow(
                name=pool.name,
                description=pool.description,
                addresses=address_rows(pool),
                health_check=check_dict(pool.check) if pool.check else None,
            )
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
        """How many records point at the pool (as their pool or one of their weighted targets)."""
        with self.read() as session:
            row = self._pool_row(session, name)
            return session.scalar(select(func.count()).where(_uses_pool(row.id))) or 0

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
        *,
        view_members: dict[str, list[str]] | None = None,
        check: HealthCheck | Literal[False] | None = False,
    ) -> Pool:
        """Change a pool; every zone answering with it gets a new serial in the same transaction.
        ``view_members`` replaces the named views' members given (an empty list drops a view);
        ``check`` replaces the health check (None removes it; False keeps it)."""
        with self.write() as session:
            row = self._pool_row(session, name)
            old = pool_from_row(row)
            members = {view: list(addrs) for view, addrs in old.view_members}
            members.update(view_members or {})
            new = make_pool(
                name,
                list(old.addresses) if addresses is None else addresses,
                old.description if description is None else description,
                list(old.external_addresses) if external_addresses is None else external_addresses,
                view_members={v: a for v, a in members.items() if a},
                check=old.check if check is False else check,
            )
            if new == old:
                return old
            check_views_defined(session, new.views, "members")
            row.description = new.description
            row.health_check = check_dict(new.check) if new.check else None
            # delete the old address rows before inserting the new ones: the unit of work would
            # insert first, and an address kept in the new set would break the unique constraint
            row.addresses = []
            session.flush()
            row.addresses = address_rows(new)
            deltas = self._affected_zones(session, row.id, old, new) if new.members != old.members else []
            self.record_change(
                session, actor=actor, action="pool.update", subject=new.name,
                deltas=deltas, before=pool_dict(old), after=pool_dict(new),
            )  # fmt: skip
            return new

    @staticmethod
    def _affected_zones(session: Session, pool_id: int, old: Pool, new: Pool) -> list[ZoneDelta]:
        """Every zone with a record on the pool, with its default-view lines before and after.
        A zone whose lines do not change (only another view's members did) still gets a new
        serial: one zone, one serial across views."""
        records = session.scalars(select(RecordRow).where(_uses_pool(pool_id))).all()
        by_zone: dict[int, list[RecordRow]] = {}
        for record in records:
            by_zone.setdefault(record.zone_id, []).append(record)
        pools = {p.name: pool_from_row(p) for p in session.scalars(select(PoolRow))}
        health = session_health(session)
        deltas = []
        for zone_row in session.scalars(select(ZoneRow).where(ZoneRow.id.in_(by_zone))):
            rrsets = [rrset_from_row(r, zone_row.name, _pool_name(r)) for r in by_zone[zone_row.id]]
            removed = [line for r in rrsets for line in rr_lines(r, {**pools, old.name: old}, health)]
            added = [line for r in rrsets for line in rr_lines(r, {**pools, new.name: new}, health)]
            deltas.append(ZoneDelta(zone_row, removed, added))
        return deltas

    def delete_pool(self, name: str, actor: str) -> None:
        """Remove a pool; :class:`Conflict` while any record points at it."""
        with self.write() as session:
            row = self._pool_row(session, name)
            users = session.scalars(select(RecordRow).where(_uses_pool(row.id)).limit(5)).all()
            if users:
                names = ", ".join(f"{u.name}/{u.type}" for u in users)
                raise Conflict(f"pool {name} is still used by records ({names}); move them first")
            before = pool_dict(pool_from_row(row))
            session.delete(row)
            self.record_change(
                session, actor=actor, action="pool.delete", subject=row.name, deltas=[], before=before
            )
