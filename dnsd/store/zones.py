"""Zone operations: create, read, update, delete."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.names import name_problems
from dnsd.domain.records import MAX_TTL
from dnsd.domain.secondaries import check_secondaries
from dnsd.domain.zones import Zone
from dnsd.store.base import StoreBase, ZoneDelta, name_key
from dnsd.store.convert import zone_from_row
from dnsd.store.tables import RecordRow, ZoneRow

_TIMERS = ("refresh", "retry", "expire", "minimum", "ttl")


def zone_dict(zone: Zone) -> dict[str, Any]:
    return {
        "name": zone.name, "ns": list(zone.ns), "mname": zone.mname, "rname": zone.rname,
        "refresh": zone.refresh, "retry": zone.retry, "expire": zone.expire, "minimum": zone.minimum,
        "ttl": zone.ttl, "secondaries": list(zone.secondaries), "dnspod_sync": zone.dnspod_sync,
    }  # fmt: skip


def apex_ns_lines(zone: Zone) -> list[RRLine]:
    """The apex NS RRs the zone answers with (they come from its settings, not from records)."""
    return [(zone.name, "NS", zone.ttl, f"{host}.") for host in zone.ns]


def _host(text: str, field: str, reasons: list[Reason], strict: bool) -> str:
    # strict: the API's hostname rules (no '*' at all in a zone's names); otherwise bind9's
    # zone-file rules (RFC 2181), the same the record path applies to imported names
    name, problems = name_problems(text, wildcard=not strict, strict=strict)
    reasons += [Reason(field, p) for p in problems]
    return name


def make_zone(
    name: str,
    ns: list[str],
    mname: str | None = None,
    rname: str | None = None,
    *,
    strict: bool = True,
    **fields: Any,
) -> Zone:
    """Validate every field of a zone at once; raise :class:`InvalidInput` listing them all.

    ``mname`` defaults to the first NS host and ``rname`` to ``hostmaster.<zone>``. The zone
    name and host names follow the API's hostname rules, or with ``strict=False`` (zone-file
    import) every name bind9 loads: any printable label, ``*`` anywhere an ordinary label.
    """
    reasons: list[Reason] = []
    zname = _host(name, "name", reasons, strict)
    hosts = tuple(_host(h, f"ns.{i}", reasons, strict) for i, h in enumerate(ns))
    if not ns:
        reasons.append(Reason("ns", "a zone needs at least one NS host"))
    if len(set(hosts)) != len(hosts):
        reasons.append(Reason("ns", "NS hosts must be distinct"))
    m = _host(mname, "mname", reasons, strict) if mname else (hosts[0] if hosts else "")
    r = _host(rname.replace("@", "."), "rname", reasons, strict) if rname else f"hostmaster.{zname}"
    for key in _TIMERS:
        value = fields.get(key)
        if value is not None and (
            isinstance(value, bool) or not (isinstance(value, int) and 0 <= value <= MAX_TTL)
        ):
            reasons.append(Reason(key, f"must be an integer between 0 and {MAX_TTL}"))
    secondaries: tuple[str, ...] = ()
    try:
        secondaries = check_secondaries(list(fields.get("secondaries") or ()))
    except InvalidInput as exc:
        reasons += exc.reasons
    if reasons:
        raise InvalidInput(reasons)
    timers = {k: fields[k] for k in _TIMERS if fields.get(k) is not None}
    zone = Zone(zname, 0, hosts, m, r, secondaries=secondaries, dnspod_sync=bool(fields.get("dnspod_sync")))
    return replace(zone, **timers)


def _new_host_problems(fields: dict[str, Any]) -> list[Reason]:
    """The host names given to :meth:`ZoneOps.update_zone` that break the API's hostname rules
    (a zone imported with names only bind9 allows keeps those it does not change)."""
    reasons: list[Reason] = []
    for i, host in enumerate(fields.get("ns") or ()):
        _host(host, f"ns.{i}", reasons, strict=True)
    if fields.get("mname"):
        _host(str(fields["mname"]), "mname", reasons, strict=True)
    if fields.get("rname"):
        _host(str(fields["rname"]).replace("@", "."), "rname", reasons, strict=True)
    return reasons


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
            reasons = _new_host_problems(fields)
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
