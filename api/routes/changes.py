"""``/changes``: the audit log, oldest first; page with ``after_id`` = the last id seen."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import authenticate
from api.deps import StoreDep
from api.errors import documented
from api.params import DEFAULT_LIMIT, AfterId, Limit, lookup_name
from api.schemas import ChangeList, ChangeOut

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
