"""Many RRsets at once (``POST /records/bulk``, ``dnsd record import``): all checked first, then
all written in one transaction, or nothing.

Each item follows the rules of :meth:`RecordOps.put_rrset` ("make it so" for its owner), checked
against the store *and* against the other items: a name two items give to different owners, the
same name and type twice, a CNAME next to another item's data. The batch is one change row
(action ``record.bulk``) that bumps the serial of every zone it touches once, so a secondary sees
one new serial and one IXFR step per batch, however many RRsets it holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.errors import Conflict, InvalidInput, Reason
from dnsd.domain.records import RRset, find_zone, placement_problems
from dnsd.store.base import ZoneDelta
from dnsd.store.convert import pool_from_row, rrset_dict
from dnsd.store.lines import rr_lines, session_health
from dnsd.store.records import PutResult, RecordOps, check_views_defined, write_record
from dnsd.store.tables import PoolRow, RecordRow, ZoneRow

CREATED, CHANGED, UNCHANGED = "created", "changed", "unchanged"


@dataclass(frozen=True, slots=True)
class ItemConflict:
    """Item ``index`` (``label`` in the caller's terms) wants a name ``holder`` holds."""

    index: int
    label: str
    name: str
    rtype: str
    holder: str


class BulkConflict(Conflict):
    """Items of a batch whose names other owners hold; ``conflicts`` lists every one."""

    def __init__(self, conflicts: Sequence[ItemConflict]) -> None:
        self.conflicts = list(conflicts)
        first = self.conflicts[0]
        more = f" (and {len(self.conflicts) - 1} more)" if len(self.conflicts) > 1 else ""
        super().__init__(f"{first.label}: {first.name} is held by {first.holder}{more}", holder=first.holder)


@dataclass(slots=True)
class _Item:
    """One checked item: its zone, the stored RRset it replaces (if any) and what will happen;
    ``row`` is the item's row once written."""

    new: RRset
    zone: ZoneRow
    row: RecordRow | None
    old: RRset | None
    pool_ids: dict[str, int]

    @property
    def outcome(self) -> str:
        if self.old is None:
            return CREATED
        return UNCHANGED if self.old.content() == self.new.content() else CHANGED


class BulkOps(RecordOps):
    def put_many(
        self,
        rrsets: Sequence[RRset],
        actor: str,
        labels: Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> list[PutResult]:
        """Put every RRset (built by ``make_rrset``) in one transaction, or none.

        Before writing, every item is checked: :class:`InvalidInput` lists every problem of every
        item (fields ``<label>.<field>``; item ``i``'s label is ``records.<i>`` unless ``labels``
        names them), names other owners hold included; with no other problem,
        :class:`BulkConflict` lists every item another owner's name blocks.
        Results come in input order; ``serial`` is the item's zone serial after the batch. With
        ``dry_run`` nothing is written and the results say what would happen (new RRsets have no
        id, serials are the current ones).
        """
        names = list(labels) if labels is not None else [f"records.{i}" for i in range(len(rrsets))]
        with self.read() if dry_run else self.write() as session:
            items = self._check(session, rrsets, names)
            if not dry_run:
                self._apply(session, items, actor)
            return [_result(item) for item in items]

    def _check(self, session: Session, rrsets: Sequence[RRset], labels: Sequence[str]) -> list[_Item]:
        zones = self.zone_rows(session)
        pools = {p.name: p for p in session.scalars(select(PoolRow))}
        stored = _stored_at(session, {r.name for r in rrsets})
        problems = _batch_problems(rrsets, labels, zones, pools)
        broken = {index for index, _ in problems}
        batch_at: dict[str, list[RRset]] = {}
        for rrset in rrsets:
            batch_at.setdefault(rrset.name, []).append(rrset)
        conflicts: list[ItemConflict] = []
        items: list[_Item] = []
        for i, rrset in enumerate(rrsets):
            zone_name = find_zone(rrset.name, zones)
            if zone_name is None or i in broken:
                continue
            zone = zones[zone_name]
            rows = [r for r in stored.get(rrset.name, []) if r.zone_id == zone.id]
            holders = sorted({r.owner for r in rows if r.owner != rrset.owner})
            if holders:
                conflicts.append(ItemConflict(i, labels[i], rrset.name, rrset.rtype, holders[0]))
                continue
            others = {r.type: self._to_domain(session, r, zone.name) for r in rows if r.type != rrset.rtype}
            others |= {o.rtype: o for o in batch_at[rrset.name] if o.rtype != rrset.rtype}
            placement = placement_problems(rrset, zone.name, others.values())
            problems += [(i, Reason(f"{labels[i]}.{r.field}", r.message)) for r in placement]
            row = next((r for r in rows if r.type == rrset.rtype), None)
            old = self._to_domain(session, row, zone.name) if row is not None else None
            pool_ids = {p: pools[p].id for p in rrset.pools}
            try:
                check_views_defined(session, rrset.views, f"{labels[i]}.views")
            except InvalidInput as exc:
                problems += [(i, r) for r in exc.reasons]
            items.append(_Item(replace(rrset, zone=zone.name), zone, row, old, pool_ids))
        if problems:  # then the conflicts are problems too: one answer names everything
            problems += [
                (c.index, Reason(f"{c.label}.name", f"{c.name} is held by {c.holder}")) for c in conflicts
            ]
            raise InvalidInput([reason for _, reason in sorted(problems, key=lambda p: p[0])])
        if conflicts:
            raise BulkConflict(conflicts)
        return items

    def _apply(self, session: Session, items: Sequence[_Item], actor: str) -> None:
        pools = {p.name: pool_from_row(p) for p in session.scalars(select(PoolRow))}
        health = session_health(session)
        written = [item for item in items if item.outcome != UNCHANGED]
        if not written:
            return
        deltas: dict[str, tuple[ZoneRow, list[RRLine], list[RRLine]]] = {}
        for item in written:
            if item.row is None:
                new = item.new
                item.row = RecordRow(zone_id=item.zone.id, name=new.name, type=new.rtype, owner=new.owner)
                session.add(item.row)
            write_record(session, item.row, item.new, item.pool_ids)
            _, removed, added = deltas.setdefault(item.zone.name, (item.zone, [], []))
            removed += rr_lines(item.old, pools, health)
            added += rr_lines(item.new, pools, health)
        owners = {item.new.owner for item in written}
        created = sum(1 for item in written if item.old is None)
        self.record_change(
            session, actor=actor, action="record.bulk",
            subject=f"{len(written)} RRsets ({created} created, {len(written) - created} changed)",
            owner=owners.pop() if len(owners) == 1 else None,
            deltas=[ZoneDelta(zone, removed, added) for zone, removed, added in deltas.values()],
            before={"records": [rrset_dict(item.old) for item in written if item.old is not None]},
            after={"records": [rrset_dict(item.new) for item in written]},
        )  # fmt: skip


def _result(item: _Item) -> PutResult:
    """The outcome of one item; written rows have their ids (``record_change`` flushed them)."""
    outcome = item.outcome
    rrset = item.old if outcome == UNCHANGED and item.old is not None else item.new
    rrset = replace(rrset, id=item.row.id if item.row is not None else None)
    return PutResult(rrset, created=outcome == CREATED, changed=outcome != UNCHANGED, serial=item.zone.serial)


def _stored_at(session: Session, names: set[str]) -> dict[str, list[RecordRow]]:
    """The stored RRsets at ``names``, by name (in chunks: bind-parameter limits)."""
    wanted = sorted(names)
    out: dict[str, list[RecordRow]] = {}
    for start in range(0, len(wanted), 500):
        for row in session.scalars(select(RecordRow).where(RecordRow.name.in_(wanted[start : start + 500]))):
            out.setdefault(row.name, []).append(row)
    return out


def _batch_problems(
    rrsets: Sequence[RRset], labels: Sequence[str], zones: Mapping[str, ZoneRow], pools: Mapping[str, PoolRow]
) -> list[tuple[int, Reason]]:
    """Problems each item has on its own or with the items before it: no zone, unknown pool,
    the same name and type twice, two owners for one name."""
    problems: list[tuple[int, Reason]] = []
    first: dict[tuple[str, str], int] = {}
    owner_of: dict[str, int] = {}
    for i, rrset in enumerate(rrsets):
        label = labels[i]
        if find_zone(rrset.name, zones) is None:
            problems.append((i, Reason(f"{label}.name", f"no zone of ours contains {rrset.name}")))
        for j, pool in enumerate(rrset.pools):
            if pool not in pools:
                field = f"{label}.targets.{j}.pool" if rrset.targets else f"{label}.pool"
                problems.append((i, Reason(field, f"pool {pool!r} not found")))
        key = (rrset.name, rrset.rtype)
        if key in first:
            again = f"{rrset.name}/{rrset.rtype} is already at {labels[first[key]]}"
            problems.append((i, Reason(f"{label}.name", again)))
        first.setdefault(key, i)
        j = owner_of.setdefault(rrset.name, i)
        if rrsets[j].owner != rrset.owner:
            message = f"{labels[j]} gives {rrset.name} to {rrsets[j].owner}; a name has one owner"
            problems.append((i, Reason(f"{label}.owner", message)))
    return problems
