"""``/sync/status``: the last provider sync (DNSPod) of every zone: when, result, counts, drift;
``POST /sync/approve``: let the next sync of a zone apply the plan the safety limit refused.

Any valid token may read the status; approving takes an admin token. The runs themselves are
made by ``dnsd sync dnspod`` (one-shot or ``--watch``, which notices an approval within seconds).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import Admin, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.params import lookup_name
from dnsd.domain.sync_status import K8S_PROVIDER, SyncStatus
from dnsd.store.sync_status import SyncStatusStore

router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[Depends(authenticate)])


class SyncStatusOut(BaseModel):
    provider: str = Field(examples=["dnspod"])
    zone: str
    run_at: dt.datetime
    mode: str = Field(description="plan, apply, watch or reconcile")
    result: str = Field(
        description="in-sync, planned, applied, partial, failed, error, refused (over the safety limit:"
        " approve it), over-limit (over the DNSPod plan's limits) or approved"
    )
    creates: int
    updates: int
    deletes: int
    conflicts: int = Field(description="unmanaged provider records left alone where dnsd wants an RRset")
    failed: int = Field(description="changes that failed or were not attempted")
    drift: int = Field(description="dnsd's records found changed in the provider since dnsd applied them")
    message: str
    last_success_at: dt.datetime | None = Field(description="last time the provider matched the store")

    @classmethod
    def of(cls, status: SyncStatus) -> SyncStatusOut:
        return cls(
            provider=status.provider, zone=status.zone, run_at=status.run_at, mode=status.mode,
            result=status.result, creates=status.creates, updates=status.updates, deletes=status.deletes,
            conflicts=status.conflicts, failed=status.failed, drift=status.drift, message=status.message,
            last_success_at=status.last_success_at,
        )  # fmt: skip


class SyncStatusList(BaseModel):
    items: list[SyncStatusOut]


@router.get("/status", responses=documented(401, 503))
def sync_status(
    store: StoreDep,
    provider: Annotated[str | None, Query(description="only this provider, e.g. dnspod")] = None,
    zone: Annotated[str | None, Query(description="only this zone")] = None,
) -> SyncStatusList:
    statuses = SyncStatusStore(store.engine).list_sync_statuses(provider, lookup_name(zone) if zone else None)
    # The Kubernetes controller's row is shown by GET /k8s/status.
    return SyncStatusList(items=[SyncStatusOut.of(s) for s in statuses if s.provider != K8S_PROVIDER])


@router.post("/approve", responses=documented(401, 403, 404, 409, 503))
def approve_sync(
    admin: Admin,
    store: StoreDep,
    zone: Annotated[str, Query(description="the zone whose refused plan to approve")],
    provider: Annotated[str, Query(description="the provider")] = "dnspod",
) -> SyncStatusOut:
    """Approve, once, the plan the safety limit refused for ``zone``: the next sync applies it
    (``--watch`` notices within seconds). 409 when the zone's last sync was not refused."""
    status = SyncStatusStore(store.engine).approve(provider, lookup_name(zone), admin.actor)
    return SyncStatusOut.of(status)
