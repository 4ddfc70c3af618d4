"""Record (RRset) operations: the idempotent "make it so" put, reads, patches and deletes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW
from dnsd.domain.records import RRset, find_zone, make_rrset, placement_problems
from dnsd.store.base import MAX_INTEGER, StoreBase, ZoneDelta, check_integer, check_page, name_key, pool_key
from dnsd.store.convert import pool_from_row, rrset_dict, rrset_from_row
from dnsd.store.lines import rr_lines, session_health
from dnsd.store.tables import PoolRow, RecordRow, RecordTargetRow, ViewRow, ZoneRow


def check_views_defined(session: Session, views: tuple[str, ...] | list[str], field: str) -> None:
    """:class:`InvalidInput` naming ``field.N`` for each named view that is not defined
    (``default`` and ``public`` always are)."""
    named = [v for v in views if v not in (DEFAULT_VIEW, PUBLIC_VIEW)]
    if not named:
        return
    defined = set(session.scalars(select(ViewRow.name).where(ViewRow.name.in_(named))))
    reasons = [
        Reason(f"{field}.{i}", f"view {v!r} is not defined (define it first: POST /views)")
        for i, v in enumerate(views)
        if v not in defined and v not in (DEFAULT_VIEW, PUBLIC_VIEW)
    ]
    if reasons:
        raise InvalidInput(reasons)


def write_record(session: Session, row: RecordRow, rrset: RRset, pool_ids: dict[str, int]) -> None:
    """Set ``row``'s content from ``rrset``: TTL, values, pool, weighted targets, mode, views."""
    row.ttl, row.rdata = rrset.ttl, rrset.value_texts()
    row.pool_id = pool_ids[rrset.pool] if rrset.pool is not None else None
    row.mode = rrset.mode if rrset.targets else None
    row.views = list(rrset.views) or None
    if row.targets:
        row.targets = []  # delete first: the unit of work would insert first and break uniqueness
        session.flush()
    row.targets = [
        RecordTargetRow(pool_id=pool_ids[t.pool], weight=t.weight, position=i)
        for i, t in enumerate(rrset.targets)
    ]


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
    pool: str | None = None  # on this pool: the plain pool or any weighted target


class RecordOps(StoreBase):
    def _lines(self, session: Session, rrset: RRset | None) -> list[RRLine]:
        if rrset is None or rrset.pool is None:
            return rr_lines(rrset, {})
        pools = {name: pool_from_row(self._pool(session, name)) for name in rrset.pools}
        return rr_lines(rrset, pools, session_health(session))

    @staticmethod
    def _target_ids(session: Session, rrset: RRset) -> dict[str, int]:
        """The pool id of every pool ``rrset`` names; :class:`NotFound` (field ``pool`` or
        ``targets.N.pool``) for one that does not exist. Views named must be defined."""
        ids: dict[str, int] = {}
        for i, name in enumerate(rrset.pools):
            row = session.scalar(select(PoolRow).where(PoolRow.name == pool_key(name)))
            if row is None:
                raise NotFound("pool", name, field=f"targets.{i}.pool" if rrset.targets else "pool")
            ids[name] = row.id
        check_views_defined(session, rrset.views, "views")
        return ids

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
        return rrset_from_row(row, zone, pool)

    def put_rrset(self, rrset: RRset, actor: str) -> PutResult:
        """Make the RRset (name, type) hold exactly ``rrset``'s content, owned by ``rrset.owner``.

        The same content again changes nothing; new content from the same owner replaces it;
        a name held by another owner raises :class:`Conflict` naming the holder.
        """
        with self.write() as session:
            zone = self._zone_for(session, rrset.name)
            pool_ids = self._target_ids(session, rrset)
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
            return self._write_rrset(session, zone, current, new, pool_ids, actor)

    def _write_rrset(
        self,
        session: Session,
        zone: ZoneRow,
        row: RecordRow | None,
        new: RRset,
        pool_ids: dict[str, int],
        actor: str,
    ) -> PutResult:
        old = self._to_domain(session, row, zone.name) if row is not None else None
        if row is None:
            row = RecordRow(zone_id=zone.id, name=new.name, type=new.rtype, owner=new.owner)
            session.add(row)
        write_record(session, row, new, pool_ids)
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
        *,
        targets: dict[str, int] | None = None,
        mode: str | None = None,
        views: list[str] | None = None,
    ) -> PutResult:
        """Change TTL and/or content of one RRset, keeping its owner; validated like a put.
        New ``values``, ``pool`` or ``targets`` replace the content; ``mode`` and ``views`` are
        kept unless given."""
        old = self.get_rrset(record_id)
        use_values, use_pool, use_targets = values, pool, targets
        if values is None and pool is None and targets is None:  # keep the content
            use_values = old.value_texts() if old.pool is None else None
            use_targets = {t.pool: t.weight for t in old.targets} if old.targets else None
            use_pool = old.pool if old.pool is not None and not old.targets else None
        new = make_rrset(
            old.name, old.rtype, old.ttl if ttl is None else ttl, old.owner, use_values, use_pool,
            self.limits, targets=use_targets, mode=old.mode if mode is None else mode,
            views=list(old.views) if views is None else views,
        )  # fmt: skip
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
        if flt.pool:  # the first target (records.pool_id) or any later weighted target
            pool_id = select(PoolRow.id).where(PoolRow.name == pool_key(flt.pool)).scalar_subquery()
            later = select(RecordTargetRow.record_id).where(RecordTargetRow.pool_id == pool_id)
            query = query.where(or_(RecordRow.pool_id == pool_id, RecordRow.id.in_(later)))
        return query
