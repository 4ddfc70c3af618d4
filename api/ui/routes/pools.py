"""A pool's members: edit, preview every name whose answer changes, then confirm."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.routes.pools import get_pool, update_pool
from api.schemas import PoolPatch
from api.ui.access import Viewer, ViewerDep, checked_form, first
from api.ui.forms import FormErrors, form_errors
from api.ui.preview import preview_pool
from api.ui.render import render
from api.ui.routing import console_router
from dnsd.domain.errors import DnsdError, NotFound
from dnsd.domain.pools import Pool, make_pool
from dnsd.store.records import RecordFilter
from dnsd.store.sync_status import SyncStatusStore

router = console_router()


def _lines(text: str) -> list[str]:
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


def _current(who: Viewer, name: str) -> Pool:
    out = get_pool(name, who.ctx.store)
    return Pool(out.name, tuple(out.addresses), out.description, tuple(out.external_addresses))


def pool_page(request: Request, who: Viewer, name: str, form: dict[str, str] | None = None,
              errors: FormErrors | None = None) -> HTMLResponse:  # fmt: skip
    try:
        pool = _current(who, name)
    except NotFound as exc:
        return render(request, "refused.html", status_code=404, viewer=who, message=str(exc))
    names = who.ctx.store.list_rrsets(RecordFilter(pool=pool.name), limit=1000)[0]
    form = form or {"addresses": "\n".join(pool.addresses), "external": "\n".join(pool.external_addresses)}
    return render(
        request, "pool.html", status_code=422 if errors else 200, viewer=who, pool=pool,
        names=[r for r in names if who.sees(r.zone)], form=form, errors=errors or FormErrors(),
        live_since=who.ctx.store.last_change_id(), live_mode="notice",
    )  # fmt: skip


@router.get("/pools/{name}")
def show_pool(request: Request, who: ViewerDep, name: str) -> HTMLResponse:
    return pool_page(request, who, name)


@router.post("/pools/{name}/preview")
async def preview(request: Request, who: ViewerDep, name: str) -> Response:
    form = await checked_form(request, who)
    fields = {"addresses": first(form, "addresses"), "external": first(form, "external")}
    who.principal.require_admin()  # as PATCH /pools would: no preview of what one may not do
    try:
        old = _current(who, name)
        new = make_pool(old.name, _lines(fields["addresses"]), old.description, _lines(fields["external"]))
    except DnsdError as exc:
        errors = form_errors(exc)
        errors.fields["external"] = errors.fields.pop("external_addresses", [])
        return pool_page(request, who, name, fields, errors)
    statuses = {s.zone: s for s in SyncStatusStore(who.ctx.store.engine).list_sync_statuses("dnspod")}
    return render(
        request, "pool_preview.html", viewer=who, preview=preview_pool(who.ctx.store, old, new, statuses),
        form=fields, live_since=who.ctx.store.last_change_id(), live_mode="notice",
    )  # fmt: skip


@router.post("/pools/{name}")
async def apply(request: Request, who: ViewerDep, name: str) -> Response:
    form = await checked_form(request, who)
    fields = {"addresses": first(form, "addresses"), "external": first(form, "external")}
    who.principal.require_admin()  # what the API's Admin dependency checks
    before = who.ctx.store.last_change_id()
    try:
        body = PoolPatch(addresses=_lines(fields["addresses"]), external_addresses=_lines(fields["external"]))
        update_pool(name, body, who.principal, who.ctx.store)
    except DnsdError as exc:
        return pool_page(request, who, name, fields, form_errors(exc))
    made = [
        c for c in who.ctx.store.list_changes(after_id=before, limit=10) if c.subject == name.strip().lower()
    ]
    who.session.flash.append(f"Pool {name} moved." if made else f"Pool {name} already had these members.")
    return RedirectResponse(f"/ui/changes/{made[-1].id}" if made else f"/ui/pools/{name}", status_code=303)
