"""The controller: keeps the records of watched Kubernetes objects in step with the cluster.

Level-triggered: watchers (one thread per kind and namespace) feed a cache of objects; after
each batch of events the controller derives the whole desired state and applies the plan
against the store. That is cheap (derivation is pure, the plan is three queries) and it
repairs drift by itself. Nothing is reconciled until every kind has been listed, so a slow
list never looks like "everything was deleted". The first reconcile after start removes the
records of objects deleted while the controller was down. Any reconcile that would delete more
than the :class:`Safety` share holds those deletes until an operator approves them
(:mod:`dnsd.k8s.guard`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from dnsd.domain.errors import StoreUnavailable
from dnsd.domain.plan import Plan, Problem
from dnsd.k8s.derive import derive
from dnsd.k8s.guard import DeleteGuard, StatusBook
from dnsd.k8s.objects import KINDS, KubeObject
from dnsd.k8s.plan import Safety, Scope
from dnsd.k8s.report import problem_line, step_line
from dnsd.k8s.sinks import ControllerSink, execute, plan_against
from dnsd.k8s.watcher import Bookmarked, Event, ResourceWatcher, SourceKey, Synced, WatchOptions

log = logging.getLogger("dnsd.k8s.controller")
WAKE = None


@dataclass(frozen=True, slots=True)
class ControllerOptions:
    namespaces: tuple[str, ...] = ()  # empty: all namespaces
    resync_seconds: float = 300.0  # full reconcile even without events (drift, mapping edits)
    retry_seconds: float = 5.0  # after the store was unavailable
    force: bool = False  # approve the deletes the first reconcile holds back (a restart with --force)
    approval_poll_seconds: float = 1.0  # how often held deletes look for an approval
    actor: str = "k8s-controller"
    watch: WatchOptions = field(default_factory=WatchOptions)


def _same(a: KubeObject, b: KubeObject) -> bool:
    """Equal but for resourceVersion: status-only updates do not trigger a reconcile."""
    return replace(a, resource_version="") == replace(b, resource_version="")


class Controller:
    def __init__(
        self, api: Any, sink: ControllerSink, statuses: StatusBook, options: ControllerOptions | None = None
    ) -> None:
        """``sink``: where records, the mapping and problems live (``StoreSink`` over the store,
        writing as ``options.actor``); ``statuses``: where the delete guard keeps its row."""
        self.options = options or ControllerOptions()
        self.sink = sink
        self.scope = Scope.namespaces(self.options.namespaces)
        self.events: queue.Queue[Event | None] = queue.Queue()  # None (WAKE): stop was requested
        self.stop = threading.Event()
        self.cache: dict[tuple[str, str, str], KubeObject] = {}
        sources: list[SourceKey] = [(k, ns) for k in KINDS for ns in (self.options.namespaces or (None,))]
        self.unsynced: set[SourceKey] = set(sources)
        self.watchers = [ResourceWatcher(api, s, self.events, self.stop, self.options.watch) for s in sources]
        self.reconciles = 0
        self.bookmarks = 0
        self.last_plan: Plan | None = None
        self.guard = DeleteGuard(statuses, self.scope, Safety(), self.options.force)
        self._problems: list[Problem] | None = None

    # --- events -------------------------------------------------------------------------

    def _handle(self, event: Event | None) -> bool:
        """Fold one event into the cache; True when the desired state may have changed."""
        if event is None:
            return False
        if isinstance(event, Bookmarked):
            self.bookmarks += 1
            return False
        if isinstance(event, Synced):
            kind, namespace = event.source
            for key in [k for k in self.cache if k[0] == kind and namespace in (None, k[1])]:
                del self.cache[key]
            self.cache.update((o.key, o) for o in event.objects)
            self.unsynced.discard(event.source)
            return True
        old = self.cache.get(event.obj.key)
        if event.deleted:
            return self.cache.pop(event.obj.key, None) is not None
        self.cache[event.obj.key] = event.obj
        return old is None or not _same(old, event.obj)

    def _drain(self, timeout: float) -> bool:
        """Handle the events that arrive within ``timeout`` (then all queued); True if dirty."""
        dirty = False
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return False
        while True:
            dirty |= self._handle(event)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return dirty

    # --- reconcile ----------------------------------------------------------------------

    def reconcile(self) -> bool:
        """Plan and apply the whole desired state; False when the store was unavailable."""
        try:
            derivation = derive(self.cache.values(), self.sink.pool_mapping())
            plan, existing = plan_against(self.sink, derivation, self.scope)
            plan = self.guard.filter(plan, existing)
            outcome = execute(plan, self.sink)
            self._report(plan, [*plan.problems, *outcome.problems])
        except StoreUnavailable as exc:
            log.warning("store unavailable, will retry: %s", exc)
            return False
        self.last_plan = plan
        self.reconciles += 1
        return True

    def _approval_arrived(self) -> bool:
        try:
            return self.guard.approved()
        except StoreUnavailable:
            return False

    def _report(self, plan: Plan, problems: list[Problem]) -> None:
        for step in plan.steps:
            log.info("%s", step_line(step))
        if problems == self._problems:
            return
        added, resolved = self.sink.replace_problems(self.scope.prefixes, problems)
        self._problems = problems
        for problem in added:
            log.warning("%s", problem_line(problem))
        for problem in resolved:
            log.info("resolved: %s", problem_line(problem))

    # --- lifecycle ----------------------------------------------------------------------

    def sync_once(self) -> bool:
        """List every kind once (no watch) and reconcile: ``dnsd k8s watch --once``."""
        for watcher in self.watchers:
            watcher.list_once()
        self._drain(timeout=0)
        return not self.unsynced and self.reconcile()

    def run(self) -> None:
        """Watch and reconcile until :meth:`shutdown` (or ``stop`` is set)."""
        for watcher in self.watchers:
            watcher.start()
        dirty, due = False, time.monotonic() + self.options.resync_seconds
        look = time.monotonic()
        try:
            while not self.stop.is_set():
                dirty |= self._drain(timeout=0.5)
                if time.monotonic() >= due:
                    dirty = True
                if self.guard.held and time.monotonic() >= look:
                    look = time.monotonic() + self.options.approval_poll_seconds
                    dirty |= self._approval_arrived()
                if dirty and not self.unsynced:
                    ok = self.reconcile()
                    dirty = not ok
                    due = time.monotonic() + (
                        self.options.resync_seconds if ok else self.options.retry_seconds
                    )
        finally:
            self.shutdown()

    def request_stop(self) -> None:
        """Ask :meth:`run` to return (signal handlers call this): it wakes at once."""
        self.stop.set()
        self.events.put(WAKE)

    def shutdown(self, timeout: float = 1.0) -> None:
        """Stop the watchers: close their streams and wait at most ``timeout`` seconds in all (the
        threads are daemons; one still inside a list call does not keep the process alive)."""
        self.stop.set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = [w for w in self.watchers if w.thread.is_alive()]
            if not alive:
                return
            for watcher in alive:
                watcher.halt()  # again each round: a stream may have opened since the last
            alive[0].thread.join(0.05)
