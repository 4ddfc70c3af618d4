"""``/changes``: the audit log, oldest first; page with ``after_id`` = the last id seen."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.auth import Caller, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.params import DEFAULT_LIMIT, AfterId, Limit, lookup_name
from api.revert import revert_for
from api.schemas import ChangeList, ChangeOut, RevertIn
from dnsd.store.base import MAX_BIGINT

router = APIRouter(prefix="/changes", tags=["changes"], dependencies=[Depends(authenticate)])


@router.get("", responses=documented(401, 503))
def list_changes(
    store: StoreDep,
    zone: Annotated[str | None, Query(description="only changes that touched this zone")] = None,
    owner: Annotated[str | None, Query(description="only changes to records of this owner")] = None,
    since: Annotated[dt.datetime | None, Query(description="ISO 8601; without an offset, UTC")] = None,
    after_id: AfterId = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> ChangeList:
    if since is not None:
        # The store compares in UTC; SQLite keeps no offset, so hand it UTC explicitly.
        since = since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since.astimezone(dt.UTC)
    changes = store.list_changes(
        zone=lookup_name(zone) if zone else None, owner=owner, since=since, after_id=after_id, limit=limit
    )
    return ChangeList(items=[ChangeOut.of(c) for c in changes])


@router.post("/{change_id}/revert", status_code=201, responses=documented(401, 403, 404, 409, 503))
def revert_change(
    change_id: Annotated[int, Path(ge=1, le=MAX_BIGINT, description="the change to undo")],
    caller: Caller,
    store: StoreDep,
    body: RevertIn | None = None,
) -> ChangeOut:
    """Record a new change that puts back the RRsets (or the pool) as they were before
    ``change_id``. 409 with the later changes named when one touched the same names, unless
    ``force``; 409 too when nothing is left to revert or the change is of a kind that records
    no previous state (zones, tokens, keys)."""
    force = body.force if body is not None else False
    return ChangeOut.of(revert_for(caller, store, change_id, force=force))
