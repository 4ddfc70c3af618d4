"""Zone CRUD through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.zones import Zone, serial_gt
from dnsd.store.records import RecordFilter
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import ACTOR, ZONE, add_zone, put


def test_create_get_list(store: ZoneStore) -> None:
    created = add_zone(store, "Hello-Web.COM.")
    today = int(dt.datetime.now(dt.UTC).strftime("%Y%m%d")) * 100
    assert created.name == ZONE
    assert created.serial in (today, today + 100)  # YYYYMMDD00 (+ a day if run across midnight)
    assert created.ns == ("ns1.hello-web.com", "ns2.hello-web.com")
    assert created.mname == "ns1.hello-web.com"
    assert created.rname == "hostmaster.hello-web.com"
    assert store.get_zone(ZONE) == created
    assert store.get_zone("HELLO-web.com.") == created
    add_zone(store, "a-first.com")
    assert [z.name for z in store.list_zones()] == ["a-first.com", ZONE]


def test_create_writes_one_change(store: ZoneStore) -> None:
    zone = add_zone(store, ZONE)
    [change] = store.list_changes()
    assert (change.action, change.subject, change.actor) == ("zone.create", ZONE, ACTOR)
    assert change.after is not None and change.after["ns"] == list(zone.ns)
    [zc] = change.zones
    assert (zc.zone, zc.prev_serial, zc.serial) == (ZONE, None, zone.serial)


def test_duplicate_zone_is_a_conflict(store: ZoneStore) -> None:
    add_zone(store, ZONE)
    last = store.last_change_id()
    with pytest.raises(Conflict):
        add_zone(store, ZONE)
    assert store.last_change_id() == last


def test_make_zone_reports_every_problem() -> None:
    with pytest.raises(InvalidInput) as info:
        make_zone("bad..zone", ["ns1.example.com", "ns1.example.com", "-x"], refresh=-1, ttl="5")
    assert [r.field for r in info.value.reasons] == ["name", "ns.2", "ns", "refresh", "ttl"]
    with pytest.raises(InvalidInput) as info:
        make_zone("example.com", [])
    assert [r.field for r in info.value.reasons] == ["ns"]


def test_make_zone_fields() -> None:
    zone = make_zone(
        "Example.com",
        ["NS1.example.net."],
        mname="m.example.net",
        rname="ops@example.com",
        ttl=60,
        minimum=30,
    )
    assert zone == Zone(
        "example.com", 0, ("ns1.example.net",), "m.example.net", "ops.example.com", ttl=60, minimum=30
    )


def test_update_zone_bumps_the_serial(store: ZoneStore, zone: Zone) -> None:
    updated = store.update_zone(ZONE, ACTOR, ns=["ns1.hello-web.com", "ns3.hello-web.com"], ttl=600)
    assert updated.ns == ("ns1.hello-web.com", "ns3.hello-web.com")
    assert updated.ttl == 600
    assert serial_gt(updated.serial, zone.serial)
    assert store.get_zone(ZONE) == updated
    change = store.list_changes()[-1]
    assert change.action == "zone.update"
    assert change.before is not None and change.before["ttl"] == 300
    assert (change.zones[0].prev_serial, change.zones[0].serial) == (zone.serial, updated.serial)


def test_update_zone_lists_the_apex_ns_lines_it_changes(store: ZoneStore, zone: Zone) -> None:
    store.update_zone(ZONE, ACTOR, ns=["ns1.hello-web.com", "ns3.hello-web.com"])
    [zc] = store.list_changes()[-1].zones
    assert zc.removed == ((ZONE, "NS", 300, "ns2.hello-web.com."),)
    assert zc.added == ((ZONE, "NS", 300, "ns3.hello-web.com."),)


def test_update_zone_with_the_same_fields_changes_nothing(store: ZoneStore, zone: Zone) -> None:
    last = store.last_change_id()
    assert store.update_zone(ZONE, ACTOR, ttl=300, ns=list(zone.ns)) == zone
    assert store.last_change_id() == last


def test_update_zone_validates(store: ZoneStore, zone: Zone) -> None:
    with pytest.raises(InvalidInput) as info:
        store.update_zone(ZONE, ACTOR, refresh=-5, ns=["a..b"])
    assert {r.field for r in info.value.reasons} == {"refresh", "ns.0"}
    assert store.get_zone(ZONE) == zone


def test_unknown_zone(store: ZoneStore) -> None:
    with pytest.raises(NotFound):
        store.get_zone("nope.com")
    with pytest.raises(NotFound):
        store.update_zone("nope.com", ACTOR, ttl=5)
    with pytest.raises(NotFound):
        store.delete_zone("nope.com", ACTOR)


def test_delete_zone(store: ZoneStore, zone: Zone) -> None:
    store.delete_zone("Hello-Web.com.", ACTOR)
    assert store.list_zones() == []
    change = store.list_changes()[-1]
    assert change.action == "zone.delete"
    assert (change.zones[0].prev_serial, change.zones[0].serial) == (zone.serial, None)


def test_delete_zone_is_refused_while_it_holds_records(store: ZoneStore, zone: Zone) -> None:
    put(store, "www.hello-web.com")
    last = store.last_change_id()
    with pytest.raises(Conflict, match="1 records"):
        store.delete_zone(ZONE, ACTOR)
    assert store.get_zone(ZONE).serial == store.get_zone(ZONE).serial
    assert store.last_change_id() == last
    assert store.list_rrsets(RecordFilter(zone=ZONE))[1] == 1


def test_force_deletes_the_zone_and_its_records(store: ZoneStore, zone: Zone) -> None:
    put(store, "www.hello-web.com")
    put(store, "api.hello-web.com", "TXT", ["hi"])
    store.delete_zone(ZONE, ACTOR, force=True)
    assert store.list_zones() == []
    assert store.list_rrsets(RecordFilter()) == ([], 0)
    add_zone(store, ZONE)  # the name is free again, with no records left behind
    assert store.list_rrsets(RecordFilter(zone=ZONE)) == ([], 0)


def test_make_zone_timers_are_integers_not_booleans() -> None:
    with pytest.raises(InvalidInput) as info:
        make_zone("example.com", ["ns1.example.com"], refresh=True, ttl=1.5)
    assert [r.field for r in info.value.reasons] == ["refresh", "ttl"]


def test_a_new_zone_may_not_take_names_another_zone_holds(store: ZoneStore) -> None:
    add_zone(store, ZONE)
    put(store, "www.eu.hello-web.com")
    last = store.last_change_id()
    with pytest.raises(Conflict, match=r"www\.eu\.hello-web\.com"):
        add_zone(store, "eu.hello-web.com")  # its records would be shadowed, and their owner bypassed
    assert store.last_change_id() == last
    assert [z.name for z in store.list_zones()] == [ZONE]
    add_zone(store, "us.hello-web.com")  # names elsewhere in the parent do not matter
    add_zone(store, "beu.hello-web.com")
