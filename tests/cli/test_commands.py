"""zone / pool / record / token / changes through the command (in-process: tests/helpers.py)."""

from __future__ import annotations

import getpass

from dnsd.store.records import RecordFilter
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import Dnsd

ACTOR = f"cli:{getpass.getuser()}"
NS = ["--ns", "ns1.hello-web.com", "--ns", "ns2.hello-web.com"]
WWW = ["www.hello-web.com", "A", "--pool", "edge", "--ttl", "60", "--owner", "ci:test"]
MX = ["hello-web.com", "mx", "--value", "20 mx2.hello-web.com.", "--value", "10 mx1.hello-web.com"]


def test_zone_pool_record_lifecycle(dnsd: Dnsd, store: ZoneStore) -> None:
    zone = dnsd.json("zone", "add", "Hello-Web.com.", *NS, "--ttl", "600", "--rname", "ops@hello-web.com")
    assert (zone["name"], zone["ttl"], zone["mname"]) == ("hello-web.com", 600, "ns1.hello-web.com")
    assert (zone["ns"], zone["rname"]) == (["ns1.hello-web.com", "ns2.hello-web.com"], "ops.hello-web.com")
    pool = dnsd.json("pool", "add", "edge", "--address", "10.1.0.1", "--address", "fd00::1")
    assert pool["addresses"] == ["10.1.0.1", "fd00::1"]

    first, again = dnsd.json("record", "add", *WWW), dnsd.json("record", "add", *WWW)
    assert (first["changed"], first["pool"], first["zone"]) == (True, "edge", "hello-web.com")
    assert (first["owner"], first["ttl"], first["values"]) == ("ci:test", 60, [])
    assert (again["changed"], again["serial"], again["id"]) == (False, first["serial"], first["id"])
    mx = dnsd.json("record", "add", *MX, "--owner", "ci:test")
    assert (mx["type"], mx["ttl"]) == ("MX", 300) and mx["serial"] > first["serial"]
    assert mx["values"] == ["10 mx1.hello-web.com.", "20 mx2.hello-web.com."]
    shown = dnsd.json("zone", "show", "hello-web.com")
    assert shown["serial"] == mx["serial"] == store.get_zone("hello-web.com").serial
    assert [(r["name"], r["type"], r["id"]) for r in shown["records"]] == [
        ("hello-web.com", "MX", mx["id"]),
        ("www.hello-web.com", "A", first["id"]),
    ]

    held = dnsd("record", "add", "www.hello-web.com", "AAAA", "--pool", "edge", "--owner", "ci:x", expect=1)
    assert "held by ci:test" in held.err

    listed = dnsd.json("record", "list", "--zone", "hello-web.com", "--limit", "1", "--offset", "1")
    assert (listed["total"], listed["limit"], listed["offset"]) == (2, 1, 1)
    assert [(r["name"], r["type"]) for r in listed["items"]] == [("www.hello-web.com", "A")]

    table = dnsd("record", "list").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "TYPE", "TTL", "DATA", "OWNER"]
    assert table[0].index("TYPE") == table[1].index("MX") == table[3].index("A ")  # aligned columns
    assert [line.split()[-1] for line in (table[1], table[3])] == ["ci:test", "ci:test"]
    assert table[2].split() == ["20", "mx2.hello-web.com."]  # second value stacked under the first

    moved = dnsd.json("pool", "set", "edge", "--address", "10.1.0.2")
    assert moved["changed"] and moved["addresses"] == ["10.1.0.2"]
    [bump] = moved["zones"]
    assert (bump["zone"], bump["prev_serial"]) == ("hello-web.com", mx["serial"])
    assert bump["serial"] > mx["serial"] and store.get_zone("hello-web.com").serial == bump["serial"]

    changes = dnsd.json("changes", "--zone", "hello-web.com", "--limit", "2")
    assert [c["action"] for c in changes] == ["record.create", "pool.update"]
    assert {c["actor"] for c in changes} == {ACTOR}
    assert changes[1]["zones"][0]["added"] == [["www.hello-web.com", "A", 60, "10.1.0.2"]]

    assert "still used" in dnsd("pool", "rm", "edge", expect=1).err
    assert "holds 2 records" in dnsd("zone", "rm", "hello-web.com", expect=1).err
    gone = dnsd.json("record", "rm", "--name", "www.hello-web.com", "--type", "a")["deleted"]
    assert [(r["name"], r["type"], r["pool"]) for r in gone] == [("www.hello-web.com", "A", "edge")]
    by_id = dnsd("record", "rm", str(mx["id"]), "--owner", "ci:test")
    assert by_id.out.startswith("deleted hello-web.com/MX")
    dnsd("pool", "rm", "edge")
    dnsd("zone", "rm", "hello-web.com")
    assert store.list_zones() == [] and store.list_pools() == []
    assert store.list_rrsets(RecordFilter()) == ([], 0)


