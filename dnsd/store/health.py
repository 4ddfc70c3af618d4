"""Member health in the store: what to probe, one transaction per round of results, the states
the answer path reads, and the per-member detail ``GET /pools/{name}`` shows (docs/steering.md).

A transition (up <-> down) is a change row (action ``health.down``/``health.up``, actor
``health``, subject ``pool/address`` or ``pool/address/host``) whose zone deltas are the RR
lines the zone file (the ``default`` view) loses or gains, so the DNS processes (they follow
the feed), IXFR, export and the DNSPod sync all see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.health import DOWN, UP, HealthCheck, Probe, Streak, advance
from dnsd.domain.pools import DEFAULT_VIEW, Pool
from dnsd.domain.records import RRset
from dnsd.domain.selection import health_from_states
from dnsd.domain.snapshot import expand
from dnsd.store.base import StoreBase, ZoneDelta, pool_key
from dnsd.store.convert import pool_from_row, rrset_from_row
from dnsd.store.leases import lease_held
from dnsd.store.lines import read_member_states
from dnsd.store.tables import MemberHealthRow, PoolRow, RecordRow, RecordTargetRow, ZoneRow, utcnow

ACTOR = "health"
POOL_TYPES = ("A", "AAAA")


@dataclass(frozen=True, slots=True)
class PoolProbes:
    """One pool with a check: the check, and every probe of it (a member, or a member for each
    record name the pool answers for when the check is route-aware)."""

    pool: str
    check: HealthCheck
    probes: tuple[Probe, ...]


@dataclass(frozen=True, slots=True)
class ProbeResult:
    probe: Probe
    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class Transition:
    """A probe that changed state in a round, and the id of the change row that says so."""

    probe: Probe
    state: str
    error: str
    change_id: int


@dataclass(frozen=True, slots=True)
class MemberHealth:
    """One probe's stored state (``host`` "" for a TCP check)."""

    address: str
    host: str
    state: str
    last_check: dt.datetime | None
    last_change: dt.datetime | None
    last_error: str


def _members(pool: Pool) -> tuple[str, ...]:
    """Every distinct member address of a pool, over all its views, in stored order."""
    return tuple(dict.fromkeys(m.address for m in pool.members))


def _rrset(row: RecordRow, zones: Mapping[int, str], names: Mapping[int, str]) -> RRset:
    pool = names.get(row.pool_id) if row.pool_id is not None else None
    return rrset_from_row(row, zones[row.zone_id], pool)


