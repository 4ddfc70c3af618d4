"""``POST /records/bulk``: many RRsets, every one checked before any is written, all in one
transaction (one change row, one serial bump per zone) or none."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import ValidationError

from api.auth import Caller, authenticate
from api.deps import StoreDep
from api.errors import documented
from api.schemas import BulkConflictOut, BulkIn, BulkItemOut, BulkOut, RecordIn
from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.records import RRset, TtlLimits, make_rrset
from dnsd.services.bulk import put_checked

MAX_BULK = 1000  # RRsets per request; a bigger import is several requests (or `dnsd record import`)

router = APIRouter(prefix="/records", tags=["records"], dependencies=[Depends(authenticate)])


def parse_items(items: list[Any], limits: TtlLimits) -> tuple[dict[int, RRset], list[Reason]]:
    """The sound items as RRsets by position, and every problem of the others (fields
    ``records.<i>.<field>``): JSON shape first, then the rules of DNS."""
    if len(items) > MAX_BULK:
        raise InvalidInput([Reason("records", f"at most {MAX_BULK} records per request, got {len(items)}")])
    reasons: list[Reason] = []
    rrsets: dict[int, RRset] = {}
    for i, item in enumerate(items):
        try:
            body = RecordIn.model_validate(item)
        except ValidationError as exc:
            reasons += [
                Reason(".".join(str(p) for p in ("records", i, *e["loc"])), e["msg"]) for e in exc.errors()
            ]
            continue
        try:
            rrsets[i] = make_rrset(
                body.name, body.type, body.ttl, body.owner, body.values, body.pool, limits,
                targets=body.targets, mode=body.mode, views=body.views,
            )  # fmt: skip
        except InvalidInput as exc:
            reasons += [Reason(f"records.{i}.{r.field}", r.message) for r in exc.reasons]
    return rrsets, reasons


def _index(reason: Reason) -> int:
    parts = reason.field.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1


def _in_request_order(reasons: list[Reason]) -> list[Reason]:
    return sorted(reasons, key=_index)


@router.post(
    "/bulk",
    responses=documented(401, 403, 503) | {409: {"model": BulkConflictOut, "description": "owners clash"}},
)
def put_records(
    body: BulkIn,
    caller: Caller,
    store: StoreDep,
    dry_run: Annotated[bool, Query(description="check everything, write nothing")] = False,
) -> BulkOut:
    """Make each RRset hold exactly its content for its owner, as ``POST /records`` does for one.

    Everything is checked first: 422 lists every problem of every item (``loc`` is
    ``["body", "records", i, field]``; a name in no zone and an unknown pool count as problems
    here), 409 lists every item whose name another owner holds. Otherwise all are written in one
    transaction: one change row, each zone's serial raised once. Items answer in request order.
    """
    rrsets, reasons = parse_items(body.records, store.limits)
    caller.require_records_write(store, [r.name for r in rrsets.values()])
    labels = [f"records.{i}" for i in rrsets]
    results = put_checked(
        store, list(rrsets.values()), labels, reasons, caller.actor, dry_run=dry_run, order=_in_request_order
    )
    items = [BulkItemOut.of_result(i, result) for i, result in enumerate(results)]
    return BulkOut(
        dry_run=dry_run,
        created=sum(1 for item in items if item.outcome == "created"),
        changed=sum(1 for item in items if item.outcome == "changed"),
        unchanged=sum(1 for item in items if item.outcome == "unchanged"),
        serials={item.zone: item.serial for item in items},
        items=items,
    )
