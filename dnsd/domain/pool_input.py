"""A pool as operators give it (API body, CLI flags, seed entry): members per view and a health
check as JSON, every problem reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.health import HealthCheck, make_check
from dnsd.domain.pools import Pool, make_pool


def parse_check(data: object) -> HealthCheck | None:
    """The health check of JSON ``data`` (None: no check); :class:`InvalidInput` naming
    ``check`` or ``check.<field>``."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise InvalidInput([Reason("check", "a mapping like {kind: http, port: 80, path: /healthz}")])
    return make_check(data)


def checked_pool(
    name: str,
    addresses: list[str],
    description: str = "",
    external_addresses: list[str] | None = None,
    members: Mapping[str, list[str]] | None = None,
    check: Mapping[str, Any] | None = None,
) -> Pool:
    """:func:`make_pool` with the check given as JSON; the reasons of both come together."""
    reasons: list[Reason] = []
    health: HealthCheck | None = None
    try:
        health = parse_check(check)
    except InvalidInput as exc:
        reasons += exc.reasons
    try:
        pool = make_pool(name, addresses, description, external_addresses, view_members=members, check=health)
    except InvalidInput as exc:
        raise InvalidInput(exc.reasons + reasons) from None
    if reasons:
        raise InvalidInput(reasons)
    return pool
