"""What the DNS side reads besides zones and pools: the views and the member health states
(through the store's ``list_views``/``member_states``), and which zones a change must re-read.

Read-only; the serving snapshot is built from these (docs/selection.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select

from dnsd.domain.changes import Change
from dnsd.domain.views import View
from dnsd.store.base import StoreBase
from dnsd.store.convert import change_from_row
from dnsd.store.lines import read_member_states
from dnsd.store.tables import ChangeRow, PoolRow, RecordRow, RecordTargetRow, ViewRow, ZoneRow
from dnsd.store.views import view_from_row


@dataclass(frozen=True, slots=True)
class ServingState:
    """The views (name order) and member states keyed as ``Probe.key``: ``(pool, address)``
    for TCP checks, ``(pool, address, host)`` for HTTP ones."""

    views: tuple[View, ...] = ()
    states: dict[tuple[str, ...], str] | None = None


class ServingSource(Protocol):
    """What :func:`read_serving_state` reads from (the :class:`ZoneStore`)."""

    def list_views(self) -> list[View]: ...

    def member_states(self) -> dict[tuple[str, ...], str]: ...


def read_serving_state(store: ServingSource) -> ServingState:
    """Views (by name) and member states: two small tables."""
    return ServingState(tuple(store.list_views()), store.member_states())


def read_feed(store: StoreBase, after_id: int, limit: int) -> tuple[list[Change], ServingState]:
    """The changes after ``after_id`` (oldest first, at most ``limit``), then the views and the
    member states, in one read session: a feed round's reads, one connection checkout and one
    transaction instead of three (a third of the round at 100 changes a second, bench/nodes.py)."""
    with store.read() as session:
        query = select(ChangeRow).where(ChangeRow.id > after_id).order_by(ChangeRow.id).limit(limit)
        changes = [change_from_row(row) for row in session.scalars(query)]
        views = tuple(view_from_row(row) for row in session.scalars(select(ViewRow).order_by(ViewRow.name)))
        return changes, ServingState(views, read_member_states(session))


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
