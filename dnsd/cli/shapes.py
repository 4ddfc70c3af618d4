"""The JSON shape of each entity the CLI prints: the same fields the HTTP API returns."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dnsd.domain.changes import Change, Token
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.zones import Zone


def zone_json(zone: Zone) -> dict[str, Any]:
    return asdict(zone)


def pool_json(pool: Pool) -> dict[str, Any]:
    return asdict(pool)


def record_json(rrset: RRset) -> dict[str, Any]:
    return {
        "id": rrset.id, "name": rrset.name, "type": rrset.rtype, "ttl": rrset.ttl,
        "values": rrset.value_texts(), "pool": rrset.pool, "owner": rrset.owner, "zone": rrset.zone,
    }  # fmt: skip


def token_json(token: Token) -> dict[str, Any]:
    return asdict(token)


def change_json(change: Change) -> dict[str, Any]:
    return asdict(change)


def record_data(rrset: RRset) -> list[str]:
    """What a record answers with, for a table cell: its values, or ``pool:<name>``."""
    return [f"pool:{rrset.pool}"] if rrset.pool else rrset.value_texts()
