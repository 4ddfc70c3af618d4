"""The leader: one process per store runs the health checks and drives the shifts.

Every process that serves with a store runs :class:`Steering`; each tries to take the
``steering`` lease (a row in ``leases`` naming the holder) every ``interval`` seconds for
``3 x interval``. The holder renews it; when it stops (killed, partitioned), the lease
expires and another process takes over within a few intervals. Every process keeps a copy of
the member states for its ``dnsd_member_up`` gauges.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from dnsd.steering.checker import HealthChecker
from dnsd.steering.shifts import ShiftDriver
from dnsd.store.leases import STEERING_LEASE
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.leader")
LEASE_RENEWALS = 3  # a lease lasts this many renewal intervals
Work = Callable[[], Awaitable[float]]


def holder_id() -> str:
    """This process, as the lease row shows it: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Steering:
    """Leader election and the leader's work (health rounds, shift ticks)."""

    def __init__(self, store: ZoneStore, interval: float = 2.0, holder: str | None = None) -> None:
        self.store = store
        self.interval = interval
        self.holder = holder or holder_id()
        self.is_leader = False
        self.states: dict[tuple[str, ...], str] = {}
        self.checker = HealthChecker(store, lease=(STEERING_LEASE, self.holder))
        self.shifts = ShiftDriver(store)
        self.work: list[Work] = [self.checker.tick, self.shifts.tick]
        self._leading = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Elect and work until ``stop`` is set; gives the lease up on the way out."""
        worker = asyncio.create_task(self._work_loop())
        try:
            while not stop.is_set():
                await self._renew()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.interval):
                        await stop.wait()
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            if self.is_leader:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.store.release_lease, STEERING_LEASE, self.holder)
                log.info("steering: %s stops being the leader (shutting down)", self.holder)
                self.is_leader = False

    async def _renew(self) -> None:
        try:
            held = await asyncio.to_thread(
                self.store.take_lease, STEERING_LEASE, self.holder, self.interval * LEASE_RENEWALS
            )
            self.states = await asyncio.to_thread(self.store.member_states)
        except Exception as exc:  # noqa: BLE001 - the database is away: we cannot know we lead
            log.warning("steering: cannot renew the lease: %s", exc)
            held = False
        if held and not self.is_leader:
            log.info("steering: %s is now the leader (health checks and shifts)", self.holder)
            self.checker.reset()
            self._leading.set()
        elif not held and self.is_leader:
            log.warning("steering: %s is no longer the leader", self.holder)
            self._leading.clear()
        self.is_leader = held

    async def _work_loop(self) -> None:
        while True:
            await self._leading.wait()
            wait = self.interval
            for work in self.work:
                try:
                    wait = min(wait, await work())
                except Exception:  # one bad round must not stop the leader
                    log.exception("steering: a round failed")
            await asyncio.sleep(max(0.05, wait))


async def alongside(steering: Steering | None, stop: asyncio.Event, main: Awaitable[None]) -> None:
    """Run ``main`` with ``steering`` beside it: when ``main`` returns or fails, steering stops
    (giving the lease up) and ``main``'s outcome is returned or raised."""
    if steering is None:
        await main
        return
    task = asyncio.create_task(steering.run(stop))
    try:
        await main
    finally:
        stop.set()
        await task
