"""``dnsd demo`` and ``dnsd seed``: idempotent, validated in full before anything is written."""

from __future__ import annotations

from pathlib import Path

from dnsd.domain.records import RRset, make_rrset
from dnsd.store.records import RecordFilter
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import REPO, Dnsd

DEMO = REPO / "zones" / "demo.yaml"


def _rrset(store: ZoneStore, name: str, rtype: str) -> RRset:
    [rrset], _ = store.list_rrsets(RecordFilter(name=name, type=rtype))
    return rrset


def test_demo_then_seed_again_changes_nothing(dnsd: Dnsd, store: ZoneStore) -> None:
    first = dnsd.json("demo")
    assert first["changed"] and sorted(first["created"]["zones"]) == [
        "hello-web.com",
        "legacy-web.com",
        "wudebao-web.com",
    ]
    assert sorted(first["created"]["pools"]) == ["istio-ingressgateway", "legacy-ingress"]
    assert first["try"] == "dig @localhost www.hello-web.com"  # port 53 of 127.0.0.1 and ::1
    cursor = store.last_change_id()

    again = dnsd("seed", "zones/demo.yaml")
    assert "nothing to change (2 pools, 3 zones, 25 records already as in the file)" in again.out
    assert store.last_change_id() == cursor
    assert {z.name: z.serial for z in store.list_zones()} == first["serials"]

    www = _rrset(store, "www.hello-web.com", "A")
    assert (www.pool, www.ttl, www.owner) == ("istio-ingressgateway", 60, "k8s:default/service/hello-web")
    assert _rrset(store, "www.wudebao-web.com", "AAAA").pool == "istio-ingressgateway"
    assert _rrset(store, "www.legacy-web.com", "A").pool == "legacy-ingress"
    assert _rrset(store, "*.apps.hello-web.com", "A").pool == "istio-ingressgateway"
    assert _rrset(store, "ns2.wudebao-web.com", "A").value_texts() == ["10.0.53.2"]
    assert _rrset(store, "_sip._tcp.hello-web.com", "SRV").value_texts() == ["10 60 5060 sip.hello-web.com."]
    assert store.get_pool("istio-ingressgateway").addresses == ("10.20.0.10", "fd00:20::10")
    assert store.get_zone("hello-web.com").ns == ("ns1.hello-web.com", "ns2.hello-web.com")

    listing = dnsd("zone", "list").out.splitlines()
    rows = [line.split() for line in listing if not line.startswith(" ")]
    assert rows[0] == ["NAME", "SERIAL", "NS", "TTL", "RECORDS"]
    assert [(r[0], int(r[1]), r[4]) for r in rows[1:]] == [
        ("hello-web.com", first["serials"]["hello-web.com"], "13"),
        ("legacy-web.com", first["serials"]["legacy-web.com"], "3"),
        ("wudebao-web.com", first["serials"]["wudebao-web.com"], "9"),
    ]
    assert listing[2].split() == ["ns2.hello-web.com"]  # the second NS, stacked in its column


def test_seed_replaces_changed_records_only(dnsd: Dnsd, store: ZoneStore, tmp_path: Path) -> None:
    dnsd("demo")
    before = {z.name: z.serial for z in store.list_zones()}
    edited = tmp_path / "demo.yaml"
    edited.write_text(
        DEMO.read_text().replace('values: ["10.20.0.25"]', 'values: ["10.20.0.26"]')
        + "  - {name: blog.legacy-web.com, type: CNAME, values: [www.legacy-web.com.]}\n"
    )
    dry = dnsd.json("seed", "--dry-run", str(edited))
    assert [(r["name"], r["create"]) for r in dry["records"]] == [
        ("mail.hello-web.com", False),
        ("blog.legacy-web.com", True),
    ]
    assert {z.name: z.serial for z in store.list_zones()} == before  # a dry run writes nothing

    applied = dnsd("seed", str(edited)).out
    assert "~ record mail.hello-web.com/A" in applied and "+ record blog.legacy-web.com/CNAME" in applied
    after = {z.name: z.serial for z in store.list_zones()}
    assert after["wudebao-web.com"] == before["wudebao-web.com"]
    assert after["hello-web.com"] == before["hello-web.com"] + 1
    assert after["legacy-web.com"] == before["legacy-web.com"] + 1
    assert _rrset(store, "mail.hello-web.com", "A").value_texts() == ["10.20.0.26"]


BAD_SEED = """
owner: ci:bad
colour: blue
pools:
  - {name: Bad_Pool, addresses: ["10.0.0.300", 5]}
  - {name: edge, addresses: ["10.9.9.9"]}
zones:
  - {name: new-zone.com, ns: [], ttl: "300"}
  - {name: ok-zone.com, ns: [ns1.ok-zone.com], vibe: 1}
records:
  - {name: www.ok-zone.com, type: A, pool: edge}
  - {name: www.ok-zone.com, type: CNAME, values: [x.ok-zone.com.]}
  - {name: www.nowhere.org, type: A, values: ["192.0.2.1"]}
  - {name: a.ok-zone.com, type: A, ttl: 99999999, pool: nopool}
  - {name: taken.held.com, type: A, values: ["192.0.2.1"]}
  - {name: b.ok-zone.com, type: MX, values: ["ten mail"]}
  - not-a-mapping
  - {type: A}
  - {name: x.new-zone.com, type: A, values: ["192.0.2.1"]}
  - {name: c.ok-zone.com, type: TXT, values: ['"a"'], owner: nobody}
"""

EXPECTED = [
    "colour",
    "pools[0].addresses.1", "pools[0].name", "pools[0].addresses.0", "pools[0].addresses",
    "zones[0].ttl", "zones[0].ns", "zones[1].vibe",
    "records[0].type", "records[1].type", "records[2].name", "records[3].ttl", "records[3].pool",
    "records[4].owner", "records[5].values.0", "records[6]", "records[7].name", "records[7].values",
    "records[9].owner",
]  # fmt: skip


def test_bad_seed_reports_all_problems_writes_nothing(dnsd: Dnsd, store: ZoneStore, tmp_path: Path) -> None:
    store.create_zone(make_zone("held.com", ["ns1.held.com"]), "test:setup")
    store.put_rrset(make_rrset("taken.held.com", "A", 300, "ci:holder", ["192.0.2.9"]), "test:setup")
    cursor = store.last_change_id()
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_SEED)

    reasons = dnsd.json("seed", str(bad), expect=2)["reasons"]
    assert [r["field"] for r in reasons] == EXPECTED
    by_field = {r["field"]: r["message"] for r in reasons}
    assert "held by ci:holder" in by_field["records[4].owner"]
    assert "unknown pool 'nopool'" in by_field["records[3].pool"]
    assert by_field["records[7].name"] == "required"
    # records[8] sits in new-zone.com, whose own problems are reported at zones[0] instead

    text = dnsd("seed", str(bad), expect=2).err
    assert text.startswith(f"error: invalid input ({len(EXPECTED)} problems):")
    assert "\n  records[3].ttl: must be between 0 and 604800" in text
    assert store.last_change_id() == cursor
    assert [z.name for z in store.list_zones()] == ["held.com"] and store.list_pools() == []


def test_demo_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    """README command (a) starts from nothing: demo creates the schema, then the data."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    out = Dnsd(url)("demo").out
    assert "+ zone hello-web.com" in out and "'dnsd serve' (or 'dnsd demo --serve') serves it" in out
    assert "5353" not in out and "try" not in out.lower()  # one "try" block, from --serve, once ready
    assert Dnsd(url).json("migrate", "--revision", "nope", expect=2)["reasons"][0]["field"] == "revision"
