"""``BulkOps.put_many``: everything checked first, then one transaction and one change row."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.zones import next_serial
from dnsd.store.bulk import BulkConflict, BulkOps
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.ops.conftest import ACTOR, OWNER, rr, seed_basic


def bulk_of(store: ZoneStore) -> BulkOps:
    return BulkOps(store.engine, store.limits)


def snapshot(store: ZoneStore) -> tuple[int, dict[str, int], list[str]]:
    """What must not move when a batch is refused: change log, serials, the records."""
    rrsets, _ = store.list_rrsets(RecordFilter(), limit=10_000)
    serials = {z.name: z.serial for z in store.list_zones()}
    return store.last_change_id(), serials, [repr(r) for r in rrsets]


def test_batch_is_one_change_with_one_serial_bump_per_zone(store: ZoneStore) -> None:
    seed_basic(store)
    store.put_rrset(rr("old.hello-web.com"), ACTOR)
    store.put_rrset(rr("same.hello-web.com"), ACTOR)
    before = {z.name: z.serial for z in store.list_zones()}
    last = store.last_change_id()
    batch = [
        rr("www.hello-web.com", pool="istio-ingressgateway"),
        rr("old.hello-web.com", values=["192.0.2.9"]),
        rr("same.hello-web.com"),
        rr("www.hello-web.com", "TXT", ['"v=spf1 -all"']),
        rr("api.wudebao-web.com", "CNAME", ["www.hello-web.com."], owner="k8s:default/service/api"),
    ]
    results = bulk_of(store).put_many(batch, ACTOR)
    assert [(r.created, r.changed) for r in results] == [
        (True, True), (False, True), (False, False), (True, True), (True, True)
    ]  # fmt: skip
    after = {z.name: z.serial for z in store.list_zones()}
    assert after == {z: next_serial(s) for z, s in before.items()}  # one bump each
    assert [r.serial for r in results] == [after["hello-web.com"]] * 4 + [after["wudebao-web.com"]]
    (change,) = store.list_changes(after_id=last)
    assert (change.action, change.owner, change.actor) == ("record.bulk", None, ACTOR)
    assert change.subject == "4 RRsets (3 created, 1 changed)"
    zones = {z.zone: z for z in change.zones}
    assert {z: (zc.prev_serial, zc.serial) for z, zc in zones.items()} == {
        z: (before[z], after[z]) for z in after
    }
    hello = zones["hello-web.com"]
    assert ("www.hello-web.com", "A", 300, "10.0.0.10") in hello.added  # pool expanded
    assert ("old.hello-web.com", "A", 300, "192.0.2.1") in hello.removed
    assert not any(line[0] == "same.hello-web.com" for line in (*hello.added, *hello.removed))
    for result in results:
        assert result.rrset.id is not None
        assert store.get_rrset(result.rrset.id).content() == result.rrset.content()


def test_every_problem_of_every_item_and_nothing_written(store: ZoneStore) -> None:
    seed_basic(store)
    store.put_rrset(rr("cn.hello-web.com", "CNAME", ["www.hello-web.com."]), ACTOR)
    store.put_rrset(rr("held.hello-web.com", owner="user:alice"), ACTOR)
    before = snapshot(store)
    batch = [
        rr("ok.hello-web.com"),
        rr("www.not-ours.org"),
        rr("p.hello-web.com", pool="no-such-pool"),
        rr("ok.hello-web.com", values=["192.0.2.7"]),
        rr("ok.hello-web.com", "TXT", ['"x"'], owner="ci:someone-else"),
        rr("alias.hello-web.com", "CNAME", ["www.hello-web.com."]),
        rr("alias.hello-web.com", "TXT", ['"y"']),
        rr("cn.hello-web.com", "TXT", ['"z"']),
        rr("held.hello-web.com"),
    ]
    with pytest.raises(InvalidInput) as caught:
        bulk_of(store).put_many(batch, ACTOR)
    assert [str(r) for r in caught.value.reasons] == [
        "records.1.name: no zone of ours contains www.not-ours.org",
        "records.2.pool: pool 'no-such-pool' not found",
        "records.3.name: ok.hello-web.com/A is already at records.0",
        f"records.4.owner: records.0 gives ok.hello-web.com to {OWNER}; a name has one owner",
        "records.5.type: a CNAME must stand alone; alias.hello-web.com has ['TXT']",
        "records.6.type: alias.hello-web.com has a CNAME, which must stand alone",
        "records.7.type: cn.hello-web.com has a CNAME, which must stand alone",
        "records.8.name: held.hello-web.com is held by user:alice",
    ]
    assert snapshot(store) == before


def test_other_owners_names_are_listed_and_nothing_written(store: ZoneStore) -> None:
    seed_basic(store)
    store.put_rrset(rr("a.hello-web.com", owner="user:alice"), ACTOR)
    store.put_rrset(rr("b.hello-web.com", "TXT", ['"b"'], owner="user:bob"), ACTOR)
    before = snapshot(store)
    batch = [rr("new.hello-web.com"), rr("a.hello-web.com"), rr("b.hello-web.com")]
    with pytest.raises(BulkConflict) as caught:
        bulk_of(store).put_many(batch, ACTOR, labels=["first", "second", "third"])
    assert [(c.index, c.label, c.name, c.holder) for c in caught.value.conflicts] == [
        (1, "second", "a.hello-web.com", "user:alice"),
        (2, "third", "b.hello-web.com", "user:bob"),
    ]
    assert str(caught.value) == "second: a.hello-web.com is held by user:alice (and 1 more)"
    assert snapshot(store) == before


def test_dry_run_predicts_and_writes_nothing(store: ZoneStore) -> None:
    seed_basic(store)
    store.put_rrset(rr("x.hello-web.com"), ACTOR)
    before = snapshot(store)
    results = bulk_of(store).put_many([rr("x.hello-web.com"), rr("y.hello-web.com")], ACTOR, dry_run=True)
    assert [(r.created, r.changed, r.rrset.id is None) for r in results] == [
        (False, False, False),
        (True, True, True),
    ]
    assert snapshot(store) == before
    assert bulk_of(store).put_many([], ACTOR) == [] and snapshot(store) == before


def test_all_unchanged_records_no_change(store: ZoneStore) -> None:
    seed_basic(store)
    batch = [rr(f"h{i}.hello-web.com") for i in range(3)]
    bulk_of(store).put_many(batch, ACTOR)
    before = snapshot(store)
    again = bulk_of(store).put_many(batch, ACTOR)
    assert not any(r.changed for r in again) and snapshot(store) == before
