"""Health state in the store (SQLite and PostgreSQL): rise/fall per round, transitions as
change rows with zone deltas and a serial bump, the states the answer path reads, leases."""

from __future__ import annotations

import time

from dnsd.domain.health import Probe, make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.zones import make_zone
from dnsd.store.health import ProbeResult
from dnsd.store.leases import STEERING_LEASE
from dnsd.store.zonestore import ZoneStore
from tests.helpers import put

ACTOR = "test:health"


def setup(store: ZoneStore, kind: str = "http") -> None:
    store.create_zone(make_zone("example.com", ["ns1.example.com"]), ACTOR)
    check = make_check({"kind": kind, "port": 8080, "interval": 1, "timeout": 0.5, "rise": 2, "fall": 2})
    store.create_pool(make_pool("gw", ["10.0.0.1", "10.0.0.2"], check=check), ACTOR)
    store.create_pool(make_pool("plain", ["10.9.0.1"]), ACTOR)
    put(store, "www.example.com", pool="gw")
    put(store, "api.example.com", pool="gw")
    put(store, "old.example.com", pool="plain")


def test_plan_probes_each_member_for_each_name(store: ZoneStore) -> None:
    setup(store)
    [plan] = store.health_plan()  # the pool without a check is not probed
    assert plan.pool == "gw" and plan.check.kind == "http"
    assert [(p.address, p.host) for p in plan.probes] == [
        ("10.0.0.1", "api.example.com"), ("10.0.0.1", "www.example.com"),
        ("10.0.0.2", "api.example.com"), ("10.0.0.2", "www.example.com"),
    ]  # fmt: skip


def test_tcp_plan_probes_members_only(store: ZoneStore) -> None:
    setup(store, kind="tcp")
    [plan] = store.health_plan()
    assert [p.key for p in plan.probes] == [("gw", "10.0.0.1"), ("gw", "10.0.0.2")]


def test_fall_takes_a_member_out_of_the_zone_with_a_change_row(store: ZoneStore) -> None:
    setup(store)
    bad = ProbeResult(Probe("gw", "10.0.0.1", "www.example.com"), False, "HTTP 404")
    serial = store.get_zone("example.com").serial
    assert store.record_health([bad]) == []  # fall 2: one failure is not enough
    assert store.member_states() == {("gw", "10.0.0.1", "www.example.com"): "up"}
    [down] = store.record_health([bad])
    assert down.state == "down" and down.probe == bad.probe
    assert store.member_states()[("gw", "10.0.0.1", "www.example.com")] == "down"
    change = store.list_changes(after_id=down.change_id - 1)[0]
    assert (change.action, change.actor, change.subject) == (
        "health.down",
        "health",
        "gw/10.0.0.1/www.example.com",
    )
    assert change.before == {"state": "up"} and change.after == {"state": "down", "error": "HTTP 404"}
    [zone] = change.zones
    assert zone.zone == "example.com" and zone.serial is not None and zone.serial > serial
    assert zone.removed == (("www.example.com", "A", 300, "10.0.0.1"),) and zone.added == ()
    assert store.get_zone("example.com").serial == zone.serial
    # api.example.com keeps both members: the check is per host
    state = store.load_state(["example.com"])
    assert state.health[("gw", "10.0.0.1", "www.example.com")] == "down"


def test_rise_brings_it_back_and_detail_shows_times(store: ZoneStore) -> None:
    setup(store)
    probe = Probe("gw", "10.0.0.2", "www.example.com")
    for _ in range(2):
        store.record_health([ProbeResult(probe, False, "refused")])
    [detail] = store.pool_health("gw")
    assert (detail.address, detail.host, detail.state, detail.last_error) == (
        "10.0.0.2",
        "www.example.com",
        "down",
        "refused",
    )
    went_down = detail.last_change
    assert went_down is not None and detail.last_check is not None
    time.sleep(0.01)
    assert store.record_health([ProbeResult(probe, True)]) == []  # rise 2
    [up] = store.record_health([ProbeResult(probe, True)])
    assert up.state == "up"
    change = store.list_changes(after_id=up.change_id - 1)[0]
    assert change.action == "health.up"
    assert change.zones[0].added == (("www.example.com", "A", 300, "10.0.0.2"),)
    [detail] = store.pool_health("gw")
    assert detail.state == "up" and detail.last_error == ""
    assert detail.last_change is not None and detail.last_change > went_down


