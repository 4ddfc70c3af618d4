"""Seed files with views, pool members per view, health checks and weighted/view-limited
records: applied on both backends, idempotent, and every problem named with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.services.seed import seed_file
from dnsd.store.dump import DumpOps
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.ops.conftest import ACTOR, open_store

SEED = """
owner: ci:seed
views:
  - {name: dc-a, networks: [10.1.0.0/16, 10.11.0.0/16], description: data center A}
  - {name: dc-b, networks: [10.2.0.0/16]}
pools:
  - name: gw
    addresses: ["10.20.0.10"]
    external_addresses: ["203.0.113.10"]
    members: {dc-a: ["10.1.0.10"], dc-b: "10.2.0.10"}
    check: {kind: http, port: 8080, path: /healthz, fall: 2}
  - {name: legacy, addresses: ["10.10.0.10"]}
zones:
  - {name: hello-web.com, ns: [ns1.hello-web.com]}
records:
  - {name: www.hello-web.com, type: A, pool: gw}
  - {name: shop.hello-web.com, type: A, targets: {gw: 10, legacy: 90}, mode: random}
  - {name: intra.hello-web.com, type: A, pool: gw, views: [dc-a, dc-b]}
"""


def write(tmp_path: Path, text: str, name: str = "seed.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_seed_with_views_applies_once(store: ZoneStore, tmp_path: Path, sqlite_url: str) -> None:
    path = write(tmp_path, SEED)
    outcome = seed_file(store, path, ACTOR)
    assert [v.name for v in outcome.plan.views] == ["dc-a", "dc-b"]
    assert [(v.name, v.networks) for v in store.list_views()] == [
        ("dc-a", ("10.1.0.0/16", "10.11.0.0/16")), ("dc-b", ("10.2.0.0/16",)),
    ]  # fmt: skip
    assert store.view_descriptions()["dc-a"] == "data center A"
    gw = store.get_pool("gw")
    assert gw.view_members == (("dc-a", ("10.1.0.10",)), ("dc-b", ("10.2.0.10",)))
    assert gw.check is not None and (gw.check.kind, gw.check.port, gw.check.fall) == ("http", 8080, 2)
    records = {r.name: r for r in store.list_rrsets(RecordFilter())[0]}
    shop, intra = records["shop.hello-web.com"], records["intra.hello-web.com"]
    assert [(t.pool, t.weight) for t in shop.targets] == [
        ("gw", 10),
        ("legacy", 90),
    ] and shop.mode == "random"
    assert intra.views == ("dc-a", "dc-b") and intra.targets == ()

    last = store.last_change_id()
    again = seed_file(store, path, ACTOR)
    assert again.plan.changes_nothing and again.plan.kept["views"] == 2 and again.plan.kept["records"] == 3
    assert store.last_change_id() == last
    # the same data through dump/restore into the other backend's sibling gives the same document
    other = open_store(sqlite_url)
    DumpOps(other.engine).restore_document(DumpOps(store.engine).dump_document(), ACTOR)
    mine, theirs = DumpOps(store.engine).dump_document(), DumpOps(other.engine).dump_document()
    other.engine.dispose()
    assert {k: v for k, v in mine.items() if k != "created_at"} == {
        k: v for k, v in theirs.items() if k != "created_at"
    }


def test_stored_view_kept_and_new_view_checked_against_it(store: ZoneStore, tmp_path: Path) -> None:
    store.create_view("dc-a", ["10.1.0.0/16"], ACTOR)
    text = SEED.replace("10.2.0.0/16", "10.1.128.0/17")
    with pytest.raises(InvalidInput) as caught:
        seed_file(store, write(tmp_path, text), ACTOR)
    [reason] = caught.value.reasons
    assert reason.field == "views[1].networks" and "10.1.128.0/17" in reason.message
    assert [v.name for v in store.list_views()] == ["dc-a"] and store.list_pools() == []
    outcome = seed_file(store, write(tmp_path, SEED, "ok.yaml"), ACTOR)
    assert [v.name for v in outcome.plan.views] == ["dc-b"]
    assert any("view dc-a exists with other settings" in n for n in outcome.plan.notes)
    assert store.get_view("dc-a").networks == ("10.1.0.0/16",)  # kept as stored


def test_bad_seed_names_every_view_problem(store: ZoneStore, tmp_path: Path) -> None:
    text = """
views:
  - {name: dc-a, networks: [10.1.0.0/16]}
  - {name: public, networks: [10.9.0.0/16]}
  - {name: lab, networks: [nonsense]}
pools:
  - {name: gw, addresses: ["10.20.0.10"], members: {dc-z: ["10.9.9.9"], dc-a: "bad"}, check: {kind: udp}}
zones:
  - {name: hello-web.com, ns: [ns1.hello-web.com]}
records:
  - {name: a.hello-web.com, type: A, owner: "ci:x", targets: {gw: 1, nopool: 2}, mode: roundrobin}
  - {name: b.hello-web.com, type: A, owner: "ci:x", values: ["192.0.2.1"], views: [dc-a, dc-q]}
"""
    with pytest.raises(InvalidInput) as caught:
        seed_file(store, write(tmp_path, text), ACTOR)
    fields = [r.field for r in caught.value.reasons]
    assert fields == [
        "views[1].name", "views[2].networks.0", "pools[0].members.dc-a.0", "pools[0].check.kind",
        "pools[0].members.dc-z", "records[0].mode", "records[0].targets.nopool", "records[1].views.1",
    ], fields  # fmt: skip
    assert store.last_change_id() == 0
