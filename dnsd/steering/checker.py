"""The health checker: probes each pool with a check every ``interval`` seconds and stores
each round's results (the leader runs it; see :mod:`dnsd.steering.leader`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from dnsd.domain.health import DOWN
from dnsd.steering.probe import run_probes
from dnsd.store.health import PoolProbes, ProbeResult, Transition
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.health")
IDLE = 1.0  # seconds between looks at the plan when no pool has a check


class HealthChecker:
    """Runs the rounds that are due. ``lease`` (name, holder) fences the writes: a round is
    dropped when the lease was lost meanwhile."""

    def __init__(
        self,
        store: ZoneStore,
        lease: tuple[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.lease = lease
        self.clock = clock
        self.next_due: dict[str, float] = {}

    def reset(self) -> None:
        """Forget the schedule (on becoming leader: probe everything now)."""
        self.next_due.clear()

    async def tick(self) -> float:
        """Probe the pools that are due, store the results; seconds until the next is due."""
        started = self.clock()
        plan = await asyncio.to_thread(self.store.health_plan)
        for gone in await asyncio.to_thread(self.store.forget_health, plan, self.lease):
            log.info(
                "member %s is no longer checked (counts as up); change %d",
                "/".join(gone.probe.key),
                gone.change_id,
            )
        due = [p for p in plan if self.next_due.get(p.pool, 0.0) <= started]
        if due:
            results = await run_probes([(p.check, probe) for p in due for probe in p.probes])
            transitions = await asyncio.to_thread(self.store.record_health, results, self.lease)
            for pool in due:
                self.next_due[pool.pool] = started + pool.check.interval
            _report(due, results, transitions)
        known = {p.pool for p in plan}
        for name in [n for n in self.next_due if n not in known]:
            del self.next_due[name]
        if not plan:
            return IDLE
        return max(0.0, min(self.next_due[p.pool] for p in plan) - self.clock())


def _report(due: list[PoolProbes], results: list[ProbeResult], transitions: list[Transition]) -> None:
    for t in transitions:
        where = f"{t.probe.pool} {t.probe.address}" + (f" for {t.probe.host}" if t.probe.host else "")
        if t.state == DOWN:
            log.warning("member %s is down (%s); change %d", where, t.error or "failed", t.change_id)
        else:
            log.info("member %s is up again; change %d", where, t.change_id)
    if not transitions:
        return
    touched = {(t.probe.pool, t.probe.host) for t in transitions}
    failing = {(r.probe.pool, r.probe.address, r.probe.host) for r in results if not r.ok}
    for pool in due:
        for host in sorted({p.host for p in pool.probes}):
            if (pool.pool, host) not in touched:
                continue
            members = [p for p in pool.probes if p.host == host]
            if members and all((p.pool, p.address, p.host) in failing for p in members):
                log.warning(
                    "pool %s has no healthy member%s: answering with all of them (fail open)",
                    pool.pool, f" for {host}" if host else "",
                )  # fmt: skip
