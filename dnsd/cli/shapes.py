"""The JSON shape of each entity the CLI prints: the same fields the HTTP API returns."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dnsd.domain.changes import Change, Token
from dnsd.domain.health import check_dict
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.zones import Zone


def zone_json(zone: Zone) -> dict[str, Any]:
    return asdict(zone)


def pool_json(pool: Pool) -> dict[str, Any]:
    """The pool as ``GET /pools/{name}`` shows it."""
    return {
        "name": pool.name, "addresses": list(pool.addresses), "description": pool.description,
        "external_addresses": list(pool.external_addresses),
        "members": {view: list(addrs) for view, addrs in pool.view_members},
        "check": check_dict(pool.check) if pool.check is not None else None,
    }  # fmt: skip


def record_json(rrset: RRset) -> dict[str, Any]:
    return {
        "id": rrset.id, "name": rrset.name, "type": rrset.rtype, "ttl": rrset.ttl,
        "values": rrset.value_texts(), "pool": rrset.pool,
        "targets": {t.pool: t.weight for t in rrset.targets}, "mode": rrset.mode, "views": list(rrset.views),
        "owner": rrset.owner, "zone": rrset.zone,
    }  # fmt: skip


def token_json(token: Token) -> dict[str, Any]:
    return asdict(token)


def change_json(change: Change) -> dict[str, Any]:
    return asdict(change)


def record_data(rrset: RRset) -> list[str]:
    """What a record answers with, for a table cell: its values, or ``pool:<name>`` (with
    weights ``pool:<name>=<weight>``, the mode and the views when it has them)."""
    if rrset.targets:
        data = [f"pool:{t.pool}={t.weight}" for t in rrset.targets] + [f"mode:{rrset.mode}"]
    else:
        data = [f"pool:{rrset.pool}"] if rrset.pool else rrset.value_texts()
    return data + ([f"views:{','.join(rrset.views)}"] if rrset.views else [])
