"""Who is looking at the console, and the checks every console request goes through.

A page needs a session (else the sign-in form, answered with 401); a form POST needs that
session's CSRF token too (else 403). The caller is then checked exactly as an API call with the
same token would be (:func:`api.auth.authenticate`): write controls are shown only to tokens
that may write, and the handlers refuse writes with the API's own scope checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.auth import Principal, authenticate
from api.deps import AppContext, get_context
from api.errors import Forbidden, Unauthenticated
from api.ui.session import COOKIE, ConsoleSession, SessionBook


class SignInRequired(Exception):
    """No live session: the console answers with its sign-in form (401)."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in console user: the session and the API principal behind it."""

    session: ConsoleSession
    principal: Principal
    ctx: AppContext

    @property
    def can_write(self) -> bool:
        token = self.principal.token
        return token is None or (token.scope == "write" and not token.revoked)

    @property
    def is_admin(self) -> bool:
        return self.principal.is_admin

    def sees(self, zone: str | None) -> bool:
        """A token with a zone list sees only those zones; every other token sees all."""
        token = self.principal.token
        return token is None or not token.zones or (zone is not None and zone in token.zones)

    def may_write(self, zone: str | None) -> bool:
        return self.principal.may_write(zone)


def sessions(request: Request) -> SessionBook:
    book: SessionBook = request.app.state.console_sessions
    return book


def principal_for(ctx: AppContext, token: str | None) -> Principal:
    """The API's own authentication of ``token`` (:class:`Unauthenticated` if it fails)."""
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token) if token else None
    return authenticate(ctx, credentials)


def viewer(request: Request) -> Viewer:
    ctx = get_context(request)
    book = sessions(request)
    session = book.find(request.cookies.get(COOKIE))
    if session is None:
        if ctx.settings.auth_disabled:  # demo mode: everyone is the admin, as on the API
            session = book.open(None)
            request.state.new_session = session
        else:
            raise SignInRequired(
                "sign in with an API token" if COOKIE not in request.cookies else "session expired"
            )
    try:
        principal = principal_for(ctx, session.token)
    except Unauthenticated as exc:
        book.close(session.id)
        raise SignInRequired(str(exc)) from exc
    return Viewer(session, principal, ctx)


async def read_form(request: Request) -> dict[str, list[str]]:
    """The url-encoded form of a POST (the console sends no other kind)."""
    body = (await request.body()).decode("utf-8")
    return parse_qs(body, keep_blank_values=True)


def first(form: dict[str, list[str]], key: str, default: str = "") -> str:
    values = form.get(key)
    return values[0] if values else default


async def checked_form(request: Request, who: Viewer) -> dict[str, list[str]]:
    """The form of a POST whose CSRF token matches the session's (:class:`Forbidden` if not)."""
    form = await read_form(request)
    sent = first(form, "csrf") or request.headers.get("x-csrf-token")
    if not who.session.csrf_ok(sent):
        raise Forbidden("the form's CSRF token is missing or wrong: reload the page and try again")
    return form


ViewerDep = Annotated[Viewer, Depends(viewer)]
ContextDep = Annotated[AppContext, Depends(get_context)]
