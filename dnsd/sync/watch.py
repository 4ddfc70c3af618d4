"""Continuous sync: follow the store's change feed, sync the zones that changed, reconcile often.

* Changes are debounced: a zone is synced once no new change touched the store for ``debounce``
  seconds, so a burst of edits (a deploy) becomes one plan per zone.
* A change that names no zone is a pool change (its external addresses, which only the public
  view uses); it resyncs every selected zone with a record on a pool.
* Every ``reconcile_every`` seconds (and at start) all selected zones are planned and applied:
  that finds and repairs drift, i.e. managed records someone edited in the provider's console.
* Errors (provider down, store down) are logged and saved as status; the zones stay dirty and
  are tried again after the next debounce.
* A zone whose plan is refused (over the safety limit, or over the provider plan's limits) is
  logged at WARNING once each time it becomes refused or its reason changes, and at INFO when it
  is no longer refused. Its status says so (``GET /sync/status``, ``dnsd_sync_blocked``). An
  approval (``dnsd sync approve``, ``POST /sync/approve``) is noticed within ``debounce``
  seconds and the zone is synced at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from dnsd.domain.errors import DnsdError
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.runner import SyncRunner, ZoneReport

log = logging.getLogger("dnsd.sync.watch")

ReportSink = Callable[[str, list[ZoneReport]], None]


class Watcher:
    def __init__(
        self,
        runner: SyncRunner,
        store: ZoneStore,
        *,
        debounce: float = 2.0,
        reconcile_every: float = 300.0,
        poll: float = 0.2,
        on_reports: ReportSink | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runner, self.store = runner, store
        self.debounce, self.reconcile_every, self.poll = debounce, reconcile_every, poll
        self.on_reports = on_reports or (lambda kind, reports: None)
        self.clock = clock
        self.dirty: set[str] = set()
        self.pools_dirty = False
        self.last_change = 0.0
        self.blocked: dict[str, str] = {}  # zone -> the refusal last warned about
        self.next_approval_look = 0.0

    def run(self, stop: threading.Event) -> None:
        """Sync until ``stop`` is set."""
        cursor = self.store.last_change_id()
        self._sync("reconcile", None)
        next_reconcile = self.clock() + self.reconcile_every
        while not stop.is_set():
            cursor = self._follow(cursor)
            now = self.clock()
            if (self.dirty or self.pools_dirty) and now - self.last_change >= self.debounce:
                self._sync_dirty()
            if self.blocked and now >= self.next_approval_look:
                self.next_approval_look = now + max(self.debounce, self.poll)
                self._look_for_approvals()
            if now >= next_reconcile:
                self._sync("reconcile", None)
                next_reconcile = self.clock() + self.reconcile_every
            stop.wait(self.poll)

    def _follow(self, cursor: int) -> int:
        """Read the feed past ``cursor``; mark what it touched dirty; return the new cursor."""
        try:
            while True:
                entries = self.store.feed(cursor)
                for entry in entries:
                    self.dirty.update(entry.zones)
                    self.pools_dirty |= not entry.zones
                    cursor = entry.id
                    self.last_change = self.clock()
                if len(entries) < 1000:
                    return cursor
        except DnsdError as exc:
            log.error("change feed unavailable: %s", exc)
            return cursor

    def _pool_zones(self) -> set[str]:
        state = self.store.load_state(self.runner.selected())
        return {name for name, (_, rrsets) in state.zones.items() if any(r.pool for r in rrsets)}

    def _sync_dirty(self) -> None:
        zones, pools = set(self.dirty), self.pools_dirty
        self.dirty, self.pools_dirty = set(), False
        try:
            if pools:
                zones |= self._pool_zones()
        except DnsdError as exc:
            log.error("cannot read the store: %s", exc)
            self.pools_dirty = True
        retry = self._sync("change", zones)
        if retry is None or retry:
            self.dirty |= zones if retry is None else retry
            self.last_change = self.clock()

    def _sync(self, kind: str, zones: set[str] | None) -> set[str] | None:
        """Run one sync; returns the zones to try again (None: all of them, it could not run)."""
        try:
            reports = self.runner.run(zones, mode="watch" if kind == "change" else "reconcile")
        except DnsdError as exc:
            log.error("%s sync failed: %s", kind, exc)
            return None
        self._note_refusals(reports)
        self.on_reports(kind, reports)
        return {r.zone for r in reports if r.result in ("error", "failed", "partial")}

    def _note_refusals(self, reports: list[ZoneReport]) -> None:
        """WARNING once per refusal state; INFO when a zone is no longer refused."""
        for report in reports:
            if report.result in ("refused", "over-limit"):
                if self.blocked.get(report.zone) != report.message:
                    log.warning("%s: sync refused (%s): %s", report.zone, report.blocked, report.message)
                self.blocked[report.zone] = report.message
            elif report.zone in self.blocked and report.result != "error":
                del self.blocked[report.zone]
                log.info("%s: no longer refused (%s)", report.zone, report.result)

    def _look_for_approvals(self) -> None:
        """Zones approved since their refusal are synced at once (one status read)."""
        try:
            statuses = self.runner.statuses.list_sync_statuses(self.runner.provider.name)
        except DnsdError as exc:
            log.error("cannot read the sync status: %s", exc)
            return
        approved = {s.zone for s in statuses if s.result == "approved" and s.zone in self.blocked}
        if approved:
            self.dirty |= approved
            self.last_change = self.clock() - self.debounce
