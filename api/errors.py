"""Every error the API answers with, mapped to its HTTP status in this one place.

Routes raise domain errors (:mod:`dnsd.domain.errors`) or the few HTTP-only errors defined here
and never build error responses themselves. Bodies follow FastAPI's conventions: a 422 lists
``{"loc", "msg", "type"}`` items like FastAPI's own validation errors; every other error has
``{"detail": {"message", ...}}``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.schemas import ConflictOut, ErrorOut, NotFoundOut
from dnsd.domain.errors import Conflict, DnsdError, InvalidInput, NotFound, Reason, StoreUnavailable
from dnsd.store.base import SCHEMA_MISSING, SchemaMissing
from dnsd.store.bulk import BulkConflict

log = logging.getLogger("dnsd.api")


class ApiError(Exception):
    """Errors that exist only at the HTTP edge (authentication, authorisation, readiness)."""


class Unauthenticated(ApiError):
    """No bearer token, or one that is unknown, revoked or expired (401)."""


class Forbidden(ApiError):
    """A valid token acting outside its scope (403)."""


class NotReady(ApiError):
    """The process cannot serve yet or any more (503 from ``/readyz``)."""


class PayloadTooLarge(ApiError):
    """The request body is over the size limit (413; raised by :mod:`api.bodies`)."""


class InvalidQuery(InvalidInput):
    """:class:`InvalidInput` about query parameters rather than the body (``loc`` starts "query")."""

    location = "query"


def _loc(location: str, field: str) -> list[str | int]:
    """``values.1`` -> ``[location, "values", 1]``: FastAPI's own ``loc`` shape."""
    parts: list[str | int] = [location]
    parts += [int(p) if p.isdigit() else p for p in field.split(".") if p]
    return parts


def _invalid(exc: InvalidInput) -> list[dict[str, Any]]:
    location = getattr(exc, "location", "body")
    reasons = exc.reasons or [Reason("", str(exc))]
    return [{"loc": _loc(location, r.field), "msg": r.message, "type": "value_error"} for r in reasons]


def _not_found(exc: NotFound) -> dict[str, Any]:
    return {"message": str(exc), "kind": exc.kind, "key": exc.key, "field": exc.field}


def _conflict(exc: Conflict) -> dict[str, Any]:
    return {"message": str(exc), "holder": exc.holder}


def _bulk_conflict(exc: BulkConflict) -> dict[str, Any]:
    items = [
        {"index": c.index, "loc": [*_loc("body", c.label), "name"], "name": c.name, "type": c.rtype,
         "holder": c.holder}
        for c in exc.conflicts
    ]  # fmt: skip
    return _conflict(exc) | {"conflicts": items}


def _message(exc: Exception) -> dict[str, Any]:
    return {"message": str(exc)}


UNAVAILABLE = "database unavailable"


def _unavailable(exc: StoreUnavailable) -> dict[str, Any]:
    """Only that the database is away: the driver's words name its host and port, which are
    the operator's business (they go to the log, see :func:`_handle`), not a client's."""
    return {"message": SCHEMA_MISSING if isinstance(exc, SchemaMissing) else UNAVAILABLE}


# Most specific first: the first class the error is an instance of decides.
_STATUS: tuple[tuple[type[Exception], int, Callable[[Any], Any]], ...] = (
    (InvalidInput, 422, _invalid),
    (NotFound, 404, _not_found),
    (BulkConflict, 409, _bulk_conflict),
    (Conflict, 409, _conflict),
    (StoreUnavailable, 503, _unavailable),
    (NotReady, 503, _message),
    (Unauthenticated, 401, _message),
    (Forbidden, 403, _message),
    (PayloadTooLarge, 413, _message),
    (DnsdError, 400, _message),
    (ApiError, 500, _message),
)


def error_response(exc: Exception) -> JSONResponse:
    """The HTTP response for a domain or API error."""
    for kind, status, detail in _STATUS:
        if isinstance(exc, kind):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse({"detail": detail(exc)}, status_code=status, headers=headers)
    raise TypeError(f"no HTTP mapping for {type(exc).__name__}")


_DOCUMENTED: dict[int, tuple[type[Any], str]] = {
    401: (ErrorOut, "no bearer token, or an unknown, revoked or expired one"),
    403: (ErrorOut, "the token's scope does not cover this"),
    404: (NotFoundOut, "a zone, pool or record named in the request does not exist"),
    409: (ConflictOut, "clashes with existing data; `holder` names the owner holding the name"),
    503: (ErrorOut, "the database is unreachable"),
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route may answer with."""
    return {code: {"model": _DOCUMENTED[code][0], "description": _DOCUMENTED[code][1]} for code in codes}


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    response = error_response(exc)
    if response.status_code >= 500:
        context = {"method": request.method, "path": request.url.path, "status": response.status_code}
        log.warning("%s %s answered %d: %s", *context.values(), exc, extra=context)
    return response


def json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot carry made printable: NaN and the infinities (which
    Python's JSON parser accepts) become their names, bytes become text, other objects ``str``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="backslashreplace")
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def validation_items(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's 422 items (``loc``, ``msg``, ``type``, ``input``, ``ctx``), each fit for JSON.

    The default rendering echoes the offending input as is, and fails (500) when that input is
    ``NaN`` or undecodable bytes; here it is made printable instead.
    """
    return [{k: json_safe(v) for k, v in item.items() if k != "url"} for item in exc.errors()]


async def _handle_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_items(exc)}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Register :func:`error_response` for every error class the API maps, and the 422 of
    FastAPI's own request validation (:func:`validation_items`)."""
    app.add_exception_handler(DnsdError, _handle)
    app.add_exception_handler(ApiError, _handle)
    app.add_exception_handler(RequestValidationError, _handle_validation)
