"""What the DNS side reads besides zones and pools: the views and the member health states.

Read-only; the serving snapshot is built from these (docs/selection.md). The write paths are
the store's view and health operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from dnsd.domain.views import View
from dnsd.store.base import StoreBase
from dnsd.store.tables import MemberHealthRow, PoolRow, RecordRow, RecordTargetRow, ViewRow, ZoneRow


@dataclass(frozen=True, slots=True)
class ServingState:
    """The views (name order) and member states keyed as ``Probe.key``: ``(pool, address)``
    for TCP checks, ``(pool, address, host)`` for HTTP ones."""

    views: tuple[View, ...] = ()
    states: dict[tuple[str, ...], str] | None = None


def read_views(store: StoreBase) -> tuple[View, ...]:
    """Every defined view, by name."""
    with store.read() as session:
        rows = session.execute(select(ViewRow.name, ViewRow.networks).order_by(ViewRow.name)).all()
    return tuple(View(name, tuple(str(n) for n in (networks or ()))) for name, networks in rows)


def read_member_states(store: StoreBase) -> dict[tuple[str, ...], str]:
    """Every recorded member state (a member never checked has none: it is up)."""
    query = select(PoolRow.name, MemberHealthRow.address, MemberHealthRow.host, MemberHealthRow.state).join(
        PoolRow, PoolRow.id == MemberHealthRow.pool_id
    )
    with store.read() as session:
        rows = session.execute(query).all()
    return {((pool, addr, host) if host else (pool, addr)): state for pool, addr, host, state in rows}


def read_serving_state(store: StoreBase) -> ServingState:
    """Views and member states (two small tables)."""
    return ServingState(read_views(store), read_member_states(store))


def steered_zones(store: StoreBase, zones: list[str]) -> set[str]:
    """The zones among ``zones`` holding a weighted record or one limited to views: their
    change lines (the ``default`` view's union) cannot patch what the DNS answer picks from."""
    if not zones:
        return set()
    weighted: Any = (
        select(ZoneRow.name)
        .join(RecordRow, RecordRow.zone_id == ZoneRow.id)
        .join(RecordTargetRow, RecordTargetRow.record_id == RecordRow.id)
        .where(ZoneRow.name.in_(zones))
        .distinct()
    )
    limited: Any = (
        select(ZoneRow.name, RecordRow.views)
        .join(RecordRow, RecordRow.zone_id == ZoneRow.id)
        .where(ZoneRow.name.in_(zones))
        .where(RecordRow.views.is_not(None))
    )
    with store.read() as session:
        found = {str(name) for name in session.scalars(weighted)}
        found.update(str(name) for name, views in session.execute(limited) if views)
    return found


def zones_on_pools(store: StoreBase, pools: set[str]) -> set[str]:
    """The zones with a record on one of ``pools`` (as its pool or one of its targets)."""
    if not pools:
        return set()
    ids: Any = select(PoolRow.id).where(PoolRow.name.in_(sorted(pools)))
    on_targets: Any = select(RecordTargetRow.record_id).where(RecordTargetRow.pool_id.in_(ids))
    query: Any = (
        select(ZoneRow.name)
        .join(RecordRow, RecordRow.zone_id == ZoneRow.id)
        .where(RecordRow.pool_id.in_(ids) | RecordRow.id.in_(on_targets))
        .distinct()
    )
    with store.read() as session:
        return {str(name) for name in session.scalars(query)}
