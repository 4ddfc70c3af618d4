"""Probes: ``/healthz`` (the process runs) and ``/readyz`` (it can serve). No token needed."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ContextDep
from api.errors import NotReady, documented
from api.schemas import Status

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Status:
    """Always 200 while the process runs: for liveness probes, which must not restart a
    process only because its database is away (DNS keeps answering from memory)."""
    return Status(status="ok")


@router.get("/readyz", responses=documented(503))
def readyz(ctx: ContextDep) -> Status:
    """200 when the database answers with a migrated schema and the DNS side (if any) reports
    ready; else 503 + reason."""
    ctx.store.ping()
    ctx.store.check_schema()
    if ctx.ready is not None:
        ok, reason = ctx.ready()
        if not ok:
            raise NotReady(reason)
    return Status(status="ready")
