"""``/zones``: create, read, change and delete the zones we are authoritative for (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import Admin, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.params import lookup_name
from api.schemas import ZoneIn, ZoneList, ZoneOut, ZonePatch
from dnsd.domain.zones import make_zone

router = APIRouter(prefix="/zones", tags=["zones"], dependencies=[Depends(authenticate)])


@router.post("", status_code=201, responses=documented(401, 403, 409, 503))
def create_zone(body: ZoneIn, admin: Admin, store: StoreDep) -> ZoneOut:
    """Add a zone; ``mname`` defaults to the first NS host, ``rname`` to ``hostmaster.<zone>``."""
    fields = body.model_dump(exclude={"name", "ns", "mname", "rname"}, exclude_none=True)
    zone = make_zone(body.name, body.ns, body.mname, body.rname, **fields)
    return ZoneOut.of(store.create_zone(zone, admin.actor))


@router.get("", responses=documented(401, 503))
def list_zones(store: StoreDep) -> ZoneList:
    return ZoneList(items=[ZoneOut.of(z) for z in store.list_zones()])


@router.get("/{name}", responses=documented(401, 404, 503))
def get_zone(name: str, store: StoreDep) -> ZoneOut:
    return ZoneOut.of(store.get_zone(lookup_name(name)))


@router.patch("/{name}", responses=documented(401, 403, 404, 503))
def update_zone(name: str, body: ZonePatch, admin: Admin, store: StoreDep) -> ZoneOut:
    """Change SOA fields, NS hosts or secondaries; any real change bumps the serial."""
    fields = body.model_dump(exclude_none=True)
    return ZoneOut.of(store.update_zone(lookup_name(name), admin.actor, **fields))


@router.delete("/{name}", status_code=204, responses=documented(401, 403, 404, 409, 503))
def delete_zone(
    name: str,
    admin: Admin,
    store: StoreDep,
    force: Annotated[bool, Query(description="also delete the zone's records")] = False,
) -> None:
    """Remove a zone; 409 while it holds records, unless ``force``."""
    store.delete_zone(lookup_name(name), admin.actor, force=force)
