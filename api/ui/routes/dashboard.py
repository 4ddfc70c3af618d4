"""The dashboard: zones, pools with each member's health per view, shifts in progress, DNSPod
sync and the Kubernetes controller."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.routes.k8s import ControllerStatus, controller_status, list_problems
from api.routes.sync import SyncStatusOut, sync_status
from api.ui.access import Viewer, ViewerDep
from api.ui.render import render
from api.ui.routing import console_router
from api.ui.steering import MemberState, pool_health, shifts
from dnsd.domain.changes import Change
from dnsd.domain.errors import NotFound
from dnsd.domain.pools import Pool
from dnsd.domain.zones import Zone
from dnsd.store.records import RecordFilter

router = console_router()


@dataclass(frozen=True, slots=True)
class ZoneRow:
    zone: Zone
    records: int
    last: Change | None


@dataclass(frozen=True, slots=True)
class PoolRow:
    pool: Pool
    names: int  # records on the pool, as the first or a later weighted target
    health: list[MemberState]


def zone_rows(who: Viewer) -> list[ZoneRow]:
    store = who.ctx.store
    rows = []
    for zone in store.list_zones():
        if not who.sees(zone.name):
            continue
        records = store.list_rrsets(RecordFilter(zone=zone.name), limit=0)[1]
        last = store.list_changes(zone=zone.name, limit=1, newest_first=True)
        rows.append(ZoneRow(zone, records, last[0] if last else None))
    return rows


def _controller(who: Viewer) -> ControllerStatus | None:
    try:
        return controller_status(who.ctx.store)
    except NotFound:
        return None


@router.get("")
def dashboard(request: Request, who: ViewerDep) -> HTMLResponse:
    store = who.ctx.store
    pools = [
        PoolRow(p, store.list_rrsets(RecordFilter(pool=p.name), limit=0)[1], pool_health(store, p.name))
        for p in store.list_pools()
    ]
    syncs: list[SyncStatusOut] = [s for s in sync_status(store).items if who.sees(s.zone)]
    problems = list_problems(store).items
    return render(
        request, "dashboard.html", viewer=who, zones=zone_rows(who), pools=pools, syncs=syncs,
        controller=_controller(who), problems=problems, shifts=shifts(store, True, who.sees),
        live_mode="refresh", live_since=store.last_change_id(),
    )  # fmt: skip
