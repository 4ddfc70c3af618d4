"""The name page: search any name, see which zone answers and the path to its answer, with
each pool member's health per view and any shift moving the name."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.params import lookup_name
from api.ui.access import ViewerDep
from api.ui.namepath import NamePath, name_path
from api.ui.render import render
from api.ui.routing import console_router
from api.ui.steering import MemberState, ShiftProgress, pool_health, shifts
from dnsd.domain.names import name_problems
from dnsd.store.zonestore import ZoneStore

router = console_router()
Health = dict[str, dict[str, list[MemberState]]]  # record name -> pool -> members


def path_health(store: ZoneStore, path: NamePath, out: Health | None = None) -> Health:
    """The health of every pool member on the path, as a route-aware check of that record
    name sees it (CNAMEs followed)."""
    out = {} if out is None else out
    for step in path.steps:
        by_pool = out.setdefault(step.rrset.name, {})
        for t in step.targets:
            if t.pool is not None and t.name not in by_pool:
                by_pool[t.name] = pool_health(store, t.name, host=step.rrset.name)
        if step.then is not None:
            path_health(store, step.then, out)
    return out


def name_shifts(store: ZoneStore, path: NamePath) -> list[ShiftProgress]:
    names = {step.rrset.name for step in path.steps}
    return [p for p in shifts(store) if any(r.name in names for r in p.records)]


@router.get("/name")
def name_page(request: Request, who: ViewerDep, q: str = "") -> HTMLResponse:
    store = who.ctx.store
    query = q.strip()
    problems = name_problems(query, strict=False)[1] if query else []
    path = name_path(store, lookup_name(query)) if query and not problems else None
    hidden = path is not None and path.zone is not None and not who.sees(path.zone)
    shown = None if hidden else path
    return render(
        request, "name.html", viewer=who, q=query, problems=problems, path=shown,
        hidden=hidden, pools=[p.name for p in store.list_pools()], live_since=store.last_change_id(),
        health=path_health(store, shown) if shown else {}, shifts=name_shifts(store, shown) if shown else [],
        live_mode="refresh",
    )  # fmt: skip
