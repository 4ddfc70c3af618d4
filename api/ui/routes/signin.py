"""Signing in with an API token, and out."""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.errors import Forbidden, Unauthenticated
from api.ui.access import first, principal_for, read_form, sessions
from api.ui.render import LOGIN_NONCE, login_page, set_session_cookie
from api.ui.routing import console_router
from api.ui.session import COOKIE

router = console_router()


def _safe_next(target: str) -> str:
    return target if target.startswith("/ui") and "//" not in target and "\\" not in target else "/ui"


@router.get("/login")
def show_login(request: Request, next: str = "/ui") -> HTMLResponse:
    return login_page(request, next=_safe_next(next))


@router.post("/login")
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    nonce = request.cookies.get(LOGIN_NONCE)
    if not nonce or not secrets.compare_digest(nonce, first(form, "nonce")):
        raise Forbidden("the sign-in form is stale or was not sent by this console: reload it")
    token = first(form, "token").strip()
    target = _safe_next(first(form, "next", "/ui"))
    try:
        principal_for(request.app.state.ctx, token or None)
    except Unauthenticated as exc:
        return login_page(request, status_code=401, reason=str(exc), next=target)
    book = sessions(request)
    session = book.open(token or None)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, session, book)
    response.delete_cookie(LOGIN_NONCE, path="/ui")
    return response


@router.post("/logout")
async def sign_out(request: Request) -> Response:
    form = await read_form(request)
    book = sessions(request)
    session = book.find(request.cookies.get(COOKIE))
    if session is not None and not session.csrf_ok(first(form, "csrf")):
        raise Forbidden("the form's CSRF token is missing or wrong: reload the page and try again")
    if session is not None:
        book.close(session.id)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response
