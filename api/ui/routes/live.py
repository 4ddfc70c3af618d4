"""Live updates: pages poll this (htmx, every few seconds) with the last change id they show.

A read-only page is reloaded when something changed (``HX-Refresh``); a page with a form gets a
notice instead, so nobody loses what they typed. Without JavaScript nothing polls.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from api.ui.access import ViewerDep
from api.ui.render import render
from api.ui.routing import console_router

router = console_router()


@router.get("/live")
def live(request: Request, who: ViewerDep, since: int = 0, mode: str = "notice") -> Response:
    latest = who.ctx.store.last_change_id()
    if latest <= since:
        return Response(status_code=204)  # htmx swaps nothing on 204
    if mode == "refresh":
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "live_notice.html", viewer=who, count=latest - since, latest=latest)
