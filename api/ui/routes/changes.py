"""The change log with filters, one change as a diff, and its revert."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.params import lookup_name
from api.revert import revert_for
from api.ui.access import Viewer, ViewerDep, checked_form, first
from api.ui.diff import change_diff
from api.ui.forms import form_errors
from api.ui.render import render
from api.ui.routing import console_router
from dnsd.domain.changes import Change
from dnsd.domain.errors import DnsdError, NotFound
from dnsd.store.revert import RevertRefused

router = console_router()
PAGE = 100


def _time(text: str) -> dt.datetime | None:
    if not text.strip():
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def visible(who: Viewer, change: Change) -> bool:
    return (
        all(who.sees(z.zone) for z in change.zones)
        if change.zones
        else who.principal.token is None or not who.principal.token.zones
    )


@router.get("/changes")
def change_log(
    request: Request,
    who: ViewerDep,
    zone: str = "",
    owner: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    store = who.ctx.store
    start, end = _time(since), _time(until)
    changes = store.list_changes(
        zone=lookup_name(zone) if zone.strip() else None, owner=owner.strip() or None, since=start,
        limit=1000, newest_first=True,
    )  # fmt: skip
    actor_text = actor.strip().lower()
    changes = [
        c for c in changes
        if visible(who, c) and (not actor_text or actor_text in c.actor.lower())
        and (end is None or _utc(c.created_at) <= end)
    ][:PAGE]  # fmt: skip
    filters = {"zone": zone, "owner": owner, "actor": actor, "since": since, "until": until}
    bad_time = [k for k in ("since", "until") if filters[k].strip() and _time(filters[k]) is None]
    return render(
        request, "changes.html", viewer=who, changes=changes, filters=filters, bad_time=bad_time,
        live_since=store.last_change_id(), live_mode="refresh",
    )  # fmt: skip


def _change(who: Viewer, change_id: int) -> Change:
    found = who.ctx.store.list_changes(after_id=change_id - 1, limit=1) if change_id >= 1 else []
    if not found or found[0].id != change_id or not visible(who, found[0]):
        raise NotFound("change", str(change_id))
    return found[0]


def change_page(
    request: Request, who: Viewer, change_id: int, status_code: int = 200, **extra: object
) -> HTMLResponse:
    try:
        change = _change(who, change_id)
    except NotFound as exc:
        return render(request, "refused.html", status_code=404, viewer=who, message=str(exc))
    plan_later: list[Change] = []
    revertable = True
    try:
        plan_later = who.ctx.store.revert_plan(change_id).later
    except DnsdError:
        revertable = False
    return render(
        request, "change.html", status_code=status_code, viewer=who, change=change, diff=change_diff(change),
        later=plan_later, revertable=revertable, live_mode="notice",
        live_since=who.ctx.store.last_change_id(), **extra,
    )  # fmt: skip


@router.get("/changes/{change_id}")
def show_change(request: Request, who: ViewerDep, change_id: int) -> HTMLResponse:
    return change_page(request, who, change_id)


@router.post("/changes/{change_id}/revert")
async def revert(request: Request, who: ViewerDep, change_id: int) -> Response:
    form = await checked_form(request, who)
    force = first(form, "force") == "yes" and first(form, "confirm") == "yes"
    try:
        new = revert_for(who.principal, who.ctx.store, change_id, force=force)
    except RevertRefused as exc:
        return change_page(request, who, change_id, status_code=409, errors=form_errors(exc), refused=True)
    except NotFound as exc:
        return render(request, "refused.html", status_code=404, viewer=who, message=str(exc))
    except DnsdError as exc:
        return change_page(request, who, change_id, status_code=409, errors=form_errors(exc))
    who.session.flash.append(f"Change {change_id} reverted by change {new.id}.")
    return RedirectResponse(f"/ui/changes/{new.id}", status_code=303)