class HealthOps(StoreBase):
    def health_plan(self) -> list[PoolProbes]:
        """Every pool with a check and its probes, pools by name (hosts: the names of the
        A/AAAA records pointing at the pool, weighted ones included, in name order)."""
        with self.read() as session:
            rows = session.scalars(select(PoolRow).where(PoolRow.health_check.is_not(None)))
            out: list[PoolProbes] = []
            for row in sorted(rows, key=lambda r: r.name):
                pool = pool_from_row(row)
                if pool.check is None:
                    continue
                members = _members(pool)
                if pool.check.route_aware:
                    hosts = self._hosts(session, row.id)
                    probes = tuple(Probe(pool.name, a, h) for a in members for h in hosts)
                else:
                    probes = tuple(Probe(pool.name, a) for a in members)
                out.append(PoolProbes(pool.name, pool.check, probes))
            return out

    @staticmethod
    def _hosts(session: Session, pool_id: int) -> list[str]:
        targeted = select(RecordTargetRow.record_id).where(RecordTargetRow.pool_id == pool_id)
        query = select(RecordRow.name).where(
            RecordRow.type.in_(POOL_TYPES), or_(RecordRow.pool_id == pool_id, RecordRow.id.in_(targeted))
        )
        return sorted(set(session.scalars(query)))

    @staticmethod
    def _states(session: Session) -> dict[tuple[str, ...], str]:
        return read_member_states(session)

    def pool_health(self, name: str) -> list[MemberHealth]:
        """The stored state of each probe of one pool, by address then host."""
        with self.read() as session:
            pool_id = session.scalar(select(PoolRow.id).where(PoolRow.name == pool_key(name)))
            if pool_id is None:
                return []
            rows = session.scalars(
                select(MemberHealthRow)
                .where(MemberHealthRow.pool_id == pool_id)
                .order_by(MemberHealthRow.address, MemberHealthRow.host)
            )
            return [
                MemberHealth(r.address, r.host, r.state, r.last_check, r.last_change, r.last_error)
                for r in rows
            ]

    def forget_health(
        self, plan: Sequence[PoolProbes], lease: tuple[str, str] | None = None
    ) -> list[Transition]:
        """Delete the states of probes no longer in ``plan`` (a member or name removed, a check
        changed or dropped), in one transaction. A member then counts as up again, so a
        forgotten ``down`` state is a ``health.up`` change (error "no longer checked")."""
        keep = {p.key for pool in plan for p in pool.probes}
        with self.read() as session:  # the common case, nothing to forget, takes no write lock
            if all(key in keep for key in self._states(session)):
                return []
        now = utcnow()
        with self.write() as session:
            if lease is not None and not lease_held(session, lease[0], lease[1], now):
                return []
            names = {r.id: r.name for r in session.scalars(select(PoolRow))}
            stale = [
                r
                for r in session.scalars(select(MemberHealthRow))
                if Probe(names[r.pool_id], r.address, r.host).key not in keep
            ]
            if not stale:
                return []
            gone = [(Probe(names[r.pool_id], r.address, r.host), r.state) for r in stale]
            for row in stale:
                session.delete(row)
            session.flush()
            pending = {probe.key: state for probe, state in gone}
            out = []
            for probe, state in gone:
                del pending[probe.key]
                if state != UP:
                    result = ProbeResult(probe, True, "no longer checked")
                    out.append(self._transition(session, result, state, UP, pending))
            return out

    def record_health(
        self, results: Sequence[ProbeResult], lease: tuple[str, str] | None = None
    ) -> list[Transition]:
        """Apply one round of probe results (rise/fall by each pool's check) in one transaction;
        every transition writes a change row with its zone deltas. With ``lease`` (name,
        holder), nothing is written unless that holder still holds the lease (a leader that
        lost it mid-round must not write). Results of pools without a check are ignored."""
        now = utcnow()
        with self.write() as session:
            if lease is not None and not lease_held(session, lease[0], lease[1], now):
                return []
            pools = {r.name: r for r in session.scalars(select(PoolRow))}
            existing = {(r.pool_id, r.address, r.host): r for r in session.scalars(select(MemberHealthRow))}
            changed: list[tuple[ProbeResult, MemberHealthRow, str]] = []
            for result in results:
                prow = pools.get(result.probe.pool)
                check = pool_from_row(prow).check if prow is not None else None
                if prow is None or check is None:
                    continue
                key = (prow.id, result.probe.address, result.probe.host)
                row = existing.get(key)
                if row is None:
                    row = MemberHealthRow(
                        pool_id=prow.id, address=key[1], host=key[2], state=UP, ok_streak=0, fail_streak=0
                    )
                    session.add(row)
                    existing[key] = row
                before = row.state
                streak = advance(Streak(row.state, row.ok_streak, row.fail_streak), result.ok, check)
                row.state, row.ok_streak, row.fail_streak = streak.state, streak.ok, streak.failed
                row.last_check = now
                row.last_error = "" if result.ok else result.error[:1000]
                if streak.state != before:
                    row.last_change = now
                    changed.append((result, row, before))
            session.flush()
            # one change per transition, in order: each sees the ones before it applied and
            # the ones after it not yet
            pending = {result.probe.key: before for result, _row, before in changed}
            out = []
            for result, row, before in changed:
                del pending[result.probe.key]
                out.append(self._transition(session, result, before, row.state, pending))
            return out

    def _transition(
        self,
        session: Session,
        result: ProbeResult,
        before: str,
        after: str,
        later: dict[tuple[str, ...], str],
    ) -> Transition:
        probe = result.probe
        deltas = self._health_deltas(session, probe, before, later)
        subject = "/".join(probe.key)
        change = self.record_change(
            session, actor=ACTOR, action=f"health.{after}", subject=subject, deltas=deltas,
            before={"state": before}, after={"state": after, "error": result.error},
        )  # fmt: skip
        return Transition(probe, after, result.error, change.id)

    def _health_deltas(
        self, session: Session, probe: Probe, before: str, later: dict[tuple[str, ...], str]
    ) -> list[ZoneDelta]:
        """The zone-file lines (``default`` view) of every record the probe affects, with the
        probe in state ``before`` and as stored (``later``: probes whose stored state is not
        yet in effect, with their previous state)."""
        prow = session.scalar(select(PoolRow).where(PoolRow.name == probe.pool))
        assert prow is not None
        targeted = select(RecordTargetRow.record_id).where(RecordTargetRow.pool_id == prow.id)
        query = select(RecordRow).where(
            RecordRow.type.in_(POOL_TYPES), or_(RecordRow.pool_id == prow.id, RecordRow.id.in_(targeted))
        )
        if probe.host:
            query = query.where(RecordRow.name == probe.host)
        records = session.scalars(query).all()
        if not records:
            return []
        pool_rows = session.scalars(select(PoolRow)).all()
        pools = {r.name: pool_from_row(r) for r in pool_rows}
        names = {r.id: r.name for r in pool_rows}
        zone_rows = {z.id: z for z in session.scalars(select(ZoneRow))}
        zone_names = {i: z.name for i, z in zone_rows.items()}
        states = {**self._states(session), **later}
        health_after = health_from_states(states)
        health_before = health_from_states({**states, probe.key: before})
        by_zone: dict[int, tuple[list[RRLine], list[RRLine]]] = {}
        for row in records:
            rrset = _rrset(row, zone_names, names)
            old = {r.to_text() for r in expand(rrset, pools, DEFAULT_VIEW, health_before)}
            new = {r.to_text() for r in expand(rrset, pools, DEFAULT_VIEW, health_after)}
            removed, added = by_zone.setdefault(row.zone_id, ([], []))
            removed += [(row.name, row.type, row.ttl, t) for t in sorted(old - new)]
            added += [(row.name, row.type, row.ttl, t) for t in sorted(new - old)]
        return [
            ZoneDelta(zone_rows[zone_id], removed, added)
            for zone_id, (removed, added) in sorted(by_zone.items())
            if removed or added
        ]


__all__ = ["DOWN", "UP", "HealthOps", "MemberHealth", "PoolProbes", "ProbeResult", "Transition"]
