"""Backup and restore of the whole store (``dnsd dump`` / ``dnsd restore``).

:meth:`DumpOps.dump_document` reads zones, pools, records and Kubernetes pool mappings in one
consistent transaction and returns the document of :mod:`dnsd.domain.dump_format`.
:meth:`DumpOps.restore_document` checks a document completely, then writes it in one
transaction: into an empty store, or with ``force`` in place of everything the store holds.

Serials never go backwards for a secondary: a zone keeps its dumped serial unless this
database knew the zone at the same or a newer serial (it exists, or the change log remembers
it), in which case it gets the next serial after that one. The restore is one change row
(``store.restore``) naming every zone it wrote or removed, so the DNS process reloads them and
secondaries fall back to AXFR (the change carries no IXFR diff).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dnsd.domain.dump_format import StoreDump, parse_document, to_document
from dnsd.domain.errors import Conflict
from dnsd.domain.health import check_dict
from dnsd.domain.k8s import MappingEntry
from dnsd.domain.zones import restored_serial, zone_dict
from dnsd.store.base import StoreBase, ZoneDelta
from dnsd.store.convert import pool_from_row, rrset_from_row, zone_from_row
from dnsd.store.engine import is_sqlite
from dnsd.store.k8s_tables import K8sMappingRow
from dnsd.store.pools import address_rows
from dnsd.store.records import write_record
from dnsd.store.tables import (
    ChangeZoneRow,
    MemberHealthRow,
    PoolAddressRow,
    PoolRow,
    RecordRow,
    RecordTargetRow,
    ViewRow,
    ZoneRow,
)
from dnsd.store.views import view_from_row


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What a restore wrote: counts, each zone's serial now, and whether it replaced data."""

    zones: int
    pools: int
    records: int
    mappings: int
    serials: dict[str, int]
    replaced: bool


