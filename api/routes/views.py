"""``/views``: named sets of client networks (docs/views.md). Views are global, like pools, so
changes need an admin token (write scope, no zone list)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.auth import Admin, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.schemas import ViewIn, ViewList, ViewOut, ViewPatch

router = APIRouter(prefix="/views", tags=["views"], dependencies=[Depends(authenticate)])


def _key(name: str) -> str:
    return name.strip().lower()  # view names are stored lower-case


@router.post("", status_code=201, responses=documented(401, 403, 409, 503))
def create_view(body: ViewIn, admin: Admin, store: StoreDep) -> ViewOut:
    """Define a view; 422 names every bad network and every overlap with another view."""
    view = store.create_view(body.name, body.networks, admin.actor, body.description)
    return ViewOut.of(view, body.description)


@router.get("", responses=documented(401, 503))
def list_views(store: StoreDep) -> ViewList:
    descriptions = store.view_descriptions()
    return ViewList(items=[ViewOut.of(v, descriptions.get(v.name, "")) for v in store.list_views()])


@router.get("/{name}", responses=documented(401, 404, 503))
def get_view(name: str, store: StoreDep) -> ViewOut:
    view = store.get_view(_key(name))
    return ViewOut.of(view, store.view_descriptions().get(view.name, ""))


@router.patch("/{name}", responses=documented(401, 403, 404, 503))
def update_view(name: str, body: ViewPatch, admin: Admin, store: StoreDep) -> ViewOut:
    """Replace a view's networks and/or description (checked like a create)."""
    view = store.update_view(_key(name), admin.actor, networks=body.networks, description=body.description)
    return ViewOut.of(view, store.view_descriptions().get(view.name, ""))


@router.delete("/{name}", status_code=204, responses=documented(401, 403, 404, 409, 503))
def delete_view(name: str, admin: Admin, store: StoreDep) -> None:
    """Remove a view; 409 while pools have members in it or records are limited to it."""
    store.delete_view(_key(name), admin.actor)
