"""Shifts: every shift with its history; start, pause, resume and abort through the API's own
handlers (``POST /shifts``, ``POST /shifts/{id}/{action}``), so the same checks apply."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.errors import Forbidden
from api.routes.shifts import ShiftIn, control_shift, start_shift
from api.ui.access import Viewer, ViewerDep, checked_form, first
from api.ui.forms import FormErrors, form_errors
from api.ui.render import render
from api.ui.routing import console_router
from api.ui.steering import shifts
from dnsd.domain.errors import DnsdError, NotFound

router = console_router()
FIELDS = ("names", "to", "steps", "every")


def shifts_page(request: Request, who: Viewer, form: dict[str, str] | None = None,
                errors: FormErrors | None = None) -> HTMLResponse:  # fmt: skip
    store = who.ctx.store
    return render(
        request, "shifts.html", status_code=422 if errors else 200, viewer=who,
        shifts=shifts(store, sees=who.sees), pools=[p.name for p in store.list_pools()],
        errors=errors or FormErrors(),
        form=form or {"names": "", "to": "", "steps": "5, 25, 50, 100", "every": "10m"},
        live_since=store.last_change_id(), live_mode="notice",
    )  # fmt: skip


def _writer(who: Viewer) -> None:
    if not who.can_write:
        raise Forbidden(f"{who.principal.actor} has a read-only token")


def _steps(text: str) -> list[int] | None:
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError:
        return None


@router.get("/shifts")
def list_page(request: Request, who: ViewerDep) -> HTMLResponse:
    return shifts_page(request, who)


@router.post("/shifts")
async def start(request: Request, who: ViewerDep) -> Response:
    form = await checked_form(request, who)
    _writer(who)
    fields = {k: first(form, k) for k in FIELDS}
    names = [n for line in fields["names"].splitlines() for n in line.replace(",", " ").split()]
    steps = _steps(fields["steps"])
    errors = FormErrors()
    if not names:
        errors.fields["names"] = ["give at least one record name"]
    if steps is None:
        errors.fields["steps"] = ["percentages from 1 to 100, like 5,25,50,100"]
    if errors or steps is None:
        return shifts_page(request, who, fields, errors)
    try:
        body = ShiftIn(names=names, to=fields["to"], steps=steps, every=fields["every"].strip() or "0")
        shift = start_shift(body, who.principal, who.ctx.store)
    except DnsdError as exc:
        return shifts_page(request, who, fields, form_errors(exc))
    who.session.flash.append(f"Shift #{shift.id} to {shift.to} started.")
    return RedirectResponse("/ui/shifts", status_code=303)


@router.post("/shifts/{shift_id}/{action}")
async def control(
    request: Request, who: ViewerDep, shift_id: int, action: Literal["pause", "resume", "abort"]
) -> Response:
    await checked_form(request, who)
    _writer(who)
    try:
        shift = control_shift(shift_id, action, who.principal, who.ctx.store)
    except DnsdError as exc:
        code = 404 if isinstance(exc, NotFound) else 409
        return render(request, "refused.html", status_code=code, viewer=who, message=str(exc))
    who.session.flash.append(f"Shift #{shift.id}: {action} done, now {shift.status}.")
    return RedirectResponse("/ui/shifts", status_code=303)
