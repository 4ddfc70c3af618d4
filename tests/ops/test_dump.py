"""``dnsd dump`` / ``dnsd restore``: a portable file, identical across backends, checked before
anything is written, and serials that never go backwards."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dnsd.domain.errors import Conflict, InvalidInput
from dnsd.domain.k8s import make_entry
from dnsd.domain.pools import make_pool
from dnsd.domain.snapshot import RRsetData, build_zone
from dnsd.domain.zones import next_serial
from dnsd.store.dump import DumpOps
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.records import RecordFilter
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.helpers import run_dnsd
from tests.ops.conftest import ACTOR, Dnsd, open_store, rr

GW, LEGACY = "istio-ingressgateway", "legacy-ingress"


def fill_everything(store: ZoneStore) -> str:
    """A bit of every kind of data, with some history; returns an API token's secret."""
    store.create_zone(
        make_zone("hello-web.com", ["ns1.hello-web.com", "ns2.hello-web.com"], rname="ops@hello-web.com",
                  ttl=600, refresh=7200, retry=900, expire=604800, minimum=60,
                  secondaries=["192.0.2.53", "2001:db8::53"], dnspod_sync=True),
        ACTOR,
    )  # fmt: skip
    for zone in ("wudebao-web.com", "bücher.example", "sub.hello-web.com"):
        store.create_zone(make_zone(zone, [f"ns1.{zone}"]), ACTOR)
    store.create_pool(make_pool(GW, ["10.0.0.10", "fd00::10"], "istio edge", ["203.0.113.10"]), ACTOR)
    store.create_pool(make_pool(LEGACY, ["10.0.1.10"]), ACTOR)
    records = [
        rr("www.hello-web.com", pool=GW), rr("www.hello-web.com", "AAAA", pool=GW),
        rr("legacy.hello-web.com", values=["192.0.2.7", "192.0.2.8"], ttl=60, owner="user:alice"),
        rr("alias.hello-web.com", "CNAME", ["www.hello-web.com."]),
        rr("hello-web.com", "TXT", ['"v=spf1 -all"', '"caf\\195\\169 \\"quoted\\""']),
        rr("hello-web.com", "MX", ["10 mx.hello-web.com.", "20 mx2.hello-web.com."]),
        rr("hello-web.com", "CAA", ['0 issue "letsencrypt.org"']),
        rr("_sip._tcp.hello-web.com", "SRV", ["0 5 5060 sip.hello-web.com."]),
        rr("*.apps.hello-web.com", pool=LEGACY, owner="k8s:default/ingress/apps"),
        rr("team.hello-web.com", "NS", ["ns.team.hello-web.com."]),
        rr("ns.team.hello-web.com", values=["192.0.2.99"]),
        rr("old.wudebao-web.com", "DNAME", ["new.wudebao-web.com."]),
        rr("1.wudebao-web.com", "PTR", ["host.wudebao-web.com."]),
        rr("www.bücher.example", values=["192.0.2.10"]),
        rr("x.sub.hello-web.com", "TXT", ['"in the child zone"']),
    ]  # fmt: skip
    for rrset in records:
        store.put_rrset(rrset, ACTOR)
    store.update_pool(LEGACY, ACTOR, addresses=["10.0.1.10", "10.0.1.11"])  # history: serial bumps
    gone = store.put_rrset(rr("gone.wudebao-web.com"), ACTOR).rrset
    assert gone.id is not None
    store.delete_rrset(gone.id, ACTOR)
    k8s = K8sOps(store.engine)
    for kind, key, pool in (("gateway", "istio=ingressgateway", GW), ("ingress-class", "nginx", LEGACY),
                            ("default", "", LEGACY)):  # fmt: skip
        k8s.set_mapping(make_entry(kind, key, pool), ACTOR)
    return store.create_token("deploy", "write")[1]


def dump_of(store: ZoneStore) -> dict[str, Any]:
    return DumpOps(store.engine).dump_document()


def without_time(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "created_at"}


def dns_view(store: ZoneStore) -> dict[str, list[RRsetData]]:
    """What DNS answers from: every zone built as the server builds it, SOA (serial) included."""
    state = store.load_state()
    return {
        name: list(build_zone(zone, rrsets, state.pools).iter_rrsets())
        for name, (zone, rrsets) in sorted(state.zones.items())
    }


