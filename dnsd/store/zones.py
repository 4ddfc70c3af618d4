"""Zone operations: create, read, update, delete (validation is :func:`dnsd.domain.zones.make_zone`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.zones import Zone, apex_ns_lines, make_zone, new_host_problems, zone_dict
from dnsd.store.base import StoreBase, ZoneDelta, name_key
from dnsd.store.convert import zone_from_row
from dnsd.store.tables import RecordRow, ZoneRow


def _names_taken(session: Session, zone: str) -> list[str]:
    """Names at or below ``zone`` that records of other (parent) zones hold, a few of them."""
    below = or_(RecordRow.name == zone, RecordRow.name.endswith("." + zone, autoescape=True))
    rows = session.scalars(select(RecordRow.name).where(below).order_by(RecordRow.name).limit(5))
    return list(dict.fromkeys(rows))


class ZoneOps(StoreBase):
    def create_zone(self, zone: Zone, actor: str) -> Zone:
        """Add ``zone`` (built by :func:`make_zone`).

        :class:`Conflict` if it exists, or if a parent zone holds records at or below its name:
        the new zone would hide them and let another owner take their names.
        """
        with self.write() as session:
            if session.scalar(select(ZoneRow).where(ZoneRow.name == zone.name)) is not None:
                raise Conflict(f"zone {zone.name} already exists")
            taken = _names_taken(session, zone.name)
            if taken:
                raise Conflict(f"records of a parent zone live at {', '.join(taken)}; move them first")
            values = zone_dict(zone)
            row = ZoneRow(serial=self.next_serial(0), **values)
            session.add(row)
            session.flush()
            self.record_change(
                session, actor=actor, action="zone.create", subject=zone.name,
                deltas=[ZoneDelta(row, bump=False)], after=values,
            )  # fmt: skip
            return zone_from_row(row)

    def get_zone(self, name: str) -> Zone:
        with self.read() as session:
            row = session.scalar(select(ZoneRow).where(ZoneRow.name == name_key(name)))
            if row is None:
                raise NotFound("zone", name)
            return zone_from_row(row)

    def list_zones(self) -> list[Zone]:
        with self.read() as session:
            return [zone_from_row(r) for r in session.scalars(select(ZoneRow).order_by(ZoneRow.name))]

    def update_zone(self, name: str, actor: str, **fields: Any) -> Zone:
        """Change SOA/NS fields (validated as in :func:`make_zone`); bumps the serial."""
        name = name_key(name)
        with self.write() as session:
            row = session.scalar(select(ZoneRow).where(ZoneRow.name == name))
            if row is None:
                raise NotFound("zone", name)
            old = zone_from_row(row)
            before = zone_dict(old)
            merged = {**before, **{k: v for k, v in fields.items() if v is not None}}
            merged.pop("name")
            # names given now follow the API's rules; names stored (maybe imported) stay valid
            reasons = new_host_problems(fields)
            try:
                zone = make_zone(name, strict=False, **merged)
            except InvalidInput as exc:
                raise InvalidInput(reasons + exc.reasons) from None
            if reasons:
                raise InvalidInput(reasons)
            after = zone_dict(zone)
            if after == before:
                return zone_from_row(row)
            for key, value in after.items():
                setattr(row, key, value)
            # IXFR sends what changed at the apex: NS hosts or their TTL (the SOA it adds itself)
            old_ns, new_ns = apex_ns_lines(old), apex_ns_lines(zone)
            removed = [line for line in old_ns if line not in new_ns]
            added = [line for line in new_ns if line not in old_ns]
            self.record_change(
                session, actor=actor, action="zone.update", subject=name,
                deltas=[ZoneDelta(row, removed, added)], before=before, after=after,
            )  # fmt: skip
            return zone_from_row(row)

    def delete_zone(self, name: str, actor: str, force: bool = False) -> None:
        """Remove a zone; :class:`Conflict` while it holds records unless ``force``."""
        name = name_key(name)
        with self.write() as session:
            row = session.scalar(select(ZoneRow).where(ZoneRow.name == name))
            if row is None:
                raise NotFound("zone", name)
            count = session.scalar(select(func.count()).where(RecordRow.zone_id == row.id)) or 0
            if count and not force:
                raise Conflict(f"zone {name} still holds {count} records; delete them or use force")
            before = zone_dict(zone_from_row(row))
            self.record_change(
                session, actor=actor, action="zone.delete", subject=name,
                deltas=[ZoneDelta(row, deleted=True)], before=before,
            )  # fmt: skip
            session.delete(row)
