"""The shift driver (leader only): each tick, roll back running shifts whose target members
turned unhealthy, and take the steps that are due after checking every name's route on the
target pool (an HTTP(S) probe with Host = the name to each target member)."""

from __future__ import annotations

import asyncio
import logging

from dnsd.domain.health import HealthCheck, Probe
from dnsd.domain.pools import Pool
from dnsd.domain.shifts import Move, Shift, advance, is_due, watch
from dnsd.steering.probe import run_probes
from dnsd.store.tables import utcnow
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.shifts")
IDLE = 1.0
ROUTE_CHECK = HealthCheck(kind="http", port=80, path="/", timeout=2.0)


def route_check(pool: Pool) -> HealthCheck:
    """The target pool's own check when it is route-aware, else a GET / on port 80."""
    return pool.check if pool.check is not None and pool.check.route_aware else ROUTE_CHECK


def _members(pool: Pool) -> list[str]:
    return list(dict.fromkeys(m.address for m in pool.members))


class ShiftDriver:
    def __init__(self, store: ZoneStore) -> None:
        self.store = store

    async def tick(self) -> float:
        """Handle every running shift once; seconds until the next step is due (at most 1)."""
        shifts = await asyncio.to_thread(self.store.list_shifts, True)
        running = [s for s in shifts if s.status == "running"]
        if not running:
            return IDLE
        states = await asyncio.to_thread(self.store.member_states)
        for shift in running:
            try:
                await self._one(shift, states)
            except Exception:  # one shift's failure must not stop the others
                log.exception("shift %d: tick failed", shift.id)
        return IDLE

    async def _one(self, shift: Shift, states: dict[tuple[str, ...], str]) -> None:
        pool = await asyncio.to_thread(self.store.get_pool, shift.target)
        now = utcnow()
        names = sorted({r.name for r in shift.records})
        unhealthy = [
            f"{name} via {address}"
            for name in names
            for address in _members(pool)
            if "down" in (states.get((pool.name, address)), states.get((pool.name, address, name)))
        ]
        move = watch(shift, now, unhealthy)
        if move is None and is_due(shift, now):
            move = advance(shift, now, await self._route_failures(pool, names))
        if move is not None:
            await self._apply(shift, move)

    async def _route_failures(self, pool: Pool, names: list[str]) -> list[str]:
        check = route_check(pool)
        members = _members(pool)
        if not members:
            return [f"pool {pool.name} has no members"]
        work = [(check, Probe(pool.name, a, n)) for n in names for a in members]
        results = await run_probes(work)
        return [f"{r.probe.host} via {r.probe.address}: {r.error}" for r in results if not r.ok]

    async def _apply(self, before: Shift, move: Move) -> None:
        after = await asyncio.to_thread(self.store.apply_move, before, move)
        if after.status == "rolled_back":
            log.warning(
                "shift %d rolled back to %d%% on %s: %s", after.id, after.percent, after.target, after.reason
            )
        elif after.status == "completed":
            log.info("shift %d completed: %d records on %s", after.id, len(after.records), after.target)
        else:
            log.info("shift %d: step %d, %d%% on %s", after.id, after.step_index, after.percent, after.target)