def test_all_members_down_leaves_the_zone_whole(store: ZoneStore) -> None:
    """Fail open: the second member going down changes no answer, so no zone delta."""
    setup(store, kind="tcp")
    results = [ProbeResult(Probe("gw", a), False, "refused") for a in ("10.0.0.1", "10.0.0.2")]
    store.record_health(results)
    transitions = store.record_health(results)
    assert sorted(t.probe.address for t in transitions) == ["10.0.0.1", "10.0.0.2"]
    changes = store.list_changes(after_id=min(t.change_id for t in transitions) - 1)
    removed = [line for c in changes for z in c.zones for line in z.removed]
    added = [line for c in changes for z in c.zones for line in z.added]
    # first: both names lose 10.0.0.1; second: nothing healthy is left, so all answer again
    assert sorted(removed) == sorted(added) or not added
    state = store.load_state(["example.com"])
    assert all(v == "down" for v in state.health.values())


def test_a_lost_lease_writes_nothing(store: ZoneStore) -> None:
    setup(store, kind="tcp")
    assert store.take_lease(STEERING_LEASE, "a", 30)
    bad = ProbeResult(Probe("gw", "10.0.0.1"), False, "x")
    assert store.record_health([bad], lease=(STEERING_LEASE, "b")) == []
    assert store.member_states() == {}
    store.record_health([bad], lease=(STEERING_LEASE, "a"))
    assert store.member_states() == {("gw", "10.0.0.1"): "up"}


def test_lease_is_taken_renewed_and_taken_over_when_expired(store: ZoneStore) -> None:
    assert store.take_lease(STEERING_LEASE, "a", 0.3)
    assert not store.take_lease(STEERING_LEASE, "b", 0.3)
    assert store.take_lease(STEERING_LEASE, "a", 0.3)  # renewal
    lease = store.get_lease(STEERING_LEASE)
    assert lease is not None and lease.holder == "a"
    time.sleep(0.4)
    assert store.take_lease(STEERING_LEASE, "b", 0.3)
    lease = store.get_lease(STEERING_LEASE)
    assert lease is not None and lease.holder == "b"
    store.release_lease(STEERING_LEASE, "a")  # not a's any more: kept
    assert store.get_lease(STEERING_LEASE) is not None
    store.release_lease(STEERING_LEASE, "b")
    assert store.get_lease(STEERING_LEASE) is None


def test_states_no_longer_probed_are_forgotten_and_count_as_up(store: ZoneStore) -> None:
    setup(store)
    bad = ProbeResult(Probe("gw", "10.0.0.1", "www.example.com"), False, "HTTP 404")
    store.record_health([bad])
    store.record_health([bad])
    assert store.forget_health(store.health_plan()) == []  # still probed: kept
    store.delete_by_name("www.example.com", ACTOR)  # the name leaves the pool
    [gone] = store.forget_health(store.health_plan())
    assert gone.state == "up" and gone.probe == bad.probe
    assert store.member_states() == {}
    change = store.list_changes(after_id=gone.change_id - 1)[0]
    assert change.action == "health.up" and change.after == {"state": "up", "error": "no longer checked"}


def test_a_pool_change_keeps_down_members_out_of_the_zone_lines(store: ZoneStore) -> None:
    setup(store, kind="tcp")
    for _ in range(2):
        store.record_health([ProbeResult(Probe("gw", "10.0.0.1"), False, "refused")])
    last = store.last_change_id()
    store.update_pool("gw", ACTOR, addresses=["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    [change] = store.list_changes(after_id=last)
    [zone] = change.zones
    added = {line[3] for line in zone.added if line[0] == "www.example.com"}
    removed = {line[3] for line in zone.removed if line[0] == "www.example.com"}
    assert added == {"10.0.0.2", "10.0.0.3"} and removed == {"10.0.0.2"}  # 10.0.0.1 stays out
