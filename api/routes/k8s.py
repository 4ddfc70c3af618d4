"""``/k8s``: the Kubernetes pool mapping (read by anyone, changed by an admin) and the
problems (rejections, conflicts) the ``dnsd k8s watch`` controller last reported."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import Admin, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.schemas import Body
from dnsd.k8s.desired import Problem
from dnsd.k8s.mapping import MAPPING_KINDS, MappingEntry, make_entry
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.zonestore import ZoneStore

router = APIRouter(prefix="/k8s", tags=["kubernetes"], dependencies=[Depends(authenticate)])


class MappingIn(Body):
    kind: str = Field(examples=["gateway"], description=f"one of {', '.join(MAPPING_KINDS)}")
    key: str = Field("", examples=["istio=ingressgateway"], description="selector labels, class, or ''")
    pool: str = Field(examples=["istio-ingressgateway"])


class MappingOut(BaseModel):
    kind: str
    key: str
    pool: str

    @classmethod
    def of(cls, entry: MappingEntry) -> MappingOut:
        return cls(kind=entry.kind, key=entry.key, pool=entry.pool)


class MappingList(BaseModel):
    items: list[MappingOut]


class ProblemOut(BaseModel):
    kind: str = Field(description="'rejected' (the object asks for something refused) or 'conflict'")
    owner: str
    host: str
    field: str
    message: str
    holder: str | None = Field(description="the owner holding the name, for a conflict")

    @classmethod
    def of(cls, p: Problem) -> ProblemOut:
        return cls(kind=p.kind, owner=p.owner, host=p.host, field=p.field, message=p.message, holder=p.holder)


class ProblemList(BaseModel):
    items: list[ProblemOut]


def _k8s(store: ZoneStore) -> K8sOps:
    return K8sOps(store.engine, store.limits)


@router.get("/mappings", responses=documented(401, 503))
def list_mappings(store: StoreDep) -> MappingList:
    return MappingList(items=[MappingOut.of(e) for e in _k8s(store).list_mappings()])


@router.post("/mappings", responses=documented(401, 403, 404, 503))
def set_mapping(body: MappingIn, admin: Admin, store: StoreDep) -> MappingOut:
    """Create or replace the mapping of one entry point (idempotent); 404 for an unknown pool."""
    entry = make_entry(body.kind, body.key, body.pool)
    return MappingOut.of(_k8s(store).set_mapping(entry, admin.actor))


@router.delete("/mappings", status_code=204, responses=documented(401, 403, 404, 503))
def delete_mapping(
    admin: Admin,
    store: StoreDep,
    kind: Annotated[str, Query(description=f"one of {', '.join(MAPPING_KINDS)}")],
    key: Annotated[str, Query(description="as listed by GET /k8s/mappings")] = "",
) -> None:
    entry = make_entry(kind, key, "placeholder")  # validates and canonicalises the key
    _k8s(store).delete_mapping(entry.kind, entry.key, admin.actor)


@router.get("/problems", responses=documented(401, 503))
def list_problems(
    store: StoreDep,
    owner_prefix: Annotated[str, Query(description="e.g. 'k8s:team-a/'")] = "k8s:",
) -> ProblemList:
    return ProblemList(items=[ProblemOut.of(p) for p in _k8s(store).list_problems(owner_prefix)])
