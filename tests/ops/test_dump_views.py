"""Dump format version 2: views, pool members per view, health checks and weighted/view-limited
records survive a round trip across backends; version 1 documents still restore."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.health import make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import build_zone
from dnsd.store.dump import DumpOps
from dnsd.store.zonestore import ZoneStore
from tests.ops.conftest import ACTOR, open_store
from tests.ops.test_dump import GW, LEGACY, dump_of, fill_everything, without_time

VIEWS = ("default", "public", "dc-a", "dc-b", "office")


def fill_views(store: ZoneStore) -> None:
    """fill_everything plus the two-data-center setup of docs/views.md."""
    fill_everything(store)
    store.create_view("dc-a", ["10.1.0.0/16", "10.11.0.0/16"], ACTOR, "data center A")
    store.create_view("dc-b", ["10.2.0.0/16"], ACTOR)
    store.create_view("office", ["192.0.2.0/24", "2001:db8:1::/48"], ACTOR)
    check = make_check({"kind": "http", "port": 8080, "path": "/healthz", "fall": 2, "expect": "200-299,404"})
    store.update_pool(GW, ACTOR, view_members={"dc-a": ["10.1.0.10"], "dc-b": ["10.2.0.10", "fd00:2::10"]},
                      check=check)  # fmt: skip
    store.update_pool(LEGACY, ACTOR, view_members={"office": ["10.10.9.9"]})
    for rrset in (
        make_rrset("shop.hello-web.com", "A", 60, "ci:shop", targets={GW: 10, LEGACY: 90}, mode="random"),
        make_rrset("intra.hello-web.com", "A", 60, "ci:intra", pool=GW, views=["dc-a", "office"]),
        make_rrset("ext.hello-web.com", "A", 60, "ci:ext", targets={LEGACY: 0, GW: 5}, views=["public"]),
    ):
        store.put_rrset(rrset, ACTOR)


def every_view(store: ZoneStore) -> dict[str, Any]:
    """Each zone as each view sees it (what AXFR, export and DNSPod use)."""
    state = store.load_state()
    return {
        f"{view}/{name}": list(build_zone(zone, rrsets, state.pools, view=view).iter_rrsets())
        for view in VIEWS
        for name, (zone, rrsets) in sorted(state.zones.items())
    }


@pytest.mark.postgres
def test_views_round_trip_sqlite_postgres_sqlite(
    new_sqlite_url: Callable[[], str], postgres_url: str, request: pytest.FixtureRequest
) -> None:
    first, second, third = (
        open_store(new_sqlite_url()),
        open_store(postgres_url),
        open_store(new_sqlite_url()),
    )
    request.addfinalizer(lambda: [s.engine.dispose() for s in (first, second, third)])
    fill_views(first)
    original = dump_of(first)
    assert original["version"] == 2
    assert original["views"][0] == {"name": "dc-a", "networks": ["10.1.0.0/16", "10.11.0.0/16"],
                                    "description": "data center A"}  # fmt: skip
    gw = next(p for p in original["pools"] if p["name"] == GW)
    assert gw["members"] == {"dc-a": ["10.1.0.10"], "dc-b": ["10.2.0.10", "fd00:2::10"]}
    assert gw["check"]["expect"] == "200-299,404" and gw["check"]["fall"] == 2
    shop = next(r for r in original["records"] if r["name"] == "shop.hello-web.com")
    assert (shop["targets"], shop["mode"], "pool" in shop) == ({GW: 10, LEGACY: 90}, "random", False)
    ext = next(r for r in original["records"] if r["name"] == "ext.hello-web.com")
    assert list(ext["targets"]) == [LEGACY, GW] and ext["views"] == ["public"]  # order kept

    result = DumpOps(second.engine).restore_document(original, ACTOR)
    assert (result.records, result.pools) == (18, 2)
    on_postgres = dump_of(second)
    DumpOps(third.engine).restore_document(on_postgres, ACTOR)
    assert without_time(original) == without_time(on_postgres) == without_time(dump_of(third))
    assert every_view(first) == every_view(second) == every_view(third)
    assert second.view_descriptions() == {"dc-a": "data center A", "dc-b": "", "office": ""}
    assert second.get_pool(GW) == first.get_pool(GW)


def test_version_1_document_restores_meaning_the_same(store: ZoneStore, sqlite_url: str) -> None:
    source = open_store(sqlite_url)
    fill_everything(source)
    v2 = dump_of(source)
    source.engine.dispose()
    v1 = {k: v for k, v in copy.deepcopy(v2).items() if k != "views"} | {"version": 1}
    DumpOps(store.engine).restore_document(v1, ACTOR)
    assert without_time(dump_of(store)) == without_time(v2)
    gw = store.get_pool(GW)
    assert gw.in_view("public") == ("203.0.113.10",) and gw.in_view("dc-a") == ("10.0.0.10", "fd00::10")
    # members of a view the document does not declare (version 1 declares none) are refused
    v1["pools"][0]["members"] = {"dc-a": ["10.1.0.10"]}
    with pytest.raises(InvalidInput) as caught:
        DumpOps(store.engine).restore_document(v1, ACTOR, force=True)
    assert [r.field for r in caught.value.reasons] == ["pools[0].members.dc-a"]


def test_force_restore_replaces_views(store: ZoneStore, sqlite_url: str) -> None:
    source = open_store(sqlite_url)
    fill_everything(source)
    doc = dump_of(source)
    source.engine.dispose()
    store.create_view("lab", ["198.51.100.0/24"], ACTOR)
    store.create_pool(make_pool("labpool", ["10.9.0.1"], view_members={"lab": ["198.51.100.1"]}), ACTOR)
    DumpOps(store.engine).restore_document(doc, ACTOR, force=True)
    assert store.list_views() == [] and [p.name for p in store.list_pools()] == [GW, LEGACY]


def test_bad_views_in_a_dump_are_named(store: ZoneStore, sqlite_url: str) -> None:
    source = open_store(sqlite_url)
    fill_views(source)
    good = dump_of(source)
    source.engine.dispose()
    bad = copy.deepcopy(good)
    bad["views"][1]["networks"] = ["10.1.2.0/24"]  # dc-b inside dc-a's 10.1.0.0/16
    bad["views"][2]["networks"] = ["not-a-net"]
    pools = {p["name"]: i for i, p in enumerate(bad["pools"])}
    bad["pools"][pools[GW]]["members"]["dc-z"] = ["10.9.9.9"]
    bad["pools"][pools[LEGACY]]["check"] = {"kind": "udp"}
    at = {r["name"]: i for i, r in enumerate(bad["records"])}
    bad["records"][at["intra.hello-web.com"]]["views"] = ["dc-a", "nowhere"]
    bad["records"][at["shop.hello-web.com"]]["targets"] = {GW: 10, "gone": 5}
    bad["records"][at["ext.hello-web.com"]]["mode"] = "roundrobin"
    with pytest.raises(InvalidInput) as caught:
        DumpOps(store.engine).restore_document(bad, ACTOR)
    fields = sorted(r.field for r in caught.value.reasons)
    intra, shop, ext = (at[f"{n}.hello-web.com"] for n in ("intra", "shop", "ext"))
    assert fields == sorted([
        "views[2].networks.0", f"pools[{pools[LEGACY]}].check.kind", f"records[{ext}].mode",
        "views[1].networks", f"pools[{pools[GW]}].members.dc-z",
        f"records[{intra}].views.1", f"records[{shop}].targets.1.pool",
    ])  # fmt: skip
    overlap = next(r for r in caught.value.reasons if r.field == "views[1].networks")
    assert "10.1.2.0/24" in overlap.message and "10.1.0.0/16" in overlap.message
    assert store.last_change_id() == 0 and store.list_views() == []
