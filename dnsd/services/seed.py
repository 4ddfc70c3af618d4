"""Seeding: apply a declarative file of views, pools, zones and records, idempotently (``dnsd seed``,
``dnsd demo``).

Everything is validated first — each entry, then against the store — and every problem is
reported with its place in the file; if there is any, nothing is written. Then what is missing
is created and records are put ("make it so"), so running the same file again changes nothing.
Each new view, pool and zone is one store transaction; all the records are then one more (one change,
one serial bump per zone, however many records: ``BulkOps.put_many``). If the store refuses a
step (someone changed the data since the check), what was written stays, and running the seed
again finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dnsd.domain.errors import InvalidInput
from dnsd.domain.records import RRset, find_zone
from dnsd.services.seedfile import SeedFile, SeedView, in_file_order, parse_seed, read_seed
from dnsd.services.seedplan import Current, SeedPlan, plan_seed
from dnsd.store.bulk import BulkOps
from dnsd.store.zonestore import ZoneStore


@dataclass(frozen=True, slots=True)
class SeedOutcome:
    """The plan a seed ran (or, dry, would run) and the serials of the file's zones afterwards."""

    file: str
    plan: SeedPlan
    serials: dict[str, int]
    dry_run: bool


def current_state(store: ZoneStore, seed: SeedFile) -> Current:
    """Every zone and pool, and the stored RRsets of the zones the file's records fall in."""
    zones = {z.name: z for z in store.list_zones()}
    names = set(zones) | {e.item.name for e in seed.zones}
    involved = {find_zone(e.item.name, names) for e in seed.records} & set(zones)
    state = store.load_state(sorted(z for z in involved if z is not None))
    rrsets: dict[str, list[RRset]] = {}
    for _zone, zone_rrsets in state.zones.values():
        for rrset in zone_rrsets:
            rrsets.setdefault(rrset.name, []).append(rrset)
    descriptions = store.view_descriptions()
    views = {v.name: SeedView(v, descriptions.get(v.name, "")) for v in store.list_views()}
    return Current(zones, state.pools, rrsets, views)


def seed_file(store: ZoneStore, path: Path, actor: str, dry_run: bool = False) -> SeedOutcome:
    """Validate ``path`` completely, then (unless ``dry_run``) apply it; :class:`InvalidInput`
    lists every problem, with its place in the file, and means nothing was written."""
    seed, reasons = parse_seed(read_seed(path), store.limits)
    plan, more = plan_seed(seed, current_state(store, seed))
    if reasons or more:
        raise InvalidInput(in_file_order(reasons + more))
    if not dry_run:
        for v in plan.views:
            store.create_view(v.name, list(v.view.networks), actor, v.description)
        for pool in plan.pools:
            store.create_pool(pool, actor)
        for zone in plan.zones:
            store.create_zone(zone, actor)
        if plan.records:
            bulk = BulkOps(store.engine, store.limits, store.serial_policy)
            bulk.put_many([s.rrset for s in plan.records], actor, [s.label for s in plan.records])
    wanted = {e.item.name for e in seed.zones}
    serials = {z.name: z.serial for z in store.list_zones() if z.name in wanted}
    return SeedOutcome(str(path), plan, serials, dry_run)
