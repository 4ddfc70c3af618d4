"""The change log: list_changes filters, the feed, load_state, and zone_history."""

from __future__ import annotations

import datetime as dt

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.pools import Pool
from dnsd.domain.rdata import Address
from dnsd.domain.zones import Zone
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import OTHER, OWNER, ZONE, ZONE2, add_zone, put

POOL = "istio-ingressgateway"


def test_list_changes_filters(store: ZoneStore, zone: Zone, zone2: Zone) -> None:
    put(store, "a.hello-web.com")
    put(store, "b.wudebao-web.com", owner=OTHER)
    put(store, "c.hello-web.com", owner=OTHER)
    everything = store.list_changes()
    assert [c.action for c in everything] == ["zone.create"] * 2 + ["record.create"] * 3
    assert [c.id for c in everything] == sorted(c.id for c in everything)

    assert [c.subject for c in store.list_changes(zone=ZONE)] == [
        ZONE,
        "a.hello-web.com/A",
        "c.hello-web.com/A",
    ]
    assert [c.subject for c in store.list_changes(zone="WUDEBAO-web.com.")] == [ZONE2, "b.wudebao-web.com/A"]
    assert [c.subject for c in store.list_changes(owner=OTHER)] == [
        "b.wudebao-web.com/A",
        "c.hello-web.com/A",
    ]
    assert [c.subject for c in store.list_changes(zone=ZONE, owner=OTHER)] == ["c.hello-web.com/A"]
    third = everything[2].id
    assert [c.id for c in store.list_changes(after_id=third)] == [c.id for c in everything[3:]]
    assert [c.id for c in store.list_changes(limit=2)] == [c.id for c in everything[:2]]
    assert [c.id for c in store.list_changes(after_id=third, limit=1)] == [everything[3].id]


def test_change_times_are_aware_utc(store: ZoneStore, zone: Zone) -> None:
    before = dt.datetime.now(dt.UTC)
    put(store, "a.hello-web.com")
    change = store.list_changes()[-1]
    assert change.created_at.tzinfo is not None
    assert change.created_at.utcoffset() == dt.timedelta(0)
    assert (
        before - dt.timedelta(minutes=5)
        <= change.created_at
        <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    )


def test_since_filter_in_any_timezone(store: ZoneStore, zone: Zone) -> None:
    put(store, "a.hello-web.com")
    created = store.list_changes()[-1].created_at
    for tz in (dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-7))):
        just_before = (created - dt.timedelta(seconds=1)).astimezone(tz)
        just_after = (created + dt.timedelta(seconds=1)).astimezone(tz)
        assert store.list_changes(since=just_before)[-1].subject == "a.hello-web.com/A"
        assert store.list_changes(since=just_after) == []
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert len(store.list_changes(since=hour_ago)) == 2


def test_feed_orders_changes_and_names_their_zones(
    store: ZoneStore, zone: Zone, zone2: Zone, pool: Pool
) -> None:
    start = store.last_change_id()
    put(store, "www.hello-web.com", pool=POOL)
    put(store, "www.wudebao-web.com", pool=POOL)
    store.update_pool(POOL, "test:store", addresses=["10.0.0.9"])
    feed = store.feed(start)
    assert [e.id for e in feed] == sorted(e.id for e in feed)
    assert [e.zones for e in feed] == [(ZONE,), (ZONE2,), (ZONE, ZONE2)]
    assert feed[-1].id == store.last_change_id()
    assert store.feed(feed[0].id) == feed[1:]
    assert store.feed(start, limit=1) == feed[:1]
    assert store.feed(store.last_change_id()) == []


def test_feed_includes_changes_that_touch_no_zone(store: ZoneStore) -> None:
    store.create_pool(Pool("p", ("10.0.0.1",)), "test:store")
    [entry] = store.feed(0)
    assert entry.zones == ()


def test_load_state(store: ZoneStore, zone: Zone, zone2: Zone, pool: Pool) -> None:
    put(store, "www.hello-web.com", pool=POOL)
    put(store, "txt.hello-web.com", "TXT", ["hello"])
    put(store, "www.wudebao-web.com", values=["192.0.2.8"])
    state = store.load_state()
    assert state.cursor == store.last_change_id()
    assert set(state.zones) == {ZONE, ZONE2}
    assert set(state.pools) == {POOL}
    assert state.pools[POOL] == store.get_pool(POOL)
    hello, rrsets = state.zones[ZONE]
    assert hello == store.get_zone(ZONE)
    by_name = {r.name: r for r in rrsets}
    assert by_name["www.hello-web.com"].pool == POOL
    assert by_name["www.hello-web.com"].zone == ZONE
    assert by_name["txt.hello-web.com"].rtype == "TXT"
    assert state.zones[ZONE2][1][0].values == (Address("192.0.2.8"),)

    only = store.load_state([ZONE2])
    assert set(only.zones) == {ZONE2}
    assert set(only.pools) == {POOL}  # pools always come whole: any zone may point at any pool
    assert store.load_state([]).zones == {}
    assert store.load_state(["nope.com"]).zones == {}


def test_load_state_cursor_matches_its_data(store: ZoneStore, zone: Zone) -> None:
    put(store, "a.hello-web.com")
    state = store.load_state()
    put(store, "b.hello-web.com")
    assert [e.zones for e in store.feed(state.cursor)] == [(ZONE,)]
    assert {r.name for r in state.zones[ZONE][1]} == {"a.hello-web.com"}


def test_zone_history_is_the_ixfr_source(store: ZoneStore, zone: Zone) -> None:
    first = put(store, "a.hello-web.com", values=["192.0.2.1"])
    second = put(store, "a.hello-web.com", values=["192.0.2.2"])
    add_zone(store, "other.com")
    history = store.zone_history("Hello-Web.com.")
    assert [h.serial for h in history] == [zone.serial, first.serial, second.serial]
    assert [h.prev_serial for h in history] == [None, zone.serial, first.serial]
    assert history[-1].removed == (("a.hello-web.com", "A", 300, "192.0.2.1"),)
    assert history[-1].added == (("a.hello-web.com", "A", 300, "192.0.2.2"),)
    changes = store.list_changes(zone=ZONE)
    assert [h.serial for h in store.zone_history(ZONE, changes[1].id)] == [second.serial]
    assert all(zc.zone == ZONE for zc in history)
    assert OWNER in {c.owner for c in changes}


def test_list_changes_refuses_a_negative_limit(store: ZoneStore, zone: Zone) -> None:
    with pytest.raises(InvalidInput) as info:
        store.list_changes(limit=-1)
    assert [r.field for r in info.value.reasons] == ["limit"]
    assert store.list_changes(limit=0) == []
