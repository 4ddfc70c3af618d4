"""Live changes: follow the store's change feed and swap in rebuilt snapshots.

The follower polls ``store.feed(cursor)`` every ``poll_interval`` seconds and whenever it is
woken (PostgreSQL NOTIFY, see :mod:`dnsd.server.listen`), rebuilds only the zones the new
changes touched, in a worker thread, and swaps the snapshot (which starts a new response cache).
When the database is unreachable it keeps the last snapshot (serve-stale), records the error in
:class:`ServerState`, and retries with exponential backoff up to ``max_backoff`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from dnsd.domain.errors import StoreUnavailable
from dnsd.domain.snapshot import Snapshot, ZoneData, build_zone
from dnsd.server.holder import SnapshotHolder
from dnsd.server.state import ServerState
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.feed")

FEED_PAGE = 1000
T = TypeVar("T")


def load_snapshot(store: ZoneStore, generation: int = 1) -> Snapshot:
    """Every zone, read in one transaction (blocking: call it from a thread)."""
    state = store.load_state()
    zones = {name: build_zone(zone, rrsets, state.pools) for name, (zone, rrsets) in state.zones.items()}
    return Snapshot(zones, generation=generation, cursor=state.cursor)


def rebuild(store: ZoneStore, snapshot: Snapshot, changed: Iterable[str], cursor: int) -> Snapshot:
    """``snapshot`` with the ``changed`` zones re-read (deleted ones dropped), up to ``cursor``.

    The cursor is the last feed entry seen, not the load's own (later) one: a change to another
    zone committed in between must still come through the feed next time.
    """
    names = sorted(set(changed))
    state = store.load_state(names)
    zones: dict[str, ZoneData] = dict(snapshot.zones)
    for name in names:
        if name in state.zones:
            zone, rrsets = state.zones[name]
            zones[name] = build_zone(zone, rrsets, state.pools)
        else:
            zones.pop(name, None)
    return Snapshot(zones, generation=snapshot.generation + 1, cursor=cursor)


class FeedFollower:
    """Keeps ``holder`` current with the store; one instance per serving process."""

    def __init__(
        self,
        store: ZoneStore,
        holder: SnapshotHolder,
        state: ServerState,
        poll_interval: float = 0.2,
        max_backoff: float = 30.0,
    ) -> None:
        self.store = store
        self.holder = holder
        self.state = state
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        # One thread: rebuilds are sequential anyway, and close() can wait for the one in flight.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dnsd-feed")

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        """Wait for the database work in flight (after cancelling :meth:`run`)."""
        self._executor.shutdown(wait=True)

    def wake(self) -> None:
        """Poll now rather than at the next interval (call on the follower's loop)."""
        self._wake.set()

    async def load_initial(self) -> None:
        """Load the full snapshot, retrying with backoff until the database answers."""
        delay = self.poll_interval
        while True:
            try:
                snapshot = await self._in_thread(load_snapshot, self.store)
            except Exception as exc:  # noqa: BLE001 - any failure means "try again later"
                self._failed(exc)
                await asyncio.sleep(delay)
                delay = min(self.max_backoff, delay * 2)
                continue
            self._swapped(snapshot)
            self.state.ready = True
            log.info("snapshot loaded: %d zones, cursor %d", len(snapshot.zones), snapshot.cursor)
            return

    async def run(self) -> None:
        """Follow the feed until cancelled."""
        delay = self.poll_interval
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()
            delay = self.poll_interval if await self.sync_once() else min(self.max_backoff, delay * 2)

    async def sync_once(self) -> bool:
        """Apply every change after the current cursor; False when the database failed."""
        snapshot = self.holder.snapshot
        try:
            cursor, zones = await self._in_thread(self._pending, snapshot.cursor)
            if zones:
                snapshot = await self._in_thread(rebuild, self.store, snapshot, zones, cursor)
                self._swapped(snapshot)
                log.info("applied changes up to %d (%s)", cursor, ", ".join(sorted(zones)))
        except Exception as exc:  # noqa: BLE001 - serve-stale: keep the snapshot, note, retry
            self._failed(exc)
            return False
        self._synced()
        return True

    def _pending(self, cursor: int) -> tuple[int, set[str]]:
        zones: set[str] = set()
        while True:
            entries = self.store.feed(cursor, limit=FEED_PAGE)
            for entry in entries:
                zones.update(entry.zones)
                cursor = entry.id
            if len(entries) < FEED_PAGE:
                return cursor, zones

    def _swapped(self, snapshot: Snapshot) -> None:
        self.holder.swap(snapshot)
        self.state.generation, self.state.cursor = snapshot.generation, snapshot.cursor
        self.state.zones, self.state.built_at = len(snapshot.zones), time.time()
        self._synced()

    def _synced(self) -> None:
        if not self.state.db_ok and self.state.failures:
            log.info("database reachable again after %d failed attempts", self.state.failures)
        self.state.db_ok, self.state.failures, self.state.last_error = True, 0, None
        self.state.synced_at = time.time()

    def _failed(self, exc: Exception) -> None:
        self.state.failures += 1
        self.state.db_ok, self.state.last_error = False, f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, StoreUnavailable):  # not the database's fault: a bug to see
            log.error("snapshot update failed, serving the last snapshot", exc_info=exc)
        elif self.state.failures == 1:
            log.warning("database unreachable, serving the last snapshot: %s", self.state.last_error)
        else:
            log.debug("database still unreachable (attempt %d): %s", self.state.failures, exc)
