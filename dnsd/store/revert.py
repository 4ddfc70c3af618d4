"""Reverting a change: one new change that puts the RRsets (or the pool) back as they were.

A change can be reverted when it recorded what it replaced: record creates, updates, deletes,
bulk writes, earlier reverts and pool updates. A later change that touched one of the same names
(or the same pool) makes the revert refuse with :class:`RevertRefused` naming those changes,
unless ``force``: the caller then overwrites whatever the later changes did to those names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.domain.changes import Change, RRLine
from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.health import check_dict, make_check
from dnsd.domain.pools import make_pool, pool_dict
from dnsd.domain.records import RRset, make_rrset, placement_problems
from dnsd.store.base import MAX_BIGINT, ZoneDelta, check_integer
from dnsd.store.convert import change_from_row, pool_from_row, rrset_dict
from dnsd.store.pools import PoolOps, address_rows
from dnsd.store.records import RecordOps, check_views_defined, write_record
from dnsd.store.tables import ChangeRow, RecordRow, ZoneRow

RECORD_ACTIONS = ("record.create", "record.update", "record.delete", "record.bulk", "change.revert")
POOL_ACTIONS = ("pool.update",)
RrKey = tuple[str, str]  # (name, type)


class RevertRefused(Conflict):
    """Later changes touched the same names: ``later`` lists their ids (409 unless forced)."""

    def __init__(self, change_id: int, later: list[Change]) -> None:
        self.later = [c.id for c in later]
        shown = ", ".join(f"{c.id} ({c.action} {c.subject} by {c.actor})" for c in later[:5])
        more = f" and {len(later) - 5} more" if len(later) > 5 else ""
        super().__init__(
            f"change {change_id} cannot be reverted safely: later changes touched the same names: "
            f"{shown}{more}; revert those first, or force the revert to overwrite them"
        )


@dataclass(frozen=True, slots=True)
class RevertPlan:
    """What reverting ``change`` would check: the names it touched and the later changes."""

    change: Change
    names: frozenset[str]
    later: list[Change]


def targets(change: Change) -> dict[RrKey, dict[str, Any] | None]:
    """The state each RRset of a record change had before it (None: it did not exist)."""
    before, after = change.before or {}, change.after or {}
    if change.action in ("record.bulk", "change.revert"):
        olds, news = list(before.get("records", [])), list(after.get("records", []))
    else:
        olds, news = ([before] if before else []), ([after] if after else [])
    out: dict[RrKey, dict[str, Any] | None] = {(r["name"], r["type"]): None for r in news}
    out.update({(r["name"], r["type"]): r for r in olds})
    return out


def touched_names(change: Change) -> frozenset[str]:
    """Every owner name whose RRs the change removed or added, or whose RRset it wrote."""
    names = {line[0] for z in change.zones for line in (*z.removed, *z.added)}
    if change.action in RECORD_ACTIONS:
        names |= {name for name, _ in targets(change)}
    return frozenset(names)


def pool_before(change: Change) -> dict[str, Any] | None:
    """The pool as it was before a pool update (or a revert of one); None for other changes."""
    if change.action in POOL_ACTIONS:
        return change.before
    if change.action == "change.revert" and change.before and "pool" in change.before:
        pool: dict[str, Any] = change.before["pool"]
        return pool
    return None


def _pools_of(change: Change) -> set[str]:
    if change.action.startswith("pool."):
        return {change.subject}
    if (pool := pool_before(change)) is not None:
        return {pool["name"]}
    records = [change.before or {}, change.after or {}]
    records += [*(change.before or {}).get("records", []), *(change.after or {}).get("records", [])]
    records = [r for r in records if isinstance(r, dict)]  # a shift's change lists "name/type" texts
    return {r["pool"] for r in records if r.get("pool")} | {
        p for r in records for p in r.get("targets") or {}
    }


class RevertOps(PoolOps, RecordOps):
    def revert_plan(self, change_id: int) -> RevertPlan:
        """The change, the names it touched and every later change that touched any of them
        (or its pool); :class:`NotFound` for an unknown id, :class:`Conflict` for a change of
        a kind that cannot be reverted."""
        check_integer("id", change_id, MAX_BIGINT, minimum=1)
        with self.read() as session:
            return self._plan(session, change_id)

    def _plan(self, session: Session, change_id: int) -> RevertPlan:
        change = self._change(session, change_id)
        names = touched_names(change)
        pools = _pools_of(change) if pool_before(change) is not None else set()
        later = [
            c
            for c in self._later(session, change_id)
            if touched_names(c) & names or (pools and _pools_of(c) & pools)
        ]
        return RevertPlan(change, names, later)

    @staticmethod
    def _change(session: Session, change_id: int) -> Change:
        row = session.get(ChangeRow, change_id)
        if row is None:
            raise NotFound("change", str(change_id))
        change = change_from_row(row)
        if change.action not in RECORD_ACTIONS + POOL_ACTIONS:
            raise Conflict(
                f"change {change_id} ({change.action}) cannot be reverted: only record changes, "
                "pool updates and reverts record what they replaced"
            )
        return change

    @staticmethod
    def _later(session: Session, change_id: int) -> Iterable[Change]:
        query = select(ChangeRow).where(ChangeRow.id > change_id)
        return (change_from_row(r) for r in session.scalars(query.order_by(ChangeRow.id)))

    def revert_change(self, change_id: int, actor: str, *, force: bool = False) -> Change:
        """Record one new change (action ``change.revert``) that restores what ``change_id``
        replaced. :class:`RevertRefused` when later changes touched the same names, unless
        ``force``; :class:`Conflict` when there is nothing left to revert. The later changes
        are looked for under the write lock, so none can slip in between check and write."""
        check_integer("id", change_id, MAX_BIGINT, minimum=1)
        with self.write() as session:
            plan = self._plan(session, change_id)
            if plan.later and not force:
                raise RevertRefused(change_id, plan.later)
            if (pool := pool_before(plan.change)) is not None:
                row = self._restore_pool(session, plan.change, pool, actor)
            else:
                row = self._restore_records(session, plan.change, actor)
            session.flush()
            return change_from_row(row)

    def _restore_records(self, session: Session, change: Change, actor: str) -> ChangeRow:
        deltas: dict[str, tuple[ZoneRow, list[RRLine], list[RRLine]]] = {}
        olds: list[dict[str, Any]] = []
        news: list[dict[str, Any]] = []
        for key, target in sorted(targets(change).items()):
            zone, old, new = self._restore_rrset(session, key, target)
            if (
                old is not None
                and new is not None
                and old.content() == new.content()
                and old.owner == new.owner
            ):
                continue
            _, removed, added = deltas.setdefault(zone.name, (zone, [], []))
            removed += self._lines(session, old)
            added += self._lines(session, new)
            olds += [rrset_dict(old)] if old is not None else []
            news += [rrset_dict(new)] if new is not None else []
        if not deltas:
            raise Conflict(
                f"nothing to revert: the records of change {change.id} are already as they were before it"
            )
        owners = {r["owner"] for r in olds + news}
        return self.record_change(
            session, actor=actor, action="change.revert", subject=f"revert of change {change.id}",
            owner=owners.pop() if len(owners) == 1 else None,
            deltas=[ZoneDelta(zone, removed, added) for zone, removed, added in deltas.values()],
            before={"reverts": change.id, "records": olds}, after={"reverts": change.id, "records": news},
        )  # fmt: skip

    def _restore_rrset(
        self, session: Session, key: RrKey, target: dict[str, Any] | None
    ) -> tuple[ZoneRow, RRset | None, RRset | None]:
        """Make the RRset ``key`` be ``target`` again, in ``session``: (zone, old, new)."""
        name, rtype = key
        zone = self._zone_for(session, name)
        rows = session.scalars(
            select(RecordRow).where(RecordRow.zone_id == zone.id, RecordRow.name == name)
        ).all()
        row = next((r for r in rows if r.type == rtype), None)
        old = self._to_domain(session, row, zone.name) if row is not None else None
        if target is None:
            if row is not None:
                session.delete(row)
            return zone, old, None
        new = make_rrset(
            name, rtype, int(target["ttl"]), target["owner"], target.get("values"), target.get("pool"),
            targets=target.get("targets"), mode=target.get("mode", "hashed"), views=target.get("views"),
        )  # fmt: skip
        new = replace(new, zone=zone.name)
        others = [r for r in rows if r.type != rtype]
        holders = sorted({r.owner for r in others if r.owner != new.owner})
        if holders:
            holder = holders[0]
            raise Conflict(f"cannot restore {name}/{rtype}: {name} is now held by {holder}", holder=holder)
        domain_others = [self._to_domain(session, r, zone.name) for r in others]
        problems = placement_problems(new, zone.name, domain_others)
        if problems:
            raise Conflict(f"cannot restore {name}/{rtype}: " + "; ".join(str(p) for p in problems))
        pool_ids = self._pools_for_restore(session, new)
        if row is None:
            row = RecordRow(zone_id=zone.id, name=name, type=rtype, owner=new.owner)
            session.add(row)
        row.owner = new.owner
        write_record(session, row, new, pool_ids)
        return zone, old, new

    def _pools_for_restore(self, session: Session, rrset: RRset) -> dict[str, int]:
        try:
            return self._target_ids(session, rrset)
        except NotFound as exc:
            what = f"{rrset.name}/{rrset.rtype}"
            raise Conflict(f"cannot restore {what}: {exc.kind} {exc.key} no longer exists") from None
        except InvalidInput as exc:
            raise Conflict(f"cannot restore {rrset.name}/{rrset.rtype}: {exc}") from None

    def _restore_pool(
        self, session: Session, change: Change, before: dict[str, Any], actor: str
    ) -> ChangeRow:
        row = self._pool_row(session, str(before["name"]))
        current = pool_from_row(row)
        old = make_pool(
            str(before["name"]),
            list(before.get("addresses", [])),
            str(before.get("description", "")),
            list(before.get("external_addresses", [])),
            view_members=before.get("members"),
            check=make_check(before["check"]) if before.get("check") else None,
        )
        if old == current:
            raise Conflict(
                f"nothing to revert: pool {old.name} is already as it was before change {change.id}"
            )
        try:
            check_views_defined(session, old.views, "members")
        except InvalidInput as exc:
            raise Conflict(f"cannot restore pool {old.name}: {exc}") from None
        row.description = old.description
        row.health_check = check_dict(old.check) if old.check else None
        row.addresses = []
        session.flush()
        row.addresses = address_rows(old)
        deltas = self._affected_zones(session, row.id, current, old) if old.members != current.members else []
        return self.record_change(
            session, actor=actor, action="change.revert", subject=f"revert of change {change.id}",
            deltas=deltas, before={"reverts": change.id, "pool": pool_dict(current)},
            after={"reverts": change.id, "pool": pool_dict(old)},
        )  # fmt: skip
