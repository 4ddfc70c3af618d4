"""Continuous mode: the watcher follows the store's change feed and reconciles drift."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dnsd.store.zonestore import ZoneStore
from dnsd.sync.runner import SyncRunner, ZoneReport
from dnsd.sync.watch import Watcher
from tests import helpers
from tests.sync.conftest import ZONE, RunnerFactory, managed, put
from tests.sync.fake_dnspod import FakeDnspod

Seen = list[tuple[str, list[ZoneReport]]]


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    helpers.wait_for(predicate, what, timeout)


@contextmanager
def watching(runner: SyncRunner, store: ZoneStore, reconcile_every: float = 3600.0) -> Iterator[Seen]:
    seen: Seen = []
    watcher = Watcher(runner, store, debounce=0.05, poll=0.02, reconcile_every=reconcile_every,
                      on_reports=lambda kind, reports: seen.append((kind, reports)))  # fmt: skip
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher", daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def names(fake: FakeDnspod) -> set[str]:
    return {name for name, *_ in managed(fake)}


def test_watch_picks_up_store_changes(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    with watching(runner_for(apply=True), store) as seen:
        wait_for(lambda: names(fake) == {"www"}, "the first reconcile")
        put(store, "api", "A", ["192.0.2.2"])
        wait_for(lambda: names(fake) == {"www", "api"}, "api to be created")
        store.delete_by_name(f"www.{ZONE}", "test")
        wait_for(lambda: names(fake) == {"api"}, "www to be deleted")
    kinds = [kind for kind, _ in seen]
    assert kinds[0] == "reconcile" and "change" in kinds


def test_watch_follows_pool_changes(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "www", "A", pool="istio-ingressgateway")
    put(store, "legacy", "A", pool="legacy-ingress")
    with watching(runner_for(apply=True), store):
        wait_for(lambda: len(managed(fake)) == 3, "the first reconcile")
        store.update_pool(
            "legacy-ingress", "test", addresses=["10.0.1.2"], external_addresses=["203.0.113.50"]
        )
        wait_for(lambda: ("legacy", "A", "203.0.113.50", 300) in managed(fake), "the public address")


def test_watch_follows_pool_changes_that_name_no_zone(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "legacy", "A", pool="legacy-ingress")
    with watching(runner_for(apply=True), store):
        wait_for(lambda: len(managed(fake)) == 1, "the first reconcile")
        # only the external (public) addresses change: the change row names no zone
        store.update_pool("legacy-ingress", "test", external_addresses=["203.0.113.50"])
        assert store.feed(store.last_change_id() - 1)[0].zones == ()
        wait_for(lambda: managed(fake) == [("legacy", "A", "203.0.113.50", 300)], "the public address")


def test_reconcile_reports_and_repairs_drift(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    with watching(runner_for(apply=True), store, reconcile_every=0.2) as seen:
        wait_for(lambda: names(fake) == {"www"}, "the first reconcile")
        (record,) = fake.records(ZONE)
        fake.edit_record(ZONE, record.record_id, value="198.51.100.99")  # by hand, in the console
        wait_for(lambda: managed(fake) == [("www", "A", "192.0.2.1", 300)], "the drift to be repaired")
    drifted = [r for kind, reports in seen for r in reports if r.drift]
    assert drifted and drifted[0].result == "applied" and drifted[0].drift == 1


def test_a_failed_change_sync_is_retried(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    with watching(runner_for(apply=True), store) as seen:
        wait_for(lambda: bool(seen), "the first reconcile")
        fake.fail("CreateRecord", code="InternalError", message="try later")
        put(store, "www", "A", ["192.0.2.1"])
        wait_for(lambda: names(fake) == {"www"}, "the retry to create www")
    results = [r.result for kind, reports in seen if kind == "change" for r in reports]
    assert results[0] == "failed" and results[-1] == "applied"


def test_watch_without_apply_writes_nothing(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    with watching(runner_for(), store) as seen:
        wait_for(lambda: bool(seen), "the first reconcile")
        put(store, "www", "A", ["192.0.2.1"])
        wait_for(lambda: any(r.result == "planned" for _, reports in seen for r in reports), "a plan")
    assert fake.records(ZONE) == [] and fake.calls["CreateRecord"] == 0
