"""The console's router: its errors become pages (sign-in form 401, refusal 403) instead of
the API's JSON, and it stays out of the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from api.errors import Forbidden
from api.ui.access import SignInRequired
from api.ui.render import login_page, render


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as exc:
                asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return login_page(request, status_code=401, reason=exc.reason, next=asked)
            except Forbidden as exc:
                return render(request, "refused.html", status_code=403, message=str(exc))

        return handle


def console_router() -> APIRouter:
    return APIRouter(prefix="/ui", route_class=ConsoleRoute, include_in_schema=False)
