"""Store test helpers: a zone or two, pools, and a short way to put an RRset."""

from __future__ import annotations

import pytest

from dnsd.domain.pools import Pool, make_pool
from dnsd.domain.zones import Zone
from dnsd.store.records import PutResult
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests import helpers

OWNER = "k8s:default/service/hello-web"
OTHER = "ci:pipeline-42"
ACTOR = "test:store"
ZONE = "hello-web.com"
ZONE2 = "wudebao-web.com"


def put(
    store: ZoneStore,
    name: str,
    rtype: str = "A",
    values: list[str] | None = None,
    *,
    pool: str | None = None,
    owner: str = OWNER,
    ttl: int = 300,
) -> PutResult:
    """Validate and put one RRset (literal ``values`` default to one documentation address)."""
    return helpers.put(
        store, name, rtype, values, pool=pool, owner=owner, ttl=ttl, actor=ACTOR, default_value="192.0.2.1"
    )


def add_zone(store: ZoneStore, name: str) -> Zone:
    return store.create_zone(make_zone(name, [f"ns1.{name}", f"ns2.{name}"]), ACTOR)


def add_pool(store: ZoneStore, name: str, *addresses: str) -> Pool:
    return store.create_pool(make_pool(name, list(addresses) or ["10.0.0.1", "fd00::1"]), ACTOR)


@pytest.fixture
def zone(store: ZoneStore) -> Zone:
    return add_zone(store, ZONE)


@pytest.fixture
def zone2(store: ZoneStore) -> Zone:
    return add_zone(store, ZONE2)


@pytest.fixture
def pool(store: ZoneStore) -> Pool:
    return add_pool(store, "istio-ingressgateway", "10.0.0.1", "10.0.0.2", "fd00::1")
