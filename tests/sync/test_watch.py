"""Continuous mode: the watcher follows the store's change feed and reconciles drift."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from api.app import create_app
from dnsd.config import Settings
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.runner import SyncRunner, ZoneReport
from dnsd.sync.watch import Watcher
from tests import helpers
from tests.api.harness import TestClient, bearer
from tests.sync.conftest import MARK, ZONE, RunnerFactory, managed, put
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


def test_watch_follows_public_only_pool_changes(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "legacy", "A", pool="legacy-ingress")
    with watching(runner_for(apply=True), store):
        wait_for(lambda: len(managed(fake)) == 1, "the first reconcile")
        # only the public view's members change: the zone gets a new serial (one serial across
        # views) but no default-view lines change
        store.update_pool("legacy-ingress", "test", external_addresses=["203.0.113.50"])
        (change,) = store.feed(store.last_change_id() - 1)
        assert change.zones == (zone,)
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


def test_a_refused_plan_in_watch_mode_is_visible_and_can_be_approved(
    db_url: str, store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Issue 11 (3): refused on every cycle, but warned once, shown by GET /sync/status and the
    metric dnsd_sync_blocked, with how to approve; POST /sync/approve lets the next sync apply it."""
    for i in range(10):
        fake.add_record(ZONE, f"h{i}", "A", f"192.0.2.{i}", Remark=MARK)  # managed, not wanted any more
    admin = store.create_token("ops", "write")[1]  # write, no zone list: admin
    caplog.set_level(logging.INFO, logger="dnsd.sync.watch")
    with (
        watching(runner_for(apply=True), store, reconcile_every=0.1) as seen,
        TestClient(create_app(Settings(database_url=db_url))) as client,
    ):
        wait_for(
            lambda: sum(1 for _, reports in seen for r in reports if r.result == "refused") >= 3, "3 runs"
        )
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "refused" in r.message]
        assert len(warnings) == 1 and "dnsd sync approve --zone hello-web.com" in warnings[0].message
        (item,) = client.get("/sync/status", headers=bearer(admin)).json()["items"]
        assert item["result"] == "refused" and "POST /sync/approve?zone=hello-web.com" in item["message"]
        metrics = client.get("/metrics").text
        assert 'dnsd_sync_blocked{reason="safety-limit",zone="hello-web.com"} 1.0' in metrics
        answer = client.post("/sync/approve", params={"zone": ZONE}, headers=bearer(admin))
        assert answer.status_code == 200 and answer.json()["result"] == "approved"
        wait_for(lambda: managed(fake) == [], "the approved plan applied")
        wait_for(lambda: "dnsd_sync_blocked{" not in client.get("/metrics").text, "the metric cleared")
        again = client.post("/sync/approve", params={"zone": ZONE}, headers=bearer(admin))
        assert again.status_code == 409
    assert any("no longer refused" in r.message for r in caplog.records)
