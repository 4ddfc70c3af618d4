"""Pools through the store: CRUD, and a change of addresses as one change bumping every zone."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.pools import Pool, make_pool
from dnsd.domain.zones import Zone, serial_gt
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import ACTOR, ZONE, ZONE2, add_pool, add_zone, put

POOL = "istio-ingressgateway"


def test_create_get_list(store: ZoneStore) -> None:
    created = store.create_pool(
        make_pool(POOL, ["10.0.0.2", "10.0.0.1", "fd00::1"], "LVS for istio", ["203.0.113.1"]), ACTOR
    )
    assert store.get_pool(POOL) == created
    assert store.get_pool("Istio-IngressGateway") == created
    assert created.addresses == ("10.0.0.2", "10.0.0.1", "fd00::1")  # stored order is kept
    assert created.external_addresses == ("203.0.113.1",)
    add_pool(store, "legacy-ingress")
    assert [p.name for p in store.list_pools()] == [POOL, "legacy-ingress"]
    change = store.list_changes()[-1]
    assert (change.action, change.subject, change.zones) == ("pool.create", "legacy-ingress", ())


def test_duplicate_pool_is_a_conflict(store: ZoneStore, pool: Pool) -> None:
    last = store.last_change_id()
    with pytest.raises(Conflict):
        add_pool(store, POOL)
    assert store.last_change_id() == last


def test_unknown_pool(store: ZoneStore) -> None:
    for call in (
        lambda: store.get_pool("nope"),
        lambda: store.update_pool("nope", ACTOR, addresses=["10.0.0.9"]),
        lambda: store.delete_pool("nope", ACTOR),
        lambda: store.pool_usage("nope"),
    ):
        with pytest.raises(NotFound):
            call()


def test_update_pool_bumps_every_zone_using_it_in_one_change(store: ZoneStore, pool: Pool) -> None:
    add_zone(store, ZONE), add_zone(store, ZONE2)
    z3 = add_zone(store, "untouched.com")
    put(store, "www.hello-web.com", pool=POOL)
    put(store, "api.hello-web.com", "AAAA", pool=POOL)
    put(store, "www.wudebao-web.com", pool=POOL)
    put(store, "www.untouched.com", values=["192.0.2.9"])
    serials = {z.name: z.serial for z in store.list_zones()}
    last = store.last_change_id()

    new = store.update_pool(POOL, ACTOR, addresses=["10.0.0.2", "10.0.0.3", "fd00::2"])

    assert new.addresses == ("10.0.0.2", "10.0.0.3", "fd00::2")
    assert store.get_pool(POOL) == new
    [change] = store.list_changes(after_id=last)
    assert (change.action, change.subject) == ("pool.update", POOL)
    assert change.before is not None and change.before["addresses"] == ["10.0.0.1", "10.0.0.2", "fd00::1"]
    assert {zc.zone for zc in change.zones} == {ZONE, ZONE2}
    after = {z.name: z.serial for z in store.list_zones()}
    for zc in change.zones:
        assert zc.prev_serial == serials[zc.zone]
        assert zc.serial == after[zc.zone]
        assert serial_gt(after[zc.zone], serials[zc.zone])
    assert after[z3.name] == serials[z3.name]

    by_zone = {zc.zone: zc for zc in change.zones}
    hello = by_zone[ZONE]
    assert set(hello.removed) == {
        ("www.hello-web.com", "A", 300, "10.0.0.1"),
        ("www.hello-web.com", "A", 300, "10.0.0.2"),
        ("api.hello-web.com", "AAAA", 300, "fd00::1"),
    }
    assert set(hello.added) == {
        ("www.hello-web.com", "A", 300, "10.0.0.2"),
        ("www.hello-web.com", "A", 300, "10.0.0.3"),
        ("api.hello-web.com", "AAAA", 300, "fd00::2"),
    }
    assert set(by_zone[ZONE2].added) == {
        ("www.wudebao-web.com", "A", 300, "10.0.0.2"),
        ("www.wudebao-web.com", "A", 300, "10.0.0.3"),
    }


def test_update_pool_keeping_some_addresses(store: ZoneStore, pool: Pool) -> None:
    # the unique (pool, external, address) rows must survive being rewritten in one transaction
    assert (
        store.update_pool(POOL, ACTOR, addresses=["10.0.0.1", "10.0.0.2", "fd00::1", "10.0.0.4"]).addresses[
            -1
        ]
        == "10.0.0.4"
    )
    assert store.update_pool(POOL, ACTOR, addresses=["10.0.0.4", "10.0.0.1"]).addresses == (
        "10.0.0.4",
        "10.0.0.1",
    )
    assert store.get_pool(POOL).addresses == ("10.0.0.4", "10.0.0.1")


def test_update_pool_with_the_same_content_changes_nothing(store: ZoneStore, pool: Pool, zone: Zone) -> None:
    put(store, "www.hello-web.com", pool=POOL)
    last, serial = store.last_change_id(), store.get_zone(ZONE).serial
    assert store.update_pool(POOL, ACTOR, addresses=list(pool.addresses)) == pool
    assert store.update_pool(POOL.upper(), ACTOR) == pool
    assert store.last_change_id() == last
    assert store.get_zone(ZONE).serial == serial


def test_update_pool_description_only_bumps_no_zone(store: ZoneStore, pool: Pool, zone: Zone) -> None:
    put(store, "www.hello-web.com", pool=POOL)
    serial = store.get_zone(ZONE).serial
    assert store.update_pool(POOL, ACTOR, description="moved to rack 7").description == "moved to rack 7"
    assert store.list_changes()[-1].zones == ()
    assert store.get_zone(ZONE).serial == serial


def test_update_pool_validates_and_writes_nothing(store: ZoneStore, pool: Pool) -> None:
    last = store.last_change_id()
    with pytest.raises(InvalidInput) as info:
        store.update_pool(POOL, ACTOR, addresses=["10.0.0.1", "bogus"])
    assert [r.field for r in info.value.reasons] == ["addresses.1"]
    with pytest.raises(InvalidInput):
        store.update_pool(POOL, ACTOR, addresses=[])
    assert store.get_pool(POOL) == pool
    assert store.last_change_id() == last


def test_external_addresses_are_kept_apart(store: ZoneStore, pool: Pool) -> None:
    new = store.update_pool(POOL, ACTOR, external_addresses=["203.0.113.5", "10.0.0.1"])
    assert new.addresses == pool.addresses
    assert new.external_addresses == ("203.0.113.5", "10.0.0.1")
    assert store.get_pool(POOL) == new


def test_delete_pool_refused_while_referenced(store: ZoneStore, pool: Pool, zone: Zone) -> None:
    put(store, "www.hello-web.com", pool=POOL)
    assert store.pool_usage(POOL) == 1
    last = store.last_change_id()
    with pytest.raises(Conflict, match=r"www\.hello-web\.com/A"):
        store.delete_pool(POOL, ACTOR)
    assert store.get_pool(POOL) == pool
    assert store.last_change_id() == last


def test_delete_pool(store: ZoneStore, pool: Pool, zone: Zone) -> None:
    rec = put(store, "www.hello-web.com", pool=POOL)
    assert rec.rrset.id is not None
    store.delete_rrset(rec.rrset.id, ACTOR)
    assert store.pool_usage(POOL) == 0
    store.delete_pool(POOL, ACTOR)
    assert store.list_pools() == []
    change = store.list_changes()[-1]
    assert (change.action, change.subject) == ("pool.delete", POOL)
    assert change.before is not None and change.before["addresses"] == list(pool.addresses)
    add_pool(store, POOL, "10.9.9.9")  # the name and its addresses are free again
    assert store.get_pool(POOL).addresses == ("10.9.9.9",)