class DumpOps(StoreBase):
    def dump(self) -> StoreDump:
        """Views, zones, pools, records and pool mappings, read in one consistent transaction."""
        with self.read() as session:
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            zone_rows = {z.id: z for z in session.scalars(select(ZoneRow))}
            pool_rows = {p.id: p for p in session.scalars(select(PoolRow))}
            rrsets = tuple(
                rrset_from_row(r, zone_rows[r.zone_id].name, pool_rows[r.pool_id].name if r.pool_id else None)
                for r in session.scalars(select(RecordRow))
            )
            mappings = tuple(
                MappingEntry(m.kind, m.key, m.pool) for m in session.scalars(select(K8sMappingRow))
            )
            zones = tuple(zone_from_row(z) for z in zone_rows.values())
            view_rows = list(session.scalars(select(ViewRow)))
            return StoreDump(
                zones, tuple(pool_from_row(p) for p in pool_rows.values()), rrsets, mappings,
                tuple(view_from_row(v) for v in view_rows),
                tuple((v.name, v.description) for v in view_rows if v.description),
            )  # fmt: skip

    def dump_document(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """The whole store as one portable document (see :mod:`dnsd.domain.dump_format`)."""
        return to_document(self.dump(), now or dt.datetime.now(dt.UTC))

    def restore_document(self, doc: object, actor: str, force: bool = False) -> RestoreResult:
        """Check ``doc`` completely, then write it in one transaction.

        :class:`InvalidInput` lists every problem of the document; :class:`Conflict` when the
        store holds zones, pools, records or mappings and ``force`` is not given. Either way
        nothing is written. With ``force`` all four are replaced; tokens, TSIG keys, sync status
        and the change log stay.
        """
        dump = parse_document(doc)
        with self.write() as session:
            held = _held(session)
            if any(held.values()) and not force:
                what = ", ".join(f"{n} {k}" for k, n in held.items() if n)
                raise Conflict(
                    f"the store is not empty ({what}); restore replaces everything only when forced (--force)"
                )
            known = _known_serials(session, [z.name for z in dump.zones])
            removed = _clear(session, {z.name for z in dump.zones})
            rows = self._write(session, dump, known)
            self.record_change(
                session, actor=actor, action="store.restore",
                subject=f"{len(dump.zones)} zones, {len(dump.pools)} pools, {len(dump.rrsets)} records",
                deltas=[ZoneDelta(row, bump=False) for row in rows.values()]
                + [ZoneDelta(row, deleted=True) for row in removed],
                after={"views": len(dump.views), "zones": len(dump.zones), "pools": len(dump.pools),
                       "records": len(dump.rrsets),
                       "k8s_mappings": len(dump.mappings)},
            )  # fmt: skip
            serials = {name: row.serial for name, row in sorted(rows.items())}
            counts = (len(dump.zones), len(dump.pools), len(dump.rrsets), len(dump.mappings))
            return RestoreResult(*counts, serials=serials, replaced=any(held.values()))

    def _write(self, session: Session, dump: StoreDump, known: dict[str, int]) -> dict[str, ZoneRow]:
        """Insert views, pools, zones (updating the rows of zones kept), records and mappings."""
        descriptions = dict(dump.view_descriptions)
        session.add_all(
            ViewRow(name=v.name, networks=list(v.networks), description=descriptions.get(v.name, ""))
            for v in dump.views
        )
        pools = {
            p.name: PoolRow(
                name=p.name, description=p.description, addresses=address_rows(p),
                health_check=check_dict(p.check) if p.check else None,
            )
            for p in dump.pools
        }  # fmt: skip
        session.add_all(pools.values())
        existing = {z.name: z for z in session.scalars(select(ZoneRow))}
        rows: dict[str, ZoneRow] = {}
        for zone in dump.zones:
            row = existing.get(zone.name) or ZoneRow()
            for key, value in zone_dict(zone).items():
                setattr(row, key, value)
            row.serial = restored_serial(zone.serial, known.get(zone.name), self.serial_policy)
            rows[zone.name] = row
            session.add(row)
        session.flush()
        pool_ids = {name: row.id for name, row in pools.items()}
        for r in dump.rrsets:
            record = RecordRow(zone_id=rows[r.zone].id, name=r.name, type=r.rtype, owner=r.owner)
            session.add(record)
            write_record(session, record, r, pool_ids)
        session.add_all(K8sMappingRow(kind=m.kind, key=m.key, pool=m.pool) for m in dump.mappings)
        return rows


def _held(session: Session) -> dict[str, int]:
    tables = {"views": ViewRow, "zones": ZoneRow, "pools": PoolRow, "records": RecordRow,
              "k8s mappings": K8sMappingRow}  # fmt: skip
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0 for name, table in tables.items()
    }


def _known_serials(session: Session, names: list[str]) -> dict[str, int]:
    """The newest serial this database gave each zone: its row, else the change log's last word
    (a zone deleted since may still be on a secondary at that serial)."""
    last = (
        select(ChangeZoneRow.zone, func.max(ChangeZoneRow.change_id).label("change_id"))
        .where(ChangeZoneRow.zone.in_(names))
        .group_by(ChangeZoneRow.zone)
        .subquery()
    )
    query = select(ChangeZoneRow).join(
        last, (ChangeZoneRow.zone == last.c.zone) & (ChangeZoneRow.change_id == last.c.change_id)
    )
    known = {}
    for row in session.scalars(query):
        serial = row.serial if row.serial is not None else row.prev_serial
        if serial is not None:
            known[row.zone] = serial
    for zone in session.scalars(select(ZoneRow).where(ZoneRow.name.in_(names))):
        known[zone.name] = zone.serial
    return known


def _clear(session: Session, keep: set[str]) -> list[ZoneRow]:
    """Delete records, mappings, pools (with their health states), views and the zones not in
    ``keep`` (returned, detached copies for the change row). Kept zones stay as rows, so what
    hangs off them survives."""
    session.execute(delete(RecordTargetRow))
    session.execute(delete(RecordRow))
    session.execute(delete(K8sMappingRow))
    session.execute(delete(PoolAddressRow))
    session.execute(delete(MemberHealthRow))
    session.execute(delete(PoolRow))
    session.execute(delete(ViewRow))
    gone = [z for z in session.scalars(select(ZoneRow)) if z.name not in keep]
    removed = [ZoneRow(name=z.name, serial=z.serial) for z in gone]
    for zone in gone:
        session.delete(zone)
    session.flush()
    return removed
