"""RRsets through the store: the idempotent put, ownership, placement rules, reads and deletes."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.pools import Pool
from dnsd.domain.rdata import Address
from dnsd.domain.records import make_rrset
from dnsd.domain.zones import Zone, serial_gt
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import ACTOR, OTHER, OWNER, ZONE, ZONE2, add_zone, put

WWW = "www.hello-web.com"
POOL = "istio-ingressgateway"


def snapshot(store: ZoneStore) -> tuple[int, int, list[tuple[str, str, str]]]:
    """What a refused change must leave untouched: last change id, serial, every RRset."""
    rrsets, _ = store.list_rrsets(RecordFilter(), limit=1000)
    return store.last_change_id(), store.get_zone(ZONE).serial, [(r.name, r.rtype, repr(r)) for r in rrsets]


# -- the idempotent put --------------------------------------------------------------------


def test_create(store: ZoneStore, zone: Zone) -> None:
    result = put(store, "WWW.Hello-Web.com.", values=["192.0.2.2", "192.0.2.1"], ttl=60)
    assert (result.created, result.changed) == (True, True)
    assert serial_gt(result.serial, zone.serial)
    assert store.get_zone(ZONE).serial == result.serial
    rrset = result.rrset
    assert (rrset.name, rrset.rtype, rrset.ttl, rrset.owner, rrset.zone) == (WWW, "A", 60, OWNER, ZONE)
    assert rrset.values == (Address("192.0.2.1"), Address("192.0.2.2"))
    assert rrset.id is not None and store.get_rrset(rrset.id) == rrset
    change = store.list_changes()[-1]
    assert (change.action, change.subject, change.owner, change.actor) == (
        "record.create",
        f"{WWW}/A",
        OWNER,
        ACTOR,
    )
    assert change.before is None
    assert change.after == {
        "name": WWW,
        "type": "A",
        "ttl": 60,
        "owner": OWNER,
        "values": ["192.0.2.1", "192.0.2.2"],
    }
    [zc] = change.zones
    assert (zc.zone, zc.prev_serial, zc.serial) == (ZONE, zone.serial, result.serial)
    assert zc.removed == ()
    assert zc.added == ((WWW, "A", 60, "192.0.2.1"), (WWW, "A", 60, "192.0.2.2"))


@pytest.mark.parametrize(
    ("rtype", "first", "again"),
    [
        ("A", ["192.0.2.1", "192.0.2.2"], ["192.0.2.2", "192.0.2.1"]),
        ("AAAA", ["2001:db8::1"], ["2001:DB8:0:0::1"]),
        ("CNAME", ["web.example.net"], ["Web.Example.NET."]),
        ("TXT", ["v=spf1 -all"], ['"v=spf1 -all"']),
        ("TXT", ["x" * 300], ['"' + "x" * 255 + '" "' + "x" * 45 + '"']),
        ("MX", ["10 mx.example.net", "0 ."], ["0 .", "10 MX.example.net."]),
        ("CAA", ['0 issue "café"'], ['0 issue "caf\\195\\169"']),
        ("SRV", ["0 5 443 t.example.net"], ["0 5 443 t.example.net."]),
    ],
)
def test_same_content_again_changes_nothing(
    store: ZoneStore, zone: Zone, rtype: str, first: list[str], again: list[str]
) -> None:
    created = put(store, WWW, rtype, first)
    before = snapshot(store)
    result = put(store, WWW, rtype, again)
    assert (result.created, result.changed) == (False, False)
    assert result.serial == created.serial
    assert result.rrset == created.rrset
    assert snapshot(store) == before


def test_same_pool_again_changes_nothing(store: ZoneStore, zone: Zone, pool: Pool) -> None:
    created = put(store, WWW, pool=POOL)
    before = snapshot(store)
    result = put(store, WWW, pool=POOL.upper())
    assert (result.created, result.changed, result.serial) == (False, False, created.serial)
    assert snapshot(store) == before


def test_new_content_from_the_same_owner_replaces(store: ZoneStore, zone: Zone) -> None:
    first = put(store, WWW, values=["192.0.2.1"])
    second = put(store, WWW, values=["192.0.2.7"], ttl=30)
    assert (second.created, second.changed) == (False, True)
    assert serial_gt(second.serial, first.serial)
    assert second.rrset.id == first.rrset.id
    assert second.rrset.values == (Address("192.0.2.7"),)
    [rrset], total = store.list_rrsets(RecordFilter(name=WWW))
    assert total == 1 and rrset.ttl == 30
    change = store.list_changes()[-1]
    assert change.action == "record.update"
    assert change.before is not None and change.before["values"] == ["192.0.2.1"]
    assert change.zones[0].removed == ((WWW, "A", 300, "192.0.2.1"),)
    assert change.zones[0].added == ((WWW, "A", 30, "192.0.2.7"),)


def test_switching_between_values_and_pool(store: ZoneStore, zone: Zone, pool: Pool) -> None:
    put(store, WWW, values=["192.0.2.1"])
    moved = put(store, WWW, pool=POOL)
    assert (moved.changed, moved.rrset.pool, moved.rrset.values) == (True, POOL, ())
    zc = store.list_changes()[-1].zones[0]
    assert zc.removed == ((WWW, "A", 300, "192.0.2.1"),)
    assert zc.added == ((WWW, "A", 300, "10.0.0.1"), (WWW, "A", 300, "10.0.0.2"))
    back = put(store, WWW, values=["192.0.2.1"])
    assert (back.changed, back.rrset.pool) == (True, None)
    assert store.pool_usage(POOL) == 0


def test_another_owner_gets_conflict_naming_the_holder(store: ZoneStore, zone: Zone) -> None:
    put(store, WWW, values=["192.0.2.1"])
    before = snapshot(store)
    for rtype, values in (("A", ["192.0.2.1"]), ("A", ["192.0.2.9"]), ("TXT", ["mine"])):
        with pytest.raises(Conflict) as info:
            put(store, WWW, rtype, values, owner=OTHER)
        assert info.value.holder == OWNER
        assert OWNER in str(info.value)
    assert snapshot(store) == before


def test_other_names_are_free_for_other_owners(store: ZoneStore, zone: Zone) -> None:
    put(store, WWW)
    assert put(store, "api.hello-web.com", owner=OTHER).created
    assert put(store, "a.www.hello-web.com", owner=OTHER).created  # below a name is another name


def test_same_owner_may_hold_several_types_at_a_name(store: ZoneStore, zone: Zone) -> None:
    put(store, WWW)
    put(store, WWW, "AAAA", ["2001:db8::1"])
    put(store, WWW, "TXT", ["hello"])
    assert store.list_rrsets(RecordFilter(name=WWW))[1] == 3


# -- placement rules through the store -----------------------------------------------------


def test_cname_cannot_join_other_data(store: ZoneStore, zone: Zone) -> None:
    put(store, WWW)
    before = snapshot(store)
    with pytest.raises(InvalidInput) as info:
        put(store, WWW, "CNAME", ["web.example.net"])
    assert [r.field for r in info.value.reasons] == ["type"]
    assert snapshot(store) == before


def test_nothing_can_join_a_cname(store: ZoneStore, zone: Zone) -> None:
    put(store, WWW, "CNAME", ["web.example.net"])
    before = snapshot(store)
    with pytest.raises(InvalidInput):
        put(store, WWW, "TXT", ["x"])
    assert snapshot(store) == before
    assert put(store, WWW, "CNAME", ["other.example.net"]).changed  # replacing the CNAME is fine


def test_cname_and_ns_not_at_the_apex(store: ZoneStore, zone: Zone) -> None:
    before = snapshot(store)
    for rtype, value in (("CNAME", "web.example.net"), ("NS", "ns9.example.net")):
        with pytest.raises(InvalidInput) as info:
            put(store, ZONE, rtype, [value])
        assert [r.field for r in info.value.reasons] == ["name"]
    assert snapshot(store) == before
    assert put(store, ZONE, "MX", ["10 mx.example.net"]).created
    assert put(store, "sub.hello-web.com", "NS", ["ns1.example.net"]).created


def test_wildcards(store: ZoneStore, zone: Zone) -> None:
    assert put(store, "*.apps.hello-web.com").created
    for rtype, value in (("NS", "ns1.example.net"), ("DNAME", "example.net")):
        with pytest.raises(InvalidInput):
            put(store, "*.hello-web.com", rtype, [value])


# -- not found -----------------------------------------------------------------------------


def test_name_outside_every_zone(store: ZoneStore, zone: Zone) -> None:
    before = snapshot(store)
    with pytest.raises(NotFound) as info:
        put(store, "www.example.org")
    assert info.value.field == "name"
    assert snapshot(store) == before


def test_unknown_pool(store: ZoneStore, zone: Zone) -> None:
    before = snapshot(store)
    with pytest.raises(NotFound) as info:
        put(store, WWW, pool="no-such-pool")
    assert info.value.field == "pool"
    assert snapshot(store) == before


def test_the_deepest_zone_takes_the_name(store: ZoneStore, zone: Zone) -> None:
    add_zone(store, "eu.hello-web.com")
    assert put(store, "www.eu.hello-web.com").rrset.zone == "eu.hello-web.com"
    assert put(store, "www.hello-web.com").rrset.zone == ZONE


def test_unknown_record(store: ZoneStore, zone: Zone) -> None:
    with pytest.raises(NotFound):
        store.get_rrset(999)
    with pytest.raises(NotFound):
        store.patch_rrset(999, ACTOR, ttl=5)
    with pytest.raises(NotFound):
        store.delete_rrset(999, ACTOR)
    with pytest.raises(NotFound):
        store.delete_by_name(WWW, ACTOR)


# -- patch and delete ----------------------------------------------------------------------


def test_patch(store: ZoneStore, zone: Zone, pool: Pool) -> None:
    rid = put(store, WWW, values=["192.0.2.1"]).rrset.id
    assert rid is not None
    assert store.patch_rrset(rid, ACTOR, ttl=42).rrset.ttl == 42
    assert store.get_rrset(rid).values == (Address("192.0.2.1"),)
    assert store.patch_rrset(rid, ACTOR, values=["192.0.2.5"]).rrset.values == (Address("192.0.2.5"),)
    patched = store.patch_rrset(rid, ACTOR, pool=POOL)
    assert (patched.rrset.pool, patched.rrset.values, patched.rrset.ttl) == (POOL, (), 42)
    assert store.patch_rrset(rid, ACTOR, ttl=42).changed is False
    assert store.get_rrset(rid).owner == OWNER
    with pytest.raises(InvalidInput):
        store.patch_rrset(rid, ACTOR, ttl=-1)


def test_delete_rrset(store: ZoneStore, zone: Zone) -> None:
    result = put(store, WWW)
    rid = result.rrset.id
    assert rid is not None
    with pytest.raises(Conflict) as info:
        store.delete_rrset(rid, ACTOR, owner=OTHER)
    assert info.value.holder == OWNER
    deleted = store.delete_rrset(rid, ACTOR, owner=OWNER)
    assert deleted == result.rrset
    assert store.list_rrsets(RecordFilter()) == ([], 0)
    change = store.list_changes()[-1]
    assert (change.action, change.after) == ("record.delete", None)
    assert change.zones[0].removed == ((WWW, "A", 300, "192.0.2.1"),)
    assert serial_gt(store.get_zone(ZONE).serial, result.serial)


def test_delete_by_name(store: ZoneStore, zone: Zone) -> None:
    put(store, WWW)
    put(store, WWW, "TXT", ["x"])
    put(store, "api.hello-web.com")
    last = store.last_change_id()
    with pytest.raises(Conflict):
        store.delete_by_name(WWW, ACTOR, owner=OTHER)
    assert store.last_change_id() == last
    assert [r.rtype for r in store.delete_by_name("WWW.hello-web.com.", ACTOR, rtype="txt")] == ["TXT"]
    assert [r.rtype for r in store.delete_by_name(WWW, ACTOR, owner=OWNER)] == ["A"]
    assert [r.name for r in store.list_rrsets(RecordFilter())[0]] == ["api.hello-web.com"]
    with pytest.raises(NotFound):
        store.delete_by_name(WWW, ACTOR)


# -- listing -------------------------------------------------------------------------------


def test_list_rrsets_filters_and_pages(store: ZoneStore, zone: Zone, pool: Pool) -> None:
    add_zone(store, ZONE2)
    for i in range(7):
        put(store, f"h{i}.hello-web.com", owner=OWNER if i % 2 else OTHER)
    put(store, WWW, pool=POOL)
    put(store, WWW, "TXT", ["x"])
    put(store, "www.wudebao-web.com", pool=POOL, owner=OTHER)

    everything, total = store.list_rrsets(RecordFilter(), limit=100)
    assert total == 10 and len(everything) == 10
    assert [(r.name, r.rtype) for r in everything] == sorted((r.name, r.rtype) for r in everything)

    def names(flt: RecordFilter) -> tuple[list[str], int]:
        rrsets, total = store.list_rrsets(flt, limit=100)
        return [f"{r.name}/{r.rtype}" for r in rrsets], total

    assert names(RecordFilter(zone=ZONE2)) == (["www.wudebao-web.com/A"], 1)
    assert names(RecordFilter(zone="Wudebao-Web.com.")) == (["www.wudebao-web.com/A"], 1)
    assert names(RecordFilter(name=WWW)) == ([f"{WWW}/A", f"{WWW}/TXT"], 2)
    assert names(RecordFilter(type="txt")) == ([f"{WWW}/TXT"], 1)
    assert names(RecordFilter(pool=POOL)) == ([f"{WWW}/A", "www.wudebao-web.com/A"], 2)
    assert names(RecordFilter(zone=ZONE, owner=OTHER))[1] == 4
    assert names(RecordFilter(zone=ZONE, owner=OWNER, type="A"))[1] == 4
    assert names(RecordFilter(owner="user:nobody")) == ([], 0)

    pages = [store.list_rrsets(RecordFilter(), limit=3, offset=o) for o in range(0, 12, 3)]
    assert [len(p) for p, _ in pages] == [3, 3, 3, 1]
    assert all(t == 10 for _, t in pages)
    assert [r for p, _ in pages for r in p] == everything


def test_list_rrsets_reports_pool_and_zone(store: ZoneStore, zone: Zone, pool: Pool) -> None:
    put(store, WWW, pool=POOL)
    [rrset], _ = store.list_rrsets(RecordFilter(name=WWW))
    assert (rrset.pool, rrset.zone, rrset.values) == (POOL, ZONE, ())


def test_invalid_rrsets_never_reach_the_store() -> None:
    with pytest.raises(InvalidInput) as info:
        make_rrset("bad..name", "A", -1, OWNER, ["nope"])
    assert [r.field for r in info.value.reasons] == ["name", "ttl", "values.0"]


@pytest.mark.parametrize(("limit", "offset", "field"), [(-1, 0, "limit"), (10, -1, "offset")])
def test_list_rrsets_refuses_negative_paging(
    store: ZoneStore, zone: Zone, limit: int, offset: int, field: str
) -> None:
    put(store, WWW)
    with pytest.raises(InvalidInput) as info:
        store.list_rrsets(RecordFilter(), limit=limit, offset=offset)
    assert [r.field for r in info.value.reasons] == [field]
    assert store.list_rrsets(RecordFilter(), limit=0) == ([], 1)
