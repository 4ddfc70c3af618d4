"""Store: views, pool members per view, weighted targets, records limited to views (both backends)."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.health import make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import build_zone
from dnsd.domain.zones import make_zone
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore

ZONE = "steer.example"
OWNER = "ci:steer"


@pytest.fixture
def steer(store: ZoneStore) -> ZoneStore:
    store.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), "test")
    store.create_view("dc-a", ["10.1.0.0/16"], "test")
    store.create_pool(make_pool("legacy", ["10.20.0.1"], view_members={"dc-a": ["10.1.0.1"]}), "test")
    store.create_pool(make_pool("istio", ["10.20.0.2"], external_addresses=["203.0.113.2"]), "test")
    return store


def test_views_are_checked_against_each_other(steer: ZoneStore) -> None:
    with pytest.raises(InvalidInput) as exc:
        steer.create_view("dc-b", ["10.1.2.0/24"], "test")
    (reason,) = exc.value.reasons
    assert "10.1.2.0/24" in reason.message and "10.1.0.0/16" in reason.message and "dc-a" in reason.message
    with pytest.raises(Conflict):
        steer.create_view("dc-a", ["10.9.0.0/16"], "test")
    with pytest.raises(InvalidInput):
        steer.create_view("default", ["10.9.0.0/16"], "test")
    steer.create_view("dc-b", ["10.2.0.0/16"], "test")
    assert [v.name for v in steer.list_views()] == ["dc-a", "dc-b"]
    steer.update_view("dc-b", "test", networks=["10.2.0.0/16", "2001:db8:2::/48"])
    assert steer.get_view("dc-b").networks == ("10.2.0.0/16", "2001:db8:2::/48")
    actions = {c.action for c in steer.list_changes(limit=50)}
    assert {"view.create", "view.update"} <= actions


def test_a_view_in_use_cannot_be_deleted(steer: ZoneStore) -> None:
    with pytest.raises(Conflict, match="pool legacy"):
        steer.delete_view("dc-a", "test")
    steer.update_pool("legacy", "test", view_members={"dc-a": []})
    steer.delete_view("dc-a", "test")
    with pytest.raises(NotFound):
        steer.get_view("dc-a")


def test_pool_members_need_a_defined_view(steer: ZoneStore) -> None:
    with pytest.raises(InvalidInput) as exc:
        steer.create_pool(make_pool("p", ["10.0.0.1"], view_members={"dc-z": ["10.9.0.1"]}), "test")
    assert exc.value.reasons[0].field == "members.0"
    assert "dc-z" in exc.value.reasons[0].message


def test_pool_members_per_view_and_check_round_trip(steer: ZoneStore) -> None:
    pool = steer.get_pool("legacy")
    assert pool.addresses == ("10.20.0.1",) and pool.view_members == (("dc-a", ("10.1.0.1",)),)
    check = make_check({"kind": "http", "path": "/healthz", "fall": 2})
    steer.update_pool("legacy", "test", check=check)
    assert steer.get_pool("legacy").check == check
    assert steer.get_pool("istio").external_addresses == ("203.0.113.2",)


def test_weighted_record_round_trips_and_expands_per_view(steer: ZoneStore) -> None:
    rrset = make_rrset(f"www.{ZONE}", "A", 60, OWNER, targets={"legacy": 90, "istio": 10})
    result = steer.put_rrset(rrset, "test")
    assert result.created
    stored = steer.get_rrset(result.rrset.id or 0)
    assert stored.pool == "legacy" and [(t.pool, t.weight) for t in stored.targets] == [
        ("legacy", 90),
        ("istio", 10),
    ]
    # the same content again changes nothing
    assert not steer.put_rrset(rrset, "test").changed
    pools = {p.name: p for p in steer.list_pools()}
    zone = steer.get_zone(ZONE)
    default = build_zone(zone, [stored], pools)
    assert [r.to_text() for r in default.nodes[f"www.{ZONE}"]["A"].rdatas] == ["10.20.0.1", "10.20.0.2"]
    dc_a = build_zone(zone, [stored], pools, view="dc-a")
    assert [r.to_text() for r in dc_a.nodes[f"www.{ZONE}"]["A"].rdatas] == ["10.1.0.1", "10.20.0.2"]
    assert steer.pool_usage("istio") == 1
    with pytest.raises(Conflict, match="www"):
        steer.delete_pool("istio", "test")


def test_patch_keeps_targets_and_moves_to_one_pool(steer: ZoneStore) -> None:
    rrset = make_rrset(f"api.{ZONE}", "A", 60, OWNER, targets={"legacy": 50, "istio": 50}, mode="random")
    rid = steer.put_rrset(rrset, "test").rrset.id or 0
    patched = steer.patch_rrset(rid, "test", ttl=120)
    assert patched.rrset.ttl == 120 and patched.rrset.mode == "random" and len(patched.rrset.targets) == 2
    moved = steer.patch_rrset(rid, "test", pool="istio")
    assert moved.rrset.pool == "istio" and moved.rrset.targets == ()
    assert steer.get_rrset(rid).targets == ()


def test_unknown_target_pool_and_view_are_named(steer: ZoneStore) -> None:
    with pytest.raises(NotFound) as missing:
        steer.put_rrset(make_rrset(f"x.{ZONE}", "A", 60, OWNER, targets={"legacy": 1, "nope": 1}), "test")
    assert missing.value.field == "targets.1.pool"
    with pytest.raises(InvalidInput) as bad_view:
        steer.put_rrset(make_rrset(f"x.{ZONE}", "A", 60, OWNER, pool="legacy", views=["dc-q"]), "test")
    assert bad_view.value.reasons[0].field == "views.0"


def test_record_limited_to_views(steer: ZoneStore) -> None:
    rrset = make_rrset(f"intra.{ZONE}", "A", 60, OWNER, pool="legacy", views=["dc-a"])
    rid = steer.put_rrset(rrset, "test").rrset.id or 0
    stored = steer.get_rrset(rid)
    assert stored.views == ("dc-a",)
    zone, pools = steer.get_zone(ZONE), {p.name: p for p in steer.list_pools()}
    assert f"intra.{ZONE}" not in build_zone(zone, [stored], pools).nodes
    assert f"intra.{ZONE}" in build_zone(zone, [stored], pools, view="dc-a").nodes


def test_a_change_in_any_view_bumps_the_serial(steer: ZoneStore) -> None:
    steer.put_rrset(make_rrset(f"www.{ZONE}", "A", 60, OWNER, pool="legacy"), "test")
    before = steer.get_zone(ZONE).serial
    steer.update_pool("legacy", "test", view_members={"dc-a": ["10.1.0.9"]})
    assert steer.get_zone(ZONE).serial > before
    assert steer.get_pool("legacy").in_view("dc-a") == ("10.1.0.9",)


def test_a_view_bound_to_a_tsig_key_cannot_be_deleted(steer: ZoneStore) -> None:
    from dnsd.store.tsig import TransferOps

    steer.update_pool("legacy", "test", view_members={"dc-a": []})
    TransferOps(steer.engine).add_tsig_key("xfr-dc-a", "test", view="dc-a")
    with pytest.raises(Conflict, match="TSIG key xfr-dc-a"):
        steer.delete_view("dc-a", "test")
    TransferOps(steer.engine).set_tsig_key_view("xfr-dc-a", None, "test")
    steer.delete_view("dc-a", "test")


def test_pool_filter_matches_later_weighted_targets(steer: ZoneStore) -> None:
    steer.put_rrset(make_rrset(f"www.{ZONE}", "A", 60, OWNER, targets={"legacy": 90, "istio": 10}), "test")
    steer.put_rrset(make_rrset(f"old.{ZONE}", "A", 60, OWNER, pool="legacy"), "test")
    steer.put_rrset(make_rrset(f"new.{ZONE}", "A", 60, OWNER, pool="istio"), "test")

    def names(pool: str) -> tuple[list[str], int]:
        rrsets, total = steer.list_rrsets(RecordFilter(pool=pool), limit=10)
        return [r.name for r in rrsets], total

    assert names("istio") == ([f"new.{ZONE}", f"www.{ZONE}"], 2)  # www: a later target
    assert names("legacy") == ([f"old.{ZONE}", f"www.{ZONE}"], 2)  # www: the first target
    assert names("ISTIO ") == names("istio")
    assert names("nowhere") == ([], 0)
