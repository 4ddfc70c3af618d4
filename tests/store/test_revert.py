"""Store: reverting changes of weighted records, records limited to views, and pools with
members per view and a health check (both backends)."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import Conflict
from dnsd.domain.health import make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.zones import make_zone
from dnsd.store.revert import RevertRefused
from dnsd.store.zonestore import ZoneStore

ZONE = "steer.example"
OWNER = "ci:steer"


@pytest.fixture
def steer(store: ZoneStore) -> ZoneStore:
    store.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), "test")
    store.create_view("dc-a", ["10.1.0.0/16"], "test")
    store.create_pool(make_pool("legacy", ["10.20.0.1"], view_members={"dc-a": ["10.1.0.1"]}), "test")
    store.create_pool(make_pool("istio", ["10.20.0.2"]), "test")
    return store


def test_a_weighted_record_limited_to_views_comes_back(steer: ZoneStore) -> None:
    weighted = make_rrset(f"www.{ZONE}", "A", 60, OWNER, targets={"legacy": 90, "istio": 10}, views=["dc-a"])
    record_id = steer.put_rrset(weighted, "test").rrset.id or 0
    steer.put_rrset(make_rrset(f"www.{ZONE}", "A", 60, OWNER, pool="istio"), "test")
    plain = steer.get_rrset(record_id)
    assert plain.targets == () and plain.views == ()
    change = steer.revert_change(steer.last_change_id(), "test")
    assert change.action == "change.revert"
    back = steer.get_rrset(record_id)
    assert [(t.pool, t.weight) for t in back.targets] == [("legacy", 90), ("istio", 10)]
    assert back.views == ("dc-a",) and back.owner == OWNER


def test_a_pool_with_view_members_and_a_check_comes_back(steer: ZoneStore) -> None:
    check = make_check({"kind": "http", "path": "/healthz"})
    steer.update_pool("legacy", "test", check=check)
    steer.update_pool(
        "legacy", "test", addresses=["10.20.0.9"], view_members={"dc-a": ["10.1.0.9"]}, check=None
    )
    moved = steer.last_change_id()
    steer.revert_change(moved, "test")
    pool = steer.get_pool("legacy")
    assert pool.addresses == ("10.20.0.1",) and pool.view_members == (("dc-a", ("10.1.0.1",)),)
    assert pool.check == check
    with pytest.raises(RevertRefused, match=f"{moved + 1} \\(change.revert"):
        steer.revert_change(moved, "test")
    with pytest.raises(Conflict, match="nothing to revert"):
        steer.revert_change(moved, "test", force=True)


def test_a_pool_change_can_be_planned_after_a_shift_started(steer: ZoneStore) -> None:
    steer.put_rrset(make_rrset(f"www.{ZONE}", "A", 60, OWNER, pool="legacy"), "test")
    steer.update_pool("legacy", "test", addresses=["10.20.0.9"])
    moved = steer.last_change_id()
    steer.create_shift("istio", (10, 100), 3600, "test", names=[f"www.{ZONE}"])
    assert steer.list_changes(limit=1, newest_first=True)[0].action == "shift.start"
    plan = steer.revert_plan(moved)  # the shift's change lists its records as "name/type" texts
    assert plan.change.id == moved and [c.action for c in plan.later] == []
    steer.revert_change(moved, "test")
    assert steer.get_pool("legacy").addresses == ("10.20.0.1",)
