"""Changes: the audit log entries, also the feed that DNS, transfers and exporters follow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

RRLine = tuple[str, str, int, str]  # (name, type, ttl, rdata text)


@dataclass(frozen=True, slots=True)
class ZoneChange:
    """What one change did to one zone: serial before/after and the RRs removed and added."""

    zone: str
    prev_serial: int | None
    serial: int | None
    removed: tuple[RRLine, ...] = ()
    added: tuple[RRLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change, as shown by ``GET /changes``."""

    id: int
    created_at: dt.datetime
    actor: str
    owner: str | None
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    zones: tuple[ZoneChange, ...]


@dataclass(frozen=True, slots=True)
class Token:
    """An API token (never its secret): ``scope`` is ``read`` or ``write``; a write token with
    ``zones`` may only change those zones, one without may change everything (admin). From
    ``expires_at`` on (UTC; None: never) it no longer authenticates."""

    id: int
    name: str
    scope: str
    zones: tuple[str, ...]
    created_at: dt.datetime
    revoked: bool
    expires_at: dt.datetime | None = None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def may_write(self, zone: str | None) -> bool:
        if self.revoked or self.scope != "write":
            return False
        return not self.zones or (zone is not None and zone in self.zones)

    @property
    def is_admin(self) -> bool:
        return self.scope == "write" and not self.zones and not self.revoked
