"""The sync status store on both backends, and how many API calls a sync of 1,000 records makes."""

from __future__ import annotations

import datetime as dt

import pytest

from dnsd.domain.sync_status import SyncStatus
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from tests.sync.conftest import ZONE, RunnerFactory, managed, put
from tests.sync.fake_dnspod import FakeDnspod


def test_status_rows_are_saved_overwritten_and_listed(statuses: SyncStatusStore) -> None:
    at = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    first = SyncStatus("dnspod", "b.com", at, "apply", "partial", creates=3, failed=1, message="boom")
    statuses.save_sync_status(first)
    statuses.save_sync_status(SyncStatus("dnspod", "a.com", at, "plan", "planned", updates=2))
    assert statuses.get_sync_status("dnspod", "b.com") == first
    five = at + dt.timedelta(minutes=5)
    later = SyncStatus("dnspod", "b.com", five, "watch", "applied", applied_hash="f" * 64, last_success_at=at)
    statuses.save_sync_status(later)
    assert [s.zone for s in statuses.list_sync_statuses()] == ["a.com", "b.com"]
    assert statuses.list_sync_statuses(zone="B.com.") == [later]
    assert statuses.get_sync_status("dnspod", "c.com") is None


@pytest.mark.slow
def test_api_calls_of_a_sync_of_1000_records(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    for i in range(500):  # 500 names on a pool with two public IPv4 addresses: 1,000 DNSPod records
        put(store, f"svc{i}", "A", pool="istio-ingressgateway")
    (first,) = runner_for(apply=True).run()
    assert first.result == "applied" and len(managed(fake)) == 1000
    assert dict(fake.calls) == {
        "DescribeDomainList": 1, "DescribeDomainPurview": 1, "DescribeRecordList": 1, "CreateRecord": 1000,
    }  # fmt: skip
    fake.calls.clear()
    (second,) = runner_for(apply=True).run()
    assert second.result == "in-sync" and dict(fake.calls) == {
        "DescribeDomainList": 1,
        "DescribeDomainPurview": 1,
        "DescribeRecordList": 1,
    }
    assert len(fake.records(ZONE, default_ns=True)) == 1002
