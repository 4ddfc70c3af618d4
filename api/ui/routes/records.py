"""Adding, editing and deleting records through the API's own handlers (same checks, same
messages), shown at the form's fields."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.routes.records import delete_record, get_record, patch_record, put_record
from api.schemas import RecordIn, RecordPatch
from api.ui.access import Viewer, ViewerDep, checked_form, first
from api.ui.forms import FormErrors, form_errors
from api.ui.render import render
from api.ui.routing import console_router
from dnsd.domain.errors import DnsdError, InvalidInput, NotFound
from dnsd.domain.records import make_rrset

router = console_router()
TYPES = ("A", "AAAA", "CNAME", "TXT", "MX", "SRV", "CAA", "NS", "DNAME", "PTR")


def _values(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _validation(exc: ValidationError) -> FormErrors:
    out = FormErrors()
    for item in exc.errors():
        key = str(item["loc"][0]) if item["loc"] else "form"
        out.fields.setdefault(key, []).append(str(item["msg"]))
    return out


def record_form(
    request: Request,
    who: Viewer,
    form: dict[str, str],
    errors: FormErrors | None = None,
    record_id: int | None = None,
) -> HTMLResponse:
    return render(
        request, "record.html", status_code=422 if errors else 200, viewer=who, form=form,
        errors=errors or FormErrors(),
        record_id=record_id, types=TYPES, pools=[p.name for p in who.ctx.store.list_pools()],
        live_since=who.ctx.store.last_change_id(), live_mode="notice",
    )  # fmt: skip


@router.get("/records/new")
def new_record(request: Request, who: ViewerDep, name: str = "") -> HTMLResponse:
    form = {
        "name": name,
        "type": "A",
        "ttl": "300",
        "owner": f"user:{who.principal.actor.split(':', 1)[-1]}",  # token:alice -> user:alice
        "values": "",
        "pool": "",
    }
    return record_form(request, who, form)


def _fields(form: dict[str, list[str]]) -> dict[str, str]:
    return {k: first(form, k) for k in ("name", "type", "ttl", "owner", "values", "pool")}


def _ttl(text: str) -> int | None:
    """The TTL typed, or None when it is no integer (reported at the field with the rest)."""
    try:
        return int(text.strip() or "300")
    except ValueError:
        return None


def _every_problem(fields: dict[str, str]) -> FormErrors:
    """A TTL that is no number stops the API's body parsing; the console still lists the other
    fields' problems beside it, as the API's validation would once the TTL is a number."""
    errors = FormErrors(fields={"ttl": ["must be a whole number of seconds"]})
    try:
        make_rrset(fields["name"], fields["type"], 300, fields["owner"], _values(fields["values"]) or None,
                   fields["pool"] or None)  # fmt: skip
    except InvalidInput as exc:
        for key, messages in form_errors(exc).fields.items():
            errors.fields.setdefault(key, []).extend(messages)
    return errors


@router.post("/records")
async def create_record(request: Request, who: ViewerDep) -> Response:
    fields = _fields(await checked_form(request, who))
    ttl = _ttl(fields["ttl"])
    if ttl is None:
        return record_form(request, who, fields, _every_problem(fields))
    try:
        body = RecordIn(
            name=fields["name"], type=fields["type"], ttl=ttl, owner=fields["owner"],
            values=_values(fields["values"]) or None, pool=fields["pool"] or None,
        )  # fmt: skip
        written = put_record(body, who.principal, who.ctx.store, Response())
    except ValidationError as exc:
        return record_form(request, who, fields, _validation(exc))
    except DnsdError as exc:
        return record_form(request, who, fields, form_errors(exc))
    who.session.flash.append(f"{written.name} {written.type} saved (serial {written.serial}).")
    return RedirectResponse(f"/ui/name?q={written.name}", status_code=303)


@router.get("/records/{record_id}")
def edit_record(request: Request, who: ViewerDep, record_id: int) -> HTMLResponse:
    try:
        rec = get_record(record_id, who.ctx.store)
    except NotFound as exc:
        return render(request, "refused.html", status_code=404, viewer=who, message=str(exc))
    form = {"name": rec.name, "type": rec.type, "ttl": str(rec.ttl), "owner": rec.owner,
            "values": "\n".join(rec.values or []), "pool": rec.pool or ""}  # fmt: skip
    return record_form(request, who, form, record_id=record_id)


@router.post("/records/{record_id}")
async def update_record(request: Request, who: ViewerDep, record_id: int) -> Response:
    fields = _fields(await checked_form(request, who))
    ttl = _ttl(fields["ttl"])
    if ttl is None:
        return record_form(
            request, who, fields, FormErrors(fields={"ttl": ["must be a whole number of seconds"]}), record_id
        )
    try:
        body = RecordPatch(
            ttl=ttl,
            values=None if fields["pool"] else _values(fields["values"]), pool=fields["pool"] or None,
        )  # fmt: skip
        written = patch_record(record_id, body, who.principal, who.ctx.store)
    except ValidationError as exc:
        return record_form(request, who, fields, _validation(exc), record_id)
    except DnsdError as exc:
        return record_form(request, who, fields, form_errors(exc), record_id)
    who.session.flash.append(f"{written.name} {written.type} saved (serial {written.serial}).")
    return RedirectResponse(f"/ui/name?q={written.name}", status_code=303)


@router.post("/records/{record_id}/delete")
async def remove_record(request: Request, who: ViewerDep, record_id: int) -> Response:
    await checked_form(request, who)
    try:
        deleted = delete_record(record_id, who.principal, who.ctx.store)
    except DnsdError as exc:
        return render(request, "refused.html", status_code=409, viewer=who, message=str(exc))
    gone = deleted.deleted[0]
    who.session.flash.append(f"{gone.name} {gone.type} deleted.")
    return RedirectResponse(f"/ui/name?q={gone.name}", status_code=303)
