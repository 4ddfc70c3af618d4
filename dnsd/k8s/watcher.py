"""List then watch one kind in one namespace scope, for as long as the controller runs.

The loop Kubernetes documents for a client that keeps a cache: list (remember the list's
``resourceVersion``), watch from it with ``allowWatchBookmarks`` (each event and BOOKMARK
advances the version), re-watch from the last version when a stream ends, relist when the
server answers 410 Gone, and back off exponentially while the API server is unreachable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubernetes import watch
from kubernetes.client.exceptions import ApiException

from dnsd.k8s.kubeapi import list_function, versions_of
from dnsd.k8s.objects import ISTIO_GROUP, ISTIO_VERSIONS, KubeObject, from_dict

log = logging.getLogger("dnsd.k8s.watch")
SourceKey = tuple[str, str | None]  # (kind, namespace; None for all namespaces)
GONE = 410
PAGE = 500


@dataclass(frozen=True, slots=True)
class Synced:
    """A (re)list: the complete set of objects of ``source`` now."""

    source: SourceKey
    objects: tuple[KubeObject, ...]


@dataclass(frozen=True, slots=True)
class Changed:
    source: SourceKey
    obj: KubeObject
    deleted: bool


@dataclass(frozen=True, slots=True)
class Bookmarked:
    source: SourceKey
    resource_version: str


Event = Synced | Changed | Bookmarked


@dataclass(frozen=True, slots=True)
class WatchOptions:
    timeout_seconds: int = 300  # the server ends each watch after this; we re-watch
    connect_timeout: float = 10.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    istio_versions: tuple[str, ...] = ISTIO_VERSIONS
    absent_retry: float = 300.0  # seconds between looks for Istio CRDs that are not installed


class ResourceWatcher:
    """Feeds :data:`Event`s of one (kind, namespace) into ``events`` from its own thread."""

    def __init__(
        self,
        api: Any,
        source: SourceKey,
        events: queue.Queue[Event | None],
        stop: threading.Event,
        options: WatchOptions,
    ) -> None:
        self.api, self.source, self.events, self.stop, self.options = api, source, events, stop, options
        self.kind, self.namespace = source
        self.version: str | None = None
        self._watch: Any = None
        self.thread = threading.Thread(
            target=self.run, daemon=True, name=f"watch-{self.kind}-{self.namespace}"
        )

    def start(self) -> None:
        self.thread.start()

    def halt(self) -> None:
        """Stop the thread soon: shuts the open stream's socket down, so a read blocked on it
        returns at once (the caller has set ``stop``). Safe to call again: a stream that opened
        after the first call is closed by the next."""
        current = self._watch
        if current is None:
            return
        current.stop()
        response = getattr(current, "_resp", None)  # the client keeps the open response there
        with contextlib.suppress(Exception):  # already closed, or a client without it
            if response is not None:
                response.shutdown()

    def run(self) -> None:
        resource_version: str | None = None
        delay = self.options.backoff_initial
        while not self.stop.is_set():
            try:
                if resource_version is None:
                    resource_version = self.list_once()
                    if resource_version is None:
                        self.stop.wait(self.options.absent_retry)
                        continue
                resource_version = self._watch_from(resource_version)
                delay = self.options.backoff_initial
            except ApiException as exc:
                if exc.status == GONE:
                    log.info(
                        "%s: resourceVersion %s expired (410 Gone); relisting", self.source, resource_version
                    )
                    resource_version = None
                    continue
                delay = self._back_off(f"HTTP {exc.status} {exc.reason}", delay)
            except Exception as exc:  # noqa: BLE001 - any connection failure: back off, retry
                delay = self._back_off(repr(exc), delay)

    def _back_off(self, why: str, delay: float) -> float:
        if not self.stop.is_set():
            log.warning("%s: list/watch failed (%s); retrying in %.1fs", self.source, why, delay)
            self.stop.wait(delay)
        return min(delay * 2, self.options.backoff_max)

    def _pages(self, version: str) -> Iterator[dict[str, Any]]:
        func = list_function(self.api, self.kind, self.namespace, version)
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": PAGE, "_preload_content": False}
            if token:
                kwargs["_continue"] = token
            response = func(**kwargs, _request_timeout=(self.options.connect_timeout, 120))
            body: dict[str, Any] = json.loads(response.data)
            yield body
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return

    def list_once(self) -> str | None:
        """List everything (trying each API version), emit :class:`Synced`, and return the
        list's resourceVersion; None when no version of the API exists (Istio not installed)."""
        for version in versions_of(self.kind, self.options.istio_versions):
            try:
                pages = list(self._pages(version))
            except ApiException as exc:
                if exc.status == 404:
                    continue
                raise
            self.version = version
            items = [item for page in pages for item in page.get("items") or []]
            self.events.put(Synced(self.source, tuple(self._objects(items))))
            return str(pages[-1].get("metadata", {}).get("resourceVersion", ""))
        log.warning(
            "%s: no %s API (%s) on the server; none watched for now", self.source, ISTIO_GROUP, self.kind
        )
        self.events.put(Synced(self.source, ()))
        return None

    def _objects(self, items: list[dict[str, Any]]) -> Iterator[KubeObject]:
        for item in items:
            try:
                yield from_dict(item, kind=self.kind)
            except ValueError as exc:
                log.warning("%s: ignoring a malformed object: %s", self.source, exc)

    def _watch_from(self, resource_version: str) -> str:
        assert self.version is not None
        func = list_function(self.api, self.kind, self.namespace, self.version)
        self._watch = watch.Watch()  # type: ignore[no-untyped-call]
        timeout = self.options.timeout_seconds
        stream = self._watch.stream(
            func, resource_version=resource_version, allow_watch_bookmarks=True, timeout_seconds=timeout,
            _request_timeout=(self.options.connect_timeout, timeout + 30),
        )  # fmt: skip
        if self.stop.is_set():  # halted before this stream opened: do not open it
            return resource_version
        for event in stream:
            raw = event.get("raw_object") or {}
            resource_version = str((raw.get("metadata") or {}).get("resourceVersion") or resource_version)
            if event["type"] == "BOOKMARK":
                self.events.put(Bookmarked(self.source, resource_version))
            elif event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                for obj in self._objects([raw]):
                    self.events.put(Changed(self.source, obj, event["type"] == "DELETED"))
            if self.stop.is_set():
                break
        return resource_version
