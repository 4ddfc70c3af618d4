"""Conversions between table rows and domain objects (the store's edge)."""

from __future__ import annotations

from typing import Any

from dnsd.domain.changes import Change, Token, ZoneChange
from dnsd.domain.health import make_check
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, Pool
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset, content_dict
from dnsd.domain.targets import Mode, Target
from dnsd.domain.zones import Zone
from dnsd.store.tables import ChangeRow, ChangeZoneRow, PoolRow, RecordRow, TokenRow, ZoneRow


def zone_from_row(row: ZoneRow) -> Zone:
    return Zone(
        name=row.name,
        serial=row.serial,
        ns=tuple(row.ns),
        mname=row.mname,
        rname=row.rname,
        refresh=row.refresh,
        retry=row.retry,
        expire=row.expire,
        minimum=row.minimum,
        ttl=row.ttl,
        secondaries=tuple(row.secondaries or ()),
        dnspod_sync=row.dnspod_sync,
    )


def pool_from_row(row: PoolRow) -> Pool:
    by_view: dict[str, list[str]] = {}
    for member in row.addresses:
        by_view.setdefault(member.view, []).append(member.address)
    internal = tuple(by_view.pop(DEFAULT_VIEW, ()))
    external = tuple(by_view.pop(PUBLIC_VIEW, ()))
    named = tuple((view, tuple(addrs)) for view, addrs in sorted(by_view.items()))
    check = make_check(row.health_check) if row.health_check else None
    return Pool(row.name, internal, row.description, external, named, check)


def rrset_from_row(row: RecordRow, zone: str, pool: str | None) -> RRset:
    values = tuple(parse_rdata(row.type, text) for text in row.rdata)
    if not row.targets and not row.views:
        return RRset(row.name, row.type, row.ttl, values, pool, row.owner, zone, row.id)
    targets = tuple(Target(t.pool.name, t.weight) for t in row.targets)
    mode: Mode = "random" if row.mode == "random" else "hashed"
    views = tuple(row.views or ())
    return RRset(row.name, row.type, row.ttl, values, pool, row.owner, zone, row.id, targets, mode, views)


def rrset_dict(rrset: RRset) -> dict[str, Any]:
    """The JSON form of an RRset used in change rows (before/after)."""
    out: dict[str, Any] = {"name": rrset.name, "type": rrset.rtype, "ttl": rrset.ttl, "owner": rrset.owner}
    out.update(content_dict(rrset))
    return out


def zone_change_from_row(row: ChangeZoneRow) -> ZoneChange:
    return ZoneChange(
        row.zone,
        row.prev_serial,
        row.serial,
        tuple((r[0], r[1], int(r[2]), r[3]) for r in row.removed),
        tuple((r[0], r[1], int(r[2]), r[3]) for r in row.added),
    )


def change_from_row(row: ChangeRow) -> Change:
    zones = tuple(zone_change_from_row(z) for z in row.zones)
    return Change(
        row.id, row.created_at, row.actor, row.owner, row.action, row.subject, row.before, row.after, zones
    )


def token_from_row(row: TokenRow) -> Token:
    return Token(
        row.id,
        row.name,
        row.scope,
        tuple(row.zones or ()),
        row.created_at,
        row.revoked_at is not None,
        row.expires_at,
    )
