"""The health part of ``GET /pools/{name}``: each probed member's state (docs/steering.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.schemas import PoolOut
from dnsd.domain.pools import Pool
from dnsd.store.health import MemberHealth


class MemberHealthOut(BaseModel):
    address: str
    host: str = Field(description="the record name a route-aware (HTTP) check sends; '' for TCP")
    state: str = Field(description="up or down; a member never checked is not listed and counts as up")
    last_check: dt.datetime | None
    last_change: dt.datetime | None
    last_error: str


class PoolDetailOut(PoolOut):
    check: dict[str, object] | None = None
    health: list[MemberHealthOut] = Field(default_factory=list)

    @classmethod
    def detail(cls, pool: Pool, health: list[MemberHealth]) -> PoolDetailOut:
        base = PoolOut.of(pool).model_dump()
        members = [
            MemberHealthOut(
                address=m.address,
                host=m.host,
                state=m.state,
                last_check=m.last_check,
                last_change=m.last_change,
                last_error=m.last_error,
            )
            for m in health
        ]
        return cls(**base, health=members)  # PoolOut.of already gives the check
