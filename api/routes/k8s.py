"""``/k8s``: the Kubernetes pool mapping (read by anyone, changed by an admin), the problems
(rejections, conflicts) the ``dnsd k8s watch`` controller last reported, and its state:
``GET /k8s/status`` (deletes it holds back over the safety share) and ``POST /k8s/approve``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import Admin, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.schemas import Body
from dnsd.domain.errors import NotFound
from dnsd.domain.k8s import MAPPING_KINDS, MappingEntry, make_entry
from dnsd.domain.plan import Problem
from dnsd.domain.sync_status import K8S_PROVIDER, SyncStatus
from dnsd.k8s.guard import scope_label
from dnsd.k8s.plan import Scope
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.sync_status import SyncStatusStore
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


class ControllerStatus(BaseModel):
    scope: str = Field(description="the owner prefixes the controller manages, e.g. 'k8s:'")
    result: str = Field(description="in-sync, applied, held (deletes wait for approval) or approved")
    deletes_held: int
    message: str = Field(description="why the deletes are held, which names, and how to approve")
    at: str

    @classmethod
    def of(cls, status: SyncStatus) -> ControllerStatus:
        held = status.deletes if status.result in ("held", "approved") else 0
        return cls(scope=status.zone, result=status.result, deletes_held=held, message=status.message,
                   at=status.run_at.isoformat())  # fmt: skip


NamespacesQuery = Annotated[
    list[str] | None, Query(alias="namespace", description="the controller's -n list, if it has one")
]


def _scope(namespaces: list[str] | None) -> str:
    return scope_label(Scope.namespaces(namespaces or ()))


@router.get("/status", responses=documented(401, 404, 503))
def controller_status(store: StoreDep, namespaces: NamespacesQuery = None) -> ControllerStatus:
    """The controller's last state; 404 before its first reconcile."""
    scope = _scope(namespaces)
    status = SyncStatusStore(store.engine).get_sync_status(K8S_PROVIDER, scope)
    if status is None:
        raise NotFound("controller status", scope, field="namespace")
    return ControllerStatus.of(status)


@router.post("/approve", responses=documented(401, 403, 404, 409, 503))
def approve_deletes(admin: Admin, store: StoreDep, namespaces: NamespacesQuery = None) -> ControllerStatus:
    """Let the controller apply the deletes it holds back (that exact set; it notices within a
    second). 409 when it holds none."""
    status = SyncStatusStore(store.engine).approve(K8S_PROVIDER, _scope(namespaces), admin.actor)
    return ControllerStatus.of(status)
