"""Fixtures of the DNSPod sync tests: the fake endpoint, the real SDK-backed provider pointed at it,
and a store (both backends, via the shared ``store`` fixture) holding a synced zone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dnsd.domain.pools import make_pool
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.dnspod import DnspodProvider
from dnsd.sync.plan import SafetyLimits
from dnsd.sync.retry import RetryPolicy
from dnsd.sync.runner import SyncOptions, SyncRunner
from tests import helpers
from tests.sync.fake_dnspod import FakeDnspod

ZONE = "hello-web.com"
SECRET_ID, SECRET_KEY = "AKIDdnsdtest0001", "dnsd-test-secret"
MARK = "managed-by=dnsd:test"
FAST_RETRY = RetryPolicy(attempts=6, base=0.002, cap=0.02)


@pytest.fixture
def fake() -> Iterator[FakeDnspod]:
    with FakeDnspod(SECRET_ID, SECRET_KEY) as server:
        server.add_domain(ZONE, grade="DP_ULTRA")  # TTL minimum 1 s: most tests are not about plans
        yield server


def make_provider(fake: FakeDnspod, secret_key: str = SECRET_KEY, **kwargs: Any) -> DnspodProvider:
    kwargs = {
        "endpoint": fake.endpoint,
        "protocol": "http",
        "rate": 0,
        "retry": FAST_RETRY,
        "timeout": 10,
    } | kwargs
    return DnspodProvider(SECRET_ID, secret_key, **kwargs)


@pytest.fixture
def provider(fake: FakeDnspod) -> Iterator[DnspodProvider]:
    client = make_provider(fake)
    yield client
    client.close()


@pytest.fixture
def statuses(store: ZoneStore) -> SyncStatusStore:
    return SyncStatusStore(store.engine)


@pytest.fixture
def zone(store: ZoneStore) -> str:
    """``hello-web.com`` marked for DNSPod, and two pools: one with external addresses, one without."""
    store.create_zone(make_zone(ZONE, ["ns1.hello-web.com", "ns2.hello-web.com"], dnspod_sync=True), "test")
    store.create_pool(
        make_pool("istio-ingressgateway", ["10.0.0.1", "10.0.0.2", "fd00::1"], "",
                  ["203.0.113.10", "203.0.113.11", "2001:db8::10"]),
        "test",
    )  # fmt: skip
    store.create_pool(make_pool("legacy-ingress", ["10.0.1.1"]), "test")
    return ZONE


def put(store: ZoneStore, name: str, rtype: str, values: list[str] | None = None, pool: str | None = None,
        ttl: int = 300, owner: str = "user:alice") -> None:  # fmt: skip
    helpers.put(store, name, rtype, values, pool=pool, ttl=ttl, owner=owner, zone=ZONE)


RunnerFactory = Callable[..., SyncRunner]


@pytest.fixture
def runner_for(store: ZoneStore, statuses: SyncStatusStore, provider: DnspodProvider) -> RunnerFactory:
    """``runner_for(apply=True, adopt=..., force=..., zones=...)``: a runner on the fake."""

    def build(provider_: DnspodProvider | None = None, **options: Any) -> SyncRunner:
        opts = SyncOptions(instance_id="test", limits=SafetyLimits(), **options)
        return SyncRunner(store, statuses, provider_ or provider, opts)

    return build


def managed(fake: FakeDnspod) -> list[tuple[str, str, str, int]]:
    """(name, type, value, ttl) of the records dnsd manages in the fake, sorted."""
    return sorted((r.name, r.type, r.value, r.ttl) for r in fake.records(ZONE) if r.remark == MARK)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, fake: FakeDnspod, db_url: str) -> dict[str, str]:
    values = {
        "TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
        "DNSD_DATABASE_URL": db_url, "DNSD_DNSPOD_ENDPOINT": fake.endpoint, "DNSD_DNSPOD_PROTOCOL": "http",
        "DNSD_DNSPOD_RATE": "0", "DNSD_INSTANCE_ID": "test",
    }  # fmt: skip
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values