@pytest.mark.postgres
def test_round_trip_sqlite_postgres_sqlite(
    new_sqlite_url: Callable[[], str], postgres_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db_url, sqlite_url = new_sqlite_url(), new_sqlite_url()
    first, second, third = open_store(db_url), open_store(postgres_url), open_store(sqlite_url)
    request.addfinalizer(lambda: [s.engine.dispose() for s in (first, second, third)])
    secret = fill_everything(first)
    original = dump_of(first)
    # SQLite -> PostgreSQL through the real commands and a file
    path = tmp_path / "backup.json"
    Dnsd(db_url)("dump", str(path))
    assert json.loads(path.read_text())["zones"] == original["zones"]
    restored = Dnsd(postgres_url).json("restore", str(path))
    assert (restored["zones"], restored["records"], restored["replaced"]) == (4, 15, False)
    # PostgreSQL -> SQLite through the store
    on_postgres = dump_of(second)
    DumpOps(third.engine).restore_document(on_postgres, ACTOR)
    back_on_sqlite = dump_of(third)
    assert without_time(original) == without_time(on_postgres) == without_time(back_on_sqlite)
    assert dns_view(first) == dns_view(second) == dns_view(third)
    assert {z.name: z.serial for z in third.list_zones()} == {z.name: z.serial for z in first.list_zones()}
    text = path.read_text()
    assert secret not in text and "deploy" not in text and "token" not in text
    assert [t.name for t in second.list_tokens()] == []  # tokens are not carried over
    assert len(original["k8s_mappings"]) == 3 and original["pools"][0]["external_addresses"] == [
        "203.0.113.10"
    ]


def test_invalid_dump_is_refused_with_every_problem(store: ZoneStore, sqlite_url: str) -> None:
    source = open_store(sqlite_url)
    fill_everything(source)
    good = dump_of(source)
    source.engine.dispose()
    bad = copy.deepcopy(good)
    bad["extra"] = 1
    bad["zones"][0]["serial"] = "2026010100"
    bad["zones"].append(copy.deepcopy(bad["zones"][1]))
    bad["pools"][0]["addresses"] = ["10.0.0.300"]
    at = {(r["name"], r["type"]): i for i, r in enumerate(bad["records"])}
    www, alias = at["www.hello-web.com", "A"], at["alias.hello-web.com", "CNAME"]
    bad["records"][0]["ttl"] = -5
    bad["records"][www]["pool"] = "nowhere"
    bad["records"][alias]["zone"] = "wudebao-web.com"
    bad["records"].append({"zone": "x.org", "name": "www.x.org", "type": "A", "ttl": 1, "owner": "ci:x",
                           "values": ["192.0.2.1"], "note": "?"})  # fmt: skip
    bad["k8s_mappings"][0]["pool"] = "nowhere"
    last = len(bad["records"]) - 1
    with pytest.raises(InvalidInput) as caught:
        DumpOps(store.engine).restore_document(bad, ACTOR)
    fields = [r.field for r in caught.value.reasons]
    assert fields == [
        "extra", "zones[0].serial", "pools[0].addresses.0", "pools[0].addresses", "records[0].ttl",
        f"records[{last}].note", "zones[4].name", f"records[{alias}].zone", f"records[{www}].pool",
        f"records[{last}].name", "k8s_mappings[0].pool",
    ]  # fmt: skip
    assert store.last_change_id() == 0 and dump_of(store)["zones"] == []
    for header, value in (("format", "bind9"), ("version", 3)):
        wrong = {**good, header: value}
        with pytest.raises(InvalidInput) as caught:
            DumpOps(store.engine).restore_document(wrong, ACTOR)
        assert [r.field for r in caught.value.reasons] == [header]


def test_invalid_files_through_the_cli(dnsd: Dnsd, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "dnsd-dump", "version": 1, "zones": [')
    err = dnsd.json("restore", str(broken), expect=2)
    assert err["reasons"][0]["field"] == "file" and "not JSON (line 1" in err["reasons"][0]["message"]
    err = dnsd.json("restore", str(tmp_path / "nope.json"), expect=2)
    assert err["reasons"][0]["message"].startswith("cannot read")
    empty = tmp_path / "empty.json"
    empty.write_text('{"format": "dnsd-dump", "version": 1}')
    err = dnsd.json("restore", str(empty), expect=2)
    assert [r["field"] for r in err["reasons"]] == ["zones", "pools", "records", "k8s_mappings"]
    assert dnsd.json("changes") == []


def test_non_empty_store_needs_force_which_replaces_everything(store: ZoneStore, sqlite_url: str) -> None:
    source = open_store(sqlite_url)
    fill_everything(source)
    doc = dump_of(source)
    source.engine.dispose()
    store.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), ACTOR)
    store.create_zone(make_zone("only-here.org", ["ns1.only-here.org"]), ACTOR)
    dumped = {z["name"]: z["serial"] for z in doc["zones"]}
    for i in range(3):
        store.put_rrset(rr(f"n{i}.hello-web.com"), ACTOR)
    while store.get_zone("hello-web.com").serial <= dumped["hello-web.com"]:  # past the dump's serial
        store.update_zone("hello-web.com", ACTOR, ttl=store.get_zone("hello-web.com").ttl + 1)
    _, secret = store.create_token("keeper", "read")
    here = {z.name: z.serial for z in store.list_zones()}
    last = store.last_change_id()
    with pytest.raises(Conflict, match=r"not empty \(2 zones, 3 records\).*--force"):
        DumpOps(store.engine).restore_document(doc, ACTOR)
    assert store.last_change_id() == last and {z.name: z.serial for z in store.list_zones()} == here
    result = DumpOps(store.engine).restore_document(doc, ACTOR, force=True)
    assert result.replaced and result.records == 15
    serials = {z.name: z.serial for z in store.list_zones()}
    assert set(serials) == set(dumped)  # only-here.org is gone
    assert serials["hello-web.com"] == next_serial(here["hello-web.com"])  # never backwards
    assert serials["wudebao-web.com"] == dumped["wudebao-web.com"]
    assert without_time(dump_of(store))["records"] == doc["records"]
    assert store.verify_token(secret) is not None
    (change,) = store.list_changes(after_id=last)
    assert change.action == "store.restore"
    touched = {z.zone: (z.prev_serial, z.serial) for z in change.zones}
    assert touched["only-here.org"] == (here["only-here.org"], None)
    assert touched["hello-web.com"] == (None, serials["hello-web.com"])  # no IXFR across a restore
    assert set(store.feed(last)[0].zones) == set(dumped) | {"only-here.org"}


def test_a_zone_the_change_log_remembers_keeps_rising(store: ZoneStore, sqlite_url: str) -> None:
    """Deleted here after reaching a newer serial: secondaries may still hold that one."""
    source = open_store(sqlite_url)
    source.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), ACTOR)
    doc = dump_of(source)
    source.engine.dispose()
    store.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), ACTOR)
    for i in range(2):
        store.put_rrset(rr(f"n{i}.hello-web.com"), ACTOR)
    remembered = store.get_zone("hello-web.com").serial
    store.delete_zone("hello-web.com", ACTOR, force=True)
    DumpOps(store.engine).restore_document(doc, ACTOR)
    assert store.get_zone("hello-web.com").serial == next_serial(remembered)
    assert store.list_rrsets(RecordFilter())[1] == 0


def test_dump_to_stdout_and_restore_from_stdin(dnsd: Dnsd, db_url: str, sqlite_url: str) -> None:
    store = open_store(db_url)
    fill_everything(store)
    store.engine.dispose()
    run = dnsd("dump")
    assert json.loads(run.out)["format"] == "dnsd-dump" and run.err.startswith("dumped 4 zones, 2 pools")
    proc = run_dnsd(["--database-url", sqlite_url, "restore", "-"], dnsd.env, stdin=run.out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("restored 4 zones, 2 pools, 15 records, 3 k8s mappings from -")
    again = Dnsd(sqlite_url)("dump").out
    assert without_time(json.loads(again)) == without_time(json.loads(run.out))
