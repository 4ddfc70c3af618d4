"""Rendering console pages: one Jinja2 environment (autoescaped) over ``api/ui/templates``."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.ui.access import Viewer
from api.ui.session import COOKIE, ConsoleSession, SessionBook

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Scripts and styles only from our own files: no inline script, no CDN.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is None:  # SQLite keeps no offset; the store writes UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    return env


def set_session_cookie(
    request: Request, response: Response, session: ConsoleSession, book: SessionBook
) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, and Secure when the request came over TLS
    (directly, or through a proxy that says so in ``X-Forwarded-Proto``)."""
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"
    response.set_cookie(
        COOKIE, session.id, max_age=int(book.ttl), path="/ui", httponly=True, secure=secure, samesite="strict"
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context``; a viewer in it also gives its CSRF token and flash."""
    who: Viewer | None = context.get("viewer")
    if who is not None:
        context.setdefault("csrf", who.session.csrf)
        context.setdefault("flash", list(who.session.flash))
        who.session.flash.clear()
    context.setdefault("live_since", None)
    html = environment().get_template(template).render(request=request, **context)
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    new: ConsoleSession | None = getattr(request.state, "new_session", None)
    if new is not None:
        set_session_cookie(request, response, new, request.app.state.console_sessions)
    return response


LOGIN_NONCE = "dnsd_login"  # double-submit cookie: the sign-in form is CSRF-protected too


def login_page(request: Request, status_code: int = 200, reason: str = "", next: str = "/ui") -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, reason=reason, next=next, nonce=nonce)
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"
    response.set_cookie(LOGIN_NONCE, nonce, path="/ui", httponly=True, secure=secure, samesite="strict")
    return response