def test_invalid_input_lists_every_reason_and_writes_nothing(dnsd: Dnsd, store: ZoneStore) -> None:
    record = ["a..b.example.com", "MXX", "--ttl", "-5", "--owner", "nobody", "--value", "x", "--pool", "p"]
    bad = dnsd("record", "add", *record, expect=2)
    assert bad.err.startswith("error: invalid input (6 problems):")
    for field in ("name", "type", "ttl", "owner", "pool"):
        assert f"\n  {field}: " in bad.err, field
    zone = ["bad-.com", "--ns", "ns1..x.com", "--ns", "ns1..x.com", "--retry", "-1"]
    reasons = dnsd.json("zone", "add", *zone, expect=2)["reasons"]
    assert {r["field"] for r in reasons} == {"name", "ns.0", "ns.1", "ns", "retry"}
    addresses = ["--address", "10.0.0.999", "--address", "::1", "--address", "::1"]
    pool = dnsd.json("pool", "add", "Bad Name", *addresses, expect=2)
    assert {r["field"] for r in pool["reasons"]} == {"name", "addresses.0", "addresses.2"}
    assert "give either a record ID or --name" in dnsd("record", "rm", expect=2).err
    assert store.list_zones() == [] and store.list_pools() == [] and store.last_change_id() == 0


def test_tokens_create_list_revoke(dnsd: Dnsd, store: ZoneStore) -> None:
    store.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), "test")
    created = dnsd.json("token", "create", "ci-hello", "--scope", "write", "--zone", "Hello-Web.com")
    assert (created["scope"], created["zones"], created["revoked"]) == ("write", ["hello-web.com"], False)
    secret = created["secret"]
    token = store.verify_token(secret)
    assert token is not None and token.name == "ci-hello" and token.may_write("hello-web.com")

    reader = dnsd("token", "create", "dashboard", "--scope", "read")
    read_secret = reader.out.strip().splitlines()[-1]
    assert read_secret.startswith("dnsd_") and "shown once" in reader.err
    assert store.verify_token(read_secret) is not None

    bad = dnsd.json("token", "create", "x", "--scope", "admin", "--zone", "bad..zone", expect=2)
    assert {r["field"] for r in bad["reasons"]} == {"scope", "zones.0"}

    assert dnsd.json("token", "revoke", "ci-hello")["revoked"] is True
    assert store.verify_token(secret) is None
    listed = dnsd.json("token", "list")
    assert [(t["name"], t["revoked"]) for t in listed] == [("ci-hello", True), ("dashboard", False)]
    assert all("secret" not in t for t in listed)


def test_pool_set_keeping_an_address(dnsd: Dnsd) -> None:
    dnsd("pool", "add", "edge", "--address", "10.1.0.1", "--external-address", "203.0.113.1")
    moved = dnsd.json("pool", "set", "edge", "--address", "10.1.0.2")
    assert moved["addresses"] == ["10.1.0.2"] and moved["external_addresses"] == ["203.0.113.1"]
