"""Bearer-token authentication and the scope rules.

Tokens are made with ``dnsd token create`` and checked with :meth:`ZoneStore.verify_token`.
Scopes: ``read`` may GET everything; ``write`` with zones may also change records in those zones;
``write`` without zones is an admin, who may change everything (zones, pools, any record).
In dev mode (``settings.auth_disabled``) every request acts as the admin ``dev``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import ContextDep
from api.errors import Forbidden, Unauthenticated
from dnsd.domain.changes import Token
from dnsd.domain.expiry import iso
from dnsd.domain.records import find_zone
from dnsd.store.zonestore import ZoneStore

DEV_ACTOR = "dev"

_bearer = HTTPBearer(auto_error=False, description="a token made with `dnsd token create`")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: ``actor`` goes into the change log; ``token`` is None only in dev mode."""

    actor: str
    token: Token | None

    @property
    def is_admin(self) -> bool:
        return self.token is None or self.token.is_admin

    def may_write(self, zone: str | None) -> bool:
        return self.token is None or self.token.may_write(zone)

    def require_admin(self) -> None:
        """Raise :class:`Forbidden` unless this is an admin (write scope, no zone list)."""
        if not self.is_admin:
            raise Forbidden(f"{self.actor} may not do this: it needs a write token without a zone list")

    def require_zone_write(self, zone: str | None) -> None:
        """Raise :class:`Forbidden` unless this caller may change records in ``zone``."""
        if self.may_write(zone):
            return
        if self.token is not None and self.token.scope != "write":
            raise Forbidden(f"{self.actor} has a read-only token")
        raise Forbidden(f"{self.actor} may not change records in zone {zone}")

    def require_record_write(self, store: ZoneStore, name: str) -> None:
        """Raise :class:`Forbidden` unless this caller may change records at ``name`` (canonical).

        The name belongs to the longest zone that contains it. A name in no zone is left for
        the store to refuse (404), so a write token learns which zone is missing.
        """
        self.require_records_write(store, [name])

    def require_records_write(self, store: ZoneStore, names: Iterable[str]) -> None:
        """:meth:`require_record_write` for many names, reading the zones once."""
        if self.is_admin:
            return
        if self.token is not None and self.token.scope != "write":
            raise Forbidden(f"{self.actor} has a read-only token")
        zones = [z.name for z in store.list_zones()]
        for zone in sorted({z for name in names if (z := find_zone(name, zones)) is not None}):
            self.require_zone_write(zone)


def authenticate(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller behind ``Authorization: Bearer <token>``; :class:`Unauthenticated` if none."""
    if ctx.settings.auth_disabled:
        return Principal(DEV_ACTOR, None)
    if credentials is None:
        raise Unauthenticated("missing bearer token (Authorization: Bearer <token>)")
    token = ctx.store.find_token(credentials.credentials)
    if token is None:
        raise Unauthenticated("unknown or revoked token")
    if token.expires_at is not None and token.expired(dt.datetime.now(dt.UTC)):
        raise Unauthenticated(f"token {token.name} expired at {iso(token.expires_at)}")
    return Principal(f"token:{token.name}", token)


def admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    principal.require_admin()
    return principal


Caller = Annotated[Principal, Depends(authenticate)]
Admin = Annotated[Principal, Depends(admin)]
