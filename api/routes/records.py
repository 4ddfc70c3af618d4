"""``/records``: the idempotent "make it so" POST, listing, and changes by id or by name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.auth import Caller, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.params import DEFAULT_LIMIT, Limit, Offset, RecordId, lookup_name, query_name
from api.schemas import RecordIn, RecordOut, RecordPage, RecordPatch, RecordsDeleted, RecordWritten
from dnsd.domain.records import make_rrset
from dnsd.store.records import RecordFilter

router = APIRouter(prefix="/records", tags=["records"], dependencies=[Depends(authenticate)])

_PUT_OK: dict[int | str, dict[str, Any]] = {
    200: {"model": RecordWritten, "description": "unchanged, or replaced by the same owner"}
}


@router.post(
    "",
    status_code=201,
    responses=_PUT_OK | documented(401, 403, 404, 409, 503),
)
def put_record(body: RecordIn, caller: Caller, store: StoreDep, response: Response) -> RecordWritten:
    """Make the RRset (name, type) hold exactly this content for this owner.

    201 when the RRset is new; 200 otherwise, with ``changed`` false when it already held this
    content (no new serial). 409 when another owner holds the name.
    """
    rrset = make_rrset(
        body.name, body.type, body.ttl, body.owner, body.values, body.pool, store.limits,
        targets=body.targets, mode=body.mode, views=body.views,
    )  # fmt: skip
    caller.require_record_write(store, rrset.name)
    result = store.put_rrset(rrset, caller.actor)
    if not result.created:
        response.status_code = 200
    return RecordWritten.of_result(result)


@router.get("", responses=documented(401, 503))
def list_records(
    store: StoreDep,
    zone: str | None = None,
    name: str | None = None,
    type: str | None = None,
    owner: str | None = None,
    pool: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> RecordPage:
    """One page of RRsets matching every filter given, ordered by name and type. ``pool``
    matches a record on that pool, as plain pool or as any of its weighted targets."""
    flt = RecordFilter(
        zone=lookup_name(zone) if zone else None,
        name=lookup_name(name) if name else None,
        type=type,
        owner=owner,
        pool=pool.strip().lower() if pool else None,
    )
    rrsets, total = store.list_rrsets(flt, limit=limit, offset=offset)
    return RecordPage(items=[RecordOut.of(r) for r in rrsets], total=total, limit=limit, offset=offset)


@router.delete("", responses=documented(401, 403, 404, 409, 503))
def delete_records(
    caller: Caller,
    store: StoreDep,
    name: Annotated[str, Query(description="owner name of the RRsets")],
    type: Annotated[str | None, Query(description="only this type (default: every type)")] = None,
    owner: Annotated[str | None, Query(description="refuse (409) unless this owner holds them")] = None,
) -> RecordsDeleted:
    """Delete the RRsets at ``name`` (of one ``type``, if given) in one change: CI teardown."""
    canonical = query_name(name, "name")
    caller.require_record_write(store, canonical)
    deleted = store.delete_by_name(canonical, caller.actor, rtype=type, owner=owner)
    return RecordsDeleted(deleted=[RecordOut.of(r) for r in deleted])


@router.get("/{record_id}", responses=documented(401, 404, 503))
def get_record(record_id: RecordId, store: StoreDep) -> RecordOut:
    return RecordOut.of(store.get_rrset(record_id))


@router.patch("/{record_id}", responses=documented(401, 403, 404, 503))
def patch_record(record_id: RecordId, body: RecordPatch, caller: Caller, store: StoreDep) -> RecordWritten:
    """Change the TTL and/or the content (``values``, ``pool`` or ``targets``), the ``mode`` or
    the ``views`` of one RRset; the owner stays."""
    caller.require_zone_write(store.get_rrset(record_id).zone)
    result = store.patch_rrset(
        record_id, caller.actor, ttl=body.ttl, values=body.values, pool=body.pool,
        targets=body.targets, mode=body.mode, views=body.views,
    )  # fmt: skip
    return RecordWritten.of_result(result)


@router.delete("/{record_id}", responses=documented(401, 403, 404, 409, 503))
def delete_record(
    record_id: RecordId,
    caller: Caller,
    store: StoreDep,
    owner: Annotated[str | None, Query(description="refuse (409) unless this owner holds it")] = None,
) -> RecordsDeleted:
    """Delete one RRset."""
    caller.require_zone_write(store.get_rrset(record_id).zone)
    return RecordsDeleted(deleted=[RecordOut.of(store.delete_rrset(record_id, caller.actor, owner=owner))])
