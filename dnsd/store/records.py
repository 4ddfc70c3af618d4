"""Record (RRset) operations: the idempotent "make it so" put, reads, patches and deletes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.pools import DEFAULT_VIEW
from dnsd.domain.records import RRset, find_zone, make_rrset, placement_problems
from dnsd.domain.selection import all_up, health_from_states
from dnsd.domain.snapshot import expand
from dnsd.domain.targets import Target
from dnsd.store.base import MAX_INTEGER, StoreBase, ZoneDelta, check_integer, check_page, name_key, pool_key
from dnsd.store.convert import pool_from_row, rrset_dict, rrset_from_row
from dnsd.store.health import HealthOps
from dnsd.store.tables import PoolRow, RecordRow, RecordTargetRow, ZoneRow


@dataclass(frozen=True, slots=True)
class PutResult:
    """Outcome of :meth:`RecordOps.put_rrset`: ``created`` (new RRset), ``changed`` (new serial)."""

    rrset: RRset
    created: bool
    changed: bool
    serial: int


class NoZoneFor(NotFound):
    """No zone of ours contains the name (kind ``zone``, key the name, field ``name``)."""

    def __init__(self, name: str) -> None:
        super().__init__("zone", name, field="name")
        self.args = (f"no zone of ours contains {name}",)


@dataclass(frozen=True, slots=True)
class RecordFilter:
    zone: str | None = None
    name: str | None = None
    type: str | None = None
    owner: str | None = None
    pool: str | None = None


class RecordOps(StoreBase):
    def _lines(self, session: Session, rrset: RRset | None) -> list[RRLine]:
        if rrset is None:
            return []
        if rrset.pool is None:
            return [(rrset.name, rrset.rtype, rrset.ttl, t) for t in rrset.value_texts()]
        pools = {p: pool_from_row(self._pool(session, p)) for p in rrset.pools}
        states = HealthOps._states(session)  # the zone file carries healthy members only
        health = health_from_states(states) if states else all_up
        rdatas = expand(rrset, pools, DEFAULT_VIEW, health)
        return [(rrset.name, rrset.rtype, rrset.ttl, r.to_text()) for r in rdatas]

    @staticmethod
    def _pool(session: Session, name: str) -> PoolRow:
        row = session.scalar(select(PoolRow).where(PoolRow.name == pool_key(name)))
        if row is None:
            raise NotFound("pool", name, field="pool")
        return row

    @staticmethod
    def _zone_for(session: Session, name: str) -> ZoneRow:
        zones = StoreBase.zone_rows(session)
        zone = find_zone(name, zones)
        if zone is None:
            raise NoZoneFor(name)
        return zones[zone]

    def _to_domain(self, session: Session, row: RecordRow, zone: str) -> RRset:
        pool = session.get(PoolRow, row.pool_id).name if row.pool_id is not None else None  # type: ignore[union-attr]
        rrset = rrset_from_row(row, zone, pool)
        if row.targets and not rrset.targets:
            pools = [session.get(PoolRow, t.pool_id) for t in row.targets]
            targets = tuple(Target(p.name, t.weight) for p, t in zip(pools, row.targets, strict=True) if p)
            rrset = replace(rrset, targets=targets, mode="random" if row.mode == "random" else "hashed")
        return rrset

    def put_rrset(self, rrset: RRset, actor: str) -> PutResult:
        """Make the RRset (name, type) hold exactly ``rrset``'s content, owned by ``rrset.owner``.

        The same content again changes nothing; new content from the same owner replaces it;
        a name held by another owner raises :class:`Conflict` naming the holder.
        """
        with self.write() as session:
            zone = self._zone_for(session, rrset.name)
            pool_id = self._pool(session, rrset.pool).id if rrset.pool is not None else None
            rows = session.scalars(
                select(RecordRow).where(RecordRow.zone_id == zone.id, RecordRow.name == rrset.name)
            ).all()
            holders = sorted({r.owner for r in rows if r.owner != rrset.owner})
            if holders:
                raise Conflict(f"{rrset.name} is held by {holders[0]}", holder=holders[0])
            others = [self._to_domain(session, r, zone.name) for r in rows if r.type != rrset.rtype]
            problems = placement_problems(rrset, zone.name, others)
            if problems:
                raise InvalidInput(problems)
            current = next((r for r in rows if r.type == rrset.rtype), None)
            new = replace(rrset, zone=zone.name)
            if current is not None:
                old = self._to_domain(session, current, zone.name)
                if old.content() == new.content():
                    return PutResult(old, created=False, changed=False, serial=zone.serial)
            return self._write_rrset(session, zone, current, new, pool_id, actor)

    def _write_rrset(
        self,
        session: Session,
        zone: ZoneRow,
        row: RecordRow | None,
        new: RRset,
        pool_id: int | None,
        actor: str,
    ) -> PutResult:
        old = self._to_domain(session, row, zone.name) if row is not None else None
        if row is None:
            row = RecordRow(zone_id=zone.id, name=new.name, type=new.rtype, owner=new.owner)
            session.add(row)
        row.ttl, row.rdata, row.pool_id = new.ttl, new.value_texts(), pool_id
        row.mode = new.mode if new.targets else None
        pool_ids = [self._pool(session, t.pool).id for t in new.targets]
        row.targets = []  # old rows go first: a pool kept would break the unique constraint
        session.flush()
        row.targets = [
            RecordTargetRow(pool_id=pid, weight=t.weight, position=i)
            for i, (pid, t) in enumerate(zip(pool_ids, new.targets, strict=True))
        ]
        delta = ZoneDelta(zone, self._lines(session, old), self._lines(session, new))
        self.record_change(
            session, actor=actor, action="record.create" if old is None else "record.update",
            subject=f"{new.name}/{new.rtype}", owner=new.owner, deltas=[delta],
            before=rrset_dict(old) if old else None, after=rrset_dict(new),
        )  # fmt: skip
        return PutResult(replace(new, id=row.id), created=old is None, changed=True, serial=zone.serial)

    def get_rrset(self, record_id: int) -> RRset:
        check_integer("id", record_id, MAX_INTEGER)
        with self.read() as session:
            row = session.get(RecordRow, record_id)
            if row is None:
                raise NotFound("record", str(record_id))
            zone = session.get(ZoneRow, row.zone_id)
            assert zone is not None
            return self._to_domain(session, row, zone.name)

    def patch_rrset(
        self,
        record_id: int,
        actor: str,
        ttl: int | None = None,
        values: list[str] | None = None,
        pool: str | None = None,
    ) -> PutResult:
        """Change TTL and/or content of one RRset, keeping its owner; validated like a put."""
        old = self.get_rrset(record_id)
        use_pool = pool if pool is not None else (old.pool if values is None else None)
        use_values = values if values is not None else (old.value_texts() if use_pool is None else None)
        new = make_rrset(
            old.name, old.rtype, old.ttl if ttl is None else ttl, old.owner, use_values, use_pool, self.limits
        )
        return self.put_rrset(new, actor)

    def delete_rrset(self, record_id: int, actor: str, owner: str | None = None) -> RRset:
        """Delete one RRset; with ``owner``, only if that owner holds it (else :class:`Conflict`)."""
        check_integer("id", record_id, MAX_INTEGER)
        with self.write() as session:
            row = session.get(RecordRow, record_id)
            if row is None:
                raise NotFound("record", str(record_id))
            return self._delete_row(session, row, actor, owner)

    def _delete_row(self, session: Session, row: RecordRow, actor: str, owner: str | None) -> RRset:
        if owner is not None and row.owner != owner:
            raise Conflict(f"{row.name}/{row.type} is held by {row.owner}", holder=row.owner)
        zone = session.get(ZoneRow, row.zone_id)
        assert zone is not None
        old = self._to_domain(session, row, zone.name)
        delta = ZoneDelta(zone, self._lines(session, old), [])
        session.delete(row)
        self.record_change(
            session, actor=actor, action="record.delete", subject=f"{old.name}/{old.rtype}",
            owner=old.owner, deltas=[delta], before=rrset_dict(old),
        )  # fmt: skip
        return old

    def delete_by_name(
        self, name: str, actor: str, rtype: str | None = None, owner: str | None = None
    ) -> list[RRset]:
        """Delete the RRsets at ``name`` (optionally of one type) in one transaction (CI teardown)."""
        with self.write() as session:
            query = select(RecordRow).where(RecordRow.name == name_key(name))
            if rtype:
                query = query.where(RecordRow.type == rtype.upper())
            rows = session.scalars(query.order_by(RecordRow.type)).all()
            if not rows:
                raise NotFound("record", f"{name}/{rtype or '*'}")
            return [self._delete_row(session, row, actor, owner) for row in rows]

    def list_rrsets(self, flt: RecordFilter, limit: int = 100, offset: int = 0) -> tuple[list[RRset], int]:
        """One page of RRsets matching ``flt``, ordered by name and type, and the total count."""
        check_page(limit, offset)
        with self.read() as session:
            query = self._filtered(select(RecordRow, ZoneRow.name).join(ZoneRow), flt)
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.execute(query.order_by(RecordRow.name, RecordRow.type).limit(limit).offset(offset))
            return [self._to_domain(session, rec, zone) for rec, zone in rows], total

    @staticmethod
    def _filtered(query: Select[RecordRow, str], flt: RecordFilter) -> Select[RecordRow, str]:
        if flt.zone:
            query = query.where(ZoneRow.name == name_key(flt.zone))
        if flt.name:
            query = query.where(RecordRow.name == name_key(flt.name))
        if flt.type:
            query = query.where(RecordRow.type == flt.type.upper())
        if flt.owner:
            query = query.where(RecordRow.owner == flt.owner)
        if flt.pool:
            query = query.join(PoolRow, RecordRow.pool_id == PoolRow.id).where(
                PoolRow.name == pool_key(flt.pool)
            )
        return query
