"""The name page: search any name, see which zone answers and the path to its answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.params import lookup_name
from api.ui.access import ViewerDep
from api.ui.namepath import name_path
from api.ui.render import render
from api.ui.routing import console_router
from dnsd.domain.names import name_problems

router = console_router()


@router.get("/name")
def name_page(request: Request, who: ViewerDep, q: str = "") -> HTMLResponse:
    store = who.ctx.store
    query = q.strip()
    problems = name_problems(query, strict=False)[1] if query else []
    path = name_path(store, lookup_name(query)) if query and not problems else None
    hidden = path is not None and path.zone is not None and not who.sees(path.zone)
    return render(
        request, "name.html", viewer=who, q=query, problems=problems, path=None if hidden else path,
        hidden=hidden, pools=[p.name for p in store.list_pools()], live_since=store.last_change_id(),
        live_mode="refresh",
    )  # fmt: skip
