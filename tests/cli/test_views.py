"""view / pool --member --check / record --target --mode --view through the command, both backends."""

from __future__ import annotations

import json

from dnsd.domain.health import check_dict
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import Dnsd

NS = ["--ns", "ns1.hello-web.com", "--ns", "ns2.hello-web.com"]


def test_view_lifecycle(dnsd: Dnsd, store: ZoneStore) -> None:
    view = dnsd.json("view", "add", "DC-A", "--network", "10.1.0.0/16", "--network", "10.11.0.0/16",
                     "--description", "data center A")  # fmt: skip
    assert view == {
        "name": "dc-a",
        "networks": ["10.1.0.0/16", "10.11.0.0/16"],
        "description": "data center A",
    }
    assert dnsd.json("view", "add", "office", "--network", "192.0.2.7/24")["networks"] == ["192.0.2.0/24"]
    table = dnsd("view", "list").out.splitlines()
    assert table[0].split() == ["NAME", "NETWORKS", "DESCRIPTION"]
    assert table[1].split() == ["dc-a", "10.1.0.0/16", "data", "center", "A"]
    assert table[2].split() == ["10.11.0.0/16"] and table[3].split()[:2] == ["office", "192.0.2.0/24"]

    changed = dnsd.json("view", "set", "office", "--network", "192.0.2.0/25", "--network", "2001:db8::/48")
    assert changed["networks"] == ["192.0.2.0/25", "2001:db8::/48"]
    assert [v.networks for v in store.list_views()][1] == ("192.0.2.0/25", "2001:db8::/48")

    overlap = dnsd("view", "add", "lab", "--network", "10.1.7.0/24", expect=2)
    assert "10.1.7.0/24" in overlap.err and "10.1.0.0/16" in overlap.err and "dc-a" in overlap.err
    assert "networks" in dnsd("view", "add", "lab", expect=2).err
    assert dnsd("view", "set", "office", expect=2).err
    assert "lab" in dnsd("view", "rm", "lab", expect=1).err
    dnsd("view", "rm", "office")
    assert [v.name for v in store.list_views()] == ["dc-a"]
    actions = [c.action for c in store.list_changes()]
    assert actions == ["view.create", "view.create", "view.update", "view.delete"]


def test_pool_members_and_checks(dnsd: Dnsd, store: ZoneStore) -> None:
    dnsd("view", "add", "dc-a", "--network", "10.1.0.0/16")
    dnsd("view", "add", "dc-b", "--network", "10.2.0.0/16")
    pool = dnsd.json("pool", "add", "gw", "--address", "10.20.0.10", "--member", "dc-a=10.1.0.10",
                     "--member", "dc-b=10.2.0.10", "--member", "dc-b=10.2.0.11",
                     "--check", "http:8080/healthz", "--check-fall", "2")  # fmt: skip
    assert pool["members"] == {"dc-a": ["10.1.0.10"], "dc-b": ["10.2.0.10", "10.2.0.11"]}
    assert pool["check"]["kind"] == "http" and pool["check"]["port"] == 8080
    assert (pool["check"]["path"], pool["check"]["fall"]) == ("/healthz", 2)
    stored = store.get_pool("gw")
    assert stored.check is not None and check_dict(stored.check) == pool["check"]
    shown = dnsd("pool", "show", "gw").out
    assert "view dc-b:" in shown and "10.2.0.11" in shown and "path=/healthz" in shown

    # tuning alone keeps the rest of the check; --member VIEW= drops a view
    tuned = dnsd.json("pool", "set", "gw", "--check-interval", "5", "--member", "dc-b=")
    assert tuned["check"]["interval"] == 5.0 and tuned["check"]["path"] == "/healthz"
    assert tuned["members"] == {"dc-a": ["10.1.0.10"]}
    replaced = dnsd.json("pool", "set", "gw", "--check-json", '{"kind": "tcp", "port": 443}')
    assert replaced["check"]["kind"] == "tcp" and replaced["check"]["port"] == 443
    assert dnsd.json("pool", "set", "gw", "--no-check")["check"] is None
    assert store.get_pool("gw").check is None

    bad = dnsd("pool", "add", "p2", "--address", "10.3.0.1", "--member", "dc-z=10.9.0.1",
               "--check", "udp:53", expect=2)  # fmt: skip
    assert "check.kind" in bad.err
    bad = dnsd("pool", "add", "p2", "--address", "10.3.0.1", "--member", "dc-z=10.9.0.1", expect=2)
    assert "dc-z" in bad.err and "not defined" in bad.err
    assert "VIEW=IP" in dnsd("pool", "add", "p2", "--address", "10.3.0.1", "--member", "dc-a", expect=2).err
    assert "--check-json" in dnsd("pool", "set", "gw", "--check", "tcp", "--check-json", "{}", expect=2).err
    assert "no health check" in dnsd("pool", "set", "gw", "--check-fall", "4", expect=2).err
    assert "tcp:80" in dnsd("pool", "set", "gw", "--check", "tcp:eighty", expect=2).err
    assert [p.name for p in store.list_pools()] == ["gw"]


def test_weighted_and_view_limited_records(dnsd: Dnsd, store: ZoneStore) -> None:
    dnsd("zone", "add", "hello-web.com", *NS)
    dnsd("view", "add", "office", "--network", "192.0.2.0/24")
    dnsd("pool", "add", "istio", "--address", "10.20.0.10")
    dnsd("pool", "add", "legacy", "--address", "10.10.0.10")
    rec = dnsd.json("record", "add", "shop.hello-web.com", "A", "--target", "istio=10",
                    "--target", "legacy=90",
                    "--mode", "random", "--view", "office", "--owner", "ci:test")  # fmt: skip
    assert rec["targets"] == {"istio": 10, "legacy": 90} and rec["mode"] == "random"
    assert rec["views"] == ["office"] and rec["pool"] == "istio"
    stored = store.get_rrset(rec["id"])
    assert [(t.pool, t.weight) for t in stored.targets] == [("istio", 10), ("legacy", 90)]
    table = dnsd("record", "list").out
    assert "pool:istio=10" in table and "mode:random" in table and "views:office" in table

    moved = dnsd.json("record", "set", str(rec["id"]), "--target", "istio=50", "--target", "legacy=50")
    assert moved["targets"] == {"istio": 50, "legacy": 50} and moved["views"] == ["office"]
    assert moved["mode"] == "random" and moved["changed"]
    opened = dnsd.json("record", "set", str(rec["id"]), "--all-views", "--mode", "hashed")
    assert opened["views"] == [] and opened["mode"] == "hashed"
    done = dnsd.json("record", "set", str(rec["id"]), "--pool", "istio", "--ttl", "60")
    assert (done["targets"], done["pool"], done["ttl"]) == ({}, "istio", 60)
    assert store.get_rrset(rec["id"]).targets == ()

    bad = dnsd(
        "record", "add", "x.hello-web.com", "A", "--target", "istio=heavy", "--owner", "ci:t", expect=2
    )
    assert "POOL=WEIGHT" in bad.err
    bad = dnsd("record", "add", "x.hello-web.com", "A", "--value", "192.0.2.1", "--view", "dc-z",
               "--owner", "ci:t", expect=2)  # fmt: skip
    assert "views.0" in bad.err and "dc-z" in bad.err
    assert "give --ttl" in dnsd("record", "set", str(rec["id"]), expect=2).err
    assert json.loads(dnsd("--json", "record", "list").out)["total"] == 1
