"""``/pools``: the named VIP sets that A/AAAA records point at (changes need an admin)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends

from api.auth import Admin, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.member_health import PoolDetailOut
from api.schemas import PoolIn, PoolList, PoolOut, PoolPatch
from dnsd.domain.health import HealthCheck
from dnsd.domain.pool_input import checked_pool, parse_check

router = APIRouter(prefix="/pools", tags=["pools"], dependencies=[Depends(authenticate)])


def _key(name: str) -> str:
    return name.strip().lower()  # pool names are stored lower-case


@router.post("", status_code=201, responses=documented(401, 403, 409, 503))
def create_pool(body: PoolIn, admin: Admin, store: StoreDep) -> PoolOut:
    pool = checked_pool(
        body.name, body.addresses, body.description, body.external_addresses, body.members, body.check
    )
    return PoolOut.of(store.create_pool(pool, admin.actor))


@router.get("", responses=documented(401, 503))
def list_pools(store: StoreDep) -> PoolList:
    return PoolList(items=[PoolOut.of(p) for p in store.list_pools()])


@router.get("/{name}", responses=documented(401, 404, 503))
def get_pool(name: str, store: StoreDep) -> PoolDetailOut:
    """The pool, its health check and each probed member's state, last check and last change."""
    pool = store.get_pool(_key(name))
    return PoolDetailOut.detail(pool, store.pool_health(pool.name))


@router.patch("/{name}", responses=documented(401, 403, 404, 503))
def update_pool(name: str, body: PoolPatch, admin: Admin, store: StoreDep) -> PoolOut:
    """Change a pool. New addresses bump the serial of every zone with a record on the pool,
    all in one change (see ``GET /changes``). ``members`` replaces the views given; ``check``
    replaces the health check, ``null`` removes it."""
    check: HealthCheck | Literal[False] | None = False
    if "check" in body.model_fields_set:
        check = parse_check(body.check)
    pool = store.update_pool(
        _key(name),
        admin.actor,
        addresses=body.addresses,
        description=body.description,
        external_addresses=body.external_addresses,
        view_members=body.members,
        check=check,
    )
    return PoolOut.of(pool)


@router.delete("/{name}", status_code=204, responses=documented(401, 403, 404, 409, 503))
def delete_pool(name: str, admin: Admin, store: StoreDep) -> None:
    """Remove a pool; 409 while any record points at it."""
    store.delete_pool(_key(name), admin.actor)
