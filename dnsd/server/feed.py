"""Live changes: follow the store's change feed and swap in rebuilt snapshots.

The follower reads the changes after its cursor every ``poll_interval`` seconds and whenever it
is woken (PostgreSQL NOTIFY, see :mod:`dnsd.server.listen`), moves only the zones they touched
forward (patched from the changes' RR lines, or re-read; see :mod:`dnsd.server.patch`) in a
worker thread, and swaps the snapshot (which starts a new response cache). The cursor is the
last change applied, so a change committed meanwhile is picked up by the next round.
When the database is unreachable it keeps the last snapshot (serve-stale), records the error in
:class:`ServerState`, and retries with exponential backoff up to ``max_backoff`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from dnsd.domain.changes import Change
from dnsd.domain.errors import StoreUnavailable
from dnsd.domain.snapshot import Snapshot
from dnsd.server.holder import SnapshotHolder
from dnsd.server.patch import PATCHABLE_ACTIONS, ZonePatch
from dnsd.server.serving import must_reread, plain_pools, rebuilt, same_views, serving_snapshot
from dnsd.server.state import ServerState
from dnsd.store.serving_state import ServingState, read_feed, read_serving_state
from dnsd.store.state_rows import StateReader, collector_paused
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.feed")


class SnapshotNotLoaded(StoreUnavailable):
    """The first snapshot could not be loaded within ``startup_timeout``: the process exits
    rather than look alive while serving nothing (serve-stale is for a database lost later)."""


FEED_PAGE = 1000
T = TypeVar("T")
FeedListener = Callable[[Snapshot, Snapshot, list[Change]], None]
"""Told on the loop after each swap: (snapshot before, snapshot after, the changes applied)."""
FeedPreparer = Callable[[list[Change]], None]
"""Runs in the feed's thread with a round's changes before its snapshot is swapped in, to read
what must move together with the snapshot (the transfer policy); raising fails the round."""


def load_snapshot(store: ZoneStore, generation: int = 1) -> Snapshot:
    """Every zone, read in one transaction (blocking: call it from a thread). The rows are read
    without the ORM, and records that need no selection go straight into answer-ready nodes
    (:meth:`StateReader.serving_rows`): at a million records that is the cold start."""
    reader = StateReader(store.engine)
    with collector_paused():
        while True:
            before = read_serving_state(store)
            rows = reader.serving_rows(plain_pools(before))
            serving = read_serving_state(store)  # read after the rows, as the feed expects
            if _same_health_kind(before, serving):
                break  # else a member went down meanwhile: read again with the right split
        snapshot = serving_snapshot(rows.zones, rows.pools, serving, generation, rows.cursor, rows.base)
        del rows
        # Still paused: the millions of new objects wait in the youngest generation, and the
        # first collection after resuming would walk them all (2.4 s at a million records).
        # The snapshot lives long and holds no cycles: move it out of the collector's sight.
        gc.freeze()
    return snapshot


def _same_health_kind(before: ServingState, after: ServingState) -> bool:
    """Whether the split :func:`plain_pools` made from ``before`` holds for ``after``."""
    down = [any(s != "up" for s in (x.states or {}).values()) for x in (before, after)]
    return down[0] or not down[1]


def pending_changes(store: ZoneStore, cursor: int) -> tuple[list[Change], ServingState]:
    """Every change after ``cursor``, oldest first, and the views and member states read after
    them (in the same session as the last page)."""
    changes: list[Change] = []
    while True:
        page, serving = read_feed(store, cursor, FEED_PAGE)
        changes += page
        if len(page) < FEED_PAGE:
            return changes, serving
        cursor = page[-1].id


def apply_changes(
    store: ZoneStore, snapshot: Snapshot, changes: list[Change], serving: ServingState | None = None
) -> tuple[Snapshot, set[str]]:
    """``snapshot`` moved forward by ``changes``: record and pool changes are patched in from
    their RR lines; zones changed any other way (created, updated, deleted) are re-read whole.
    ``serving``: the views and member states read after ``changes`` (read here when None).
    Returns the new snapshot and the names of the zones that changed."""
    serving = read_serving_state(store) if serving is None else serving
    if not same_views(snapshot, serving):  # views defined or changed: every zone, every view
        fresh = dataclasses.replace(load_snapshot(store, snapshot.generation + 1), cursor=changes[-1].id)
        return fresh, set(snapshot.zones) | set(fresh.zones)
    patches: dict[str, ZonePatch] = {}
    reread = must_reread(store, snapshot, serving, changes)
    for change in changes:
        for zone_change in change.zones:
            name = zone_change.zone
            if name in reread:
                continue
            base = snapshot.zones.get(name)
            if change.action not in PATCHABLE_ACTIONS or base is None:
                reread.add(name)
                continue
            patch = patches.setdefault(name, ZonePatch(base))
            if not patch.apply(zone_change):
                log.warning("change %d does not apply cleanly to %s; re-reading the zone", change.id, name)
                reread.add(name)
    patched = {name: patch.result() for name, patch in patches.items() if name not in reread}
    state = store.load_state(sorted(reread)) if reread else None
    cursor = changes[-1].id if changes else snapshot.cursor
    fresh = rebuilt(
        snapshot, patched, state.zones if state else {}, reread - set(state.zones if state else ()),
        state.pools if state else {}, serving, snapshot.generation + 1, cursor,
    )  # fmt: skip
    return fresh, set(patches) | reread


class FeedFollower:
    """Keeps ``holder`` current with the store; one instance per serving process."""

    def __init__(
        self,
        store: ZoneStore,
        holder: SnapshotHolder,
        state: ServerState,
        poll_interval: float = 0.1,
        max_backoff: float = 30.0,
        *,
        listeners: Sequence[FeedListener] = (),
        preparers: Sequence[FeedPreparer] = (),
    ) -> None:
        self.store = store
        self.holder = holder
        self.state = state
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        # Called on the loop after each swap with (before, after, changes): NOTIFY, IXFR history.
        self.listeners: list[FeedListener] = list(listeners)
        self.preparers: list[FeedPreparer] = list(preparers)
        self.preloaded: Snapshot | None = None  # loaded before this process forked: used first
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

    async def load_initial(self, timeout: float = 0.0) -> None:
        """Load the full snapshot, retrying with backoff until the database answers;
        :class:`SnapshotNotLoaded` when ``timeout`` seconds (> 0) pass without it."""
        delay = self.poll_interval
        deadline = time.monotonic() + timeout if timeout > 0 else None
        while True:
            try:
                started = time.perf_counter()
                snapshot, self.preloaded = self.preloaded, None
                if snapshot is None:
                    snapshot = await self._in_thread(load_snapshot, self.store)
                self.state.build_seconds = time.perf_counter() - started
            except Exception as exc:  # any failure: retry (and raise, below, when time is up)
                self._failed(exc)
                left = math.inf if deadline is None else deadline - time.monotonic()
                if left <= 0:
                    raise SnapshotNotLoaded(
                        f"DNS not started: the first snapshot did not load within {timeout:g}s "
                        f"(DNSD_STARTUP_TIMEOUT): {self.state.last_error}"
                    ) from exc
                await asyncio.sleep(min(delay, left))
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
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # arrives as the event is set, and stop() would then wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            self._wake.clear()
            delay = self.poll_interval if await self.sync_once() else min(self.max_backoff, delay * 2)

    async def sync_once(self) -> bool:
        """Apply every change after the current cursor; False when the database failed."""
        before = snapshot = self.holder.snapshot
        try:
            changes, serving = await self._in_thread(pending_changes, self.store, snapshot.cursor)
            if changes:
                self.state.head = changes[-1].id
                started = time.perf_counter()
                snapshot, zones = await self._in_thread(apply_changes, self.store, snapshot, changes, serving)
                for prepare in self.preparers:
                    await self._in_thread(prepare, changes)
                self.state.build_seconds = time.perf_counter() - started
                self._swapped(snapshot)
                log.info("applied changes up to %d (%s)", snapshot.cursor, ", ".join(sorted(zones)))
        except Exception as exc:  # noqa: BLE001 - serve-stale: keep the snapshot, note, retry
            self._failed(exc)
            return False
        self._synced()
        for listener in self.listeners if changes else ():
            try:
                listener(before, snapshot, changes)
            except Exception:  # a listener's bug must not stop the feed
                log.exception("feed listener failed")
        return True

    def _swapped(self, snapshot: Snapshot) -> None:
        self.holder.swap(snapshot)
        self.state.generation, self.state.cursor = snapshot.generation, snapshot.cursor
        self.state.zones, self.state.built_at = len(snapshot.zones), time.time()
        self.state.head = max(self.state.head, snapshot.cursor)
        self._synced()

    def _synced(self) -> None:
        if not self.state.db_ok and self.state.failures:
            log.info("database reachable again after %d failed attempts", self.state.failures)
        self.state.db_ok, self.state.failures, self.state.last_error = True, 0, None
        self.state.synced_at = time.time()

    def _failed(self, exc: Exception) -> None:
        self.state.failures += 1
        self.state.db_ok, self.state.last_error = False, f"{type(exc).__name__}: {exc}"
        if not self.state.ready:  # nothing loaded yet: DNS is not bound, so nothing false is served
            log.log(
                logging.WARNING if self.state.failures % 10 == 1 else logging.DEBUG,
                "cannot load the first snapshot (attempt %d), not serving DNS until it loads; "
                "retrying: %s", self.state.failures, self.state.last_error,
            )  # fmt: skip
        elif not isinstance(exc, StoreUnavailable):  # not the database's fault: a bug to see
            log.error("snapshot update failed, serving the last snapshot", exc_info=exc)
        elif self.state.failures == 1:
            log.warning("database unreachable, serving the last snapshot: %s", self.state.last_error)
        else:
            log.debug("database still unreachable (attempt %d): %s", self.state.failures, exc)
