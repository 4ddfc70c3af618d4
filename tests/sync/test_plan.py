"""Pure parts of the sync: names, value spellings, desired records, plans and the safety limit."""

from __future__ import annotations

import pytest

from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.sync.desired import DesiredZone, desired_zone
from dnsd.sync.plan import SafetyLimits, plan_zone
from dnsd.sync.records import RecordSpec, RemoteRecord, canonical_value, subdomain_for

Z = "hello-web.com"
M = "managed-by=dnsd:test"


@pytest.mark.parametrize(
    ("name", "sub"), [(Z, "@"), (f"www.{Z}", "www"), (f"*.apps.{Z}", "*.apps"), (f"a.b.{Z}", "a.b")]
)
def test_names_map_to_subdomains(name: str, sub: str) -> None:
    assert subdomain_for(name, Z) == sub


@pytest.mark.parametrize(
    ("rtype", "a", "b"),
    [
        ("CNAME", ("web.example.net.", None), ("Web.Example.NET", None)),
        ("MX", ("mx.example.net.", 10), ("mx.example.net", 10)),
        ("TXT", ('"v=spf1 -all"', None), ("v=spf1 -all", None)),
        ("TXT", ('"abc" "def"', None), ("abcdef", None)),
        ("AAAA", ("2001:DB8:0::1", None), ("2001:db8::1", None)),
        ("SRV", ("0 5 443 svc.example.net.", None), ("0 5 443 svc.example.net", None)),
        ("CAA", ('0 issue "letsencrypt.org"', None), ("0 issue letsencrypt.org", None)),
    ],
)
def test_spellings_of_one_value_compare_equal(
    rtype: str, a: tuple[str, int | None], b: tuple[str, int | None]
) -> None:
    assert canonical_value(rtype, *a) == canonical_value(rtype, *b)


def test_mx_preference_is_part_of_the_value() -> None:
    assert canonical_value("MX", "mx.example.net.", 10) != canonical_value("MX", "mx.example.net.", 20)


def test_desired_records_one_per_value_with_pool_external_addresses() -> None:
    pools = {"gw": make_pool("gw", ["10.0.0.1", "fd00::1"], "", ["203.0.113.1", "203.0.113.2"]),
             "old": make_pool("old", ["10.0.1.1"])}  # fmt: skip
    rrsets = [
        make_rrset(f"www.{Z}", "A", 300, "user:a", pool="gw"),
        make_rrset(f"www.{Z}", "AAAA", 300, "user:a", pool="gw"),  # gw has no external IPv6
        make_rrset(f"old.{Z}", "A", 300, "user:a", pool="old"),
        make_rrset(f"{Z}", "MX", 300, "user:a", ["10 mx.example.net"]),
        make_rrset(f"1.{Z}", "PTR", 300, "user:a", ["host.example.net"]),
        make_rrset(f"t.{Z}", "TXT", 0, "user:a", ["hello world"]),
    ]
    desired = desired_zone(Z, rrsets, pools)
    got = sorted((r.subdomain, r.rtype, r.value, r.ttl, r.mx) for r in desired.records)
    assert got == [
        ("@", "MX", "mx.example.net.", 300, 10),
        ("old", "A", "10.0.1.1", 300, None),
        ("t", "TXT", "hello world", 1, None),  # TTL 0 is below DNSPod's range: published as 1
        ("www", "A", "203.0.113.1", 300, None),
        ("www", "A", "203.0.113.2", 300, None),
    ]
    assert [(s.name, s.rtype) for s in desired.skipped] == [(f"1.{Z}", "PTR")]


def spec(sub: str, value: str, rtype: str = "A", ttl: int = 300) -> RecordSpec:
    return RecordSpec(sub, rtype, value, ttl)


def remote(rid: int, sub: str, value: str, rtype: str = "A", ttl: int = 300, remark: str = M) -> RemoteRecord:
    return RemoteRecord(rid, sub, rtype, value, ttl, remark=remark)


def test_value_change_reuses_the_record_and_ttl_change_updates() -> None:
    desired = DesiredZone(Z, (spec("www", "192.0.2.2"), spec("api", "192.0.2.9", ttl=60)))
    plan = plan_zone(desired, [remote(1, "www", "192.0.2.1"), remote(2, "api", "192.0.2.9")], M)
    assert [
        (c.action, c.old.id if c.old else None, c.new.value if c.new else None) for c in plan.changes
    ] == [
        ("update", 2, "192.0.2.9"),
        ("update", 1, "192.0.2.2"),
    ]
    assert not plan.creates and not plan.deletes and plan.touched == 2


def test_unmarked_records_conflict_and_adopt_takes_them_over() -> None:
    desired = DesiredZone(
        Z, (spec("www", "192.0.2.1"), spec("www", "192.0.2.2"), spec("api", "web.example.net.", "CNAME"))
    )
    held = [remote(1, "www", "192.0.2.1", remark=""), remote(2, "api", "198.51.100.1", remark="by hand"),
            remote(3, "other", "198.51.100.7", remark="")]  # fmt: skip
    plan = plan_zone(desired, held, M)
    # www A is shared: the console's 192.0.2.1 is what dnsd wants too, dnsd adds its 192.0.2.2.
    assert [(c.action, c.subdomain, c.new.value if c.new else "") for c in plan.changes] == [
        ("create", "www", "192.0.2.2")
    ]
    assert [(c.subdomain, c.rtype, c.kind, [r.id for r in c.held]) for c in plan.conflicts] == [
        ("api", "CNAME", "exclusive", [2]),
    ]
    adopted = plan_zone(desired, held, M, adopt=True)
    assert [(c.action, c.subdomain, c.rtype) for c in adopted.changes] == [
        ("delete", "api", "A"), ("update", "www", "A"), ("create", "api", "CNAME"), ("create", "www", "A"),
    ]  # fmt: skip
    assert adopted.touched == 0  # adopted records were not dnsd's: the safety limit ignores them


def test_default_ns_other_lines_and_foreign_names_are_ignored() -> None:
    desired = DesiredZone(Z, (spec("www", "192.0.2.1"),))
    records = [RemoteRecord(1, "@", "NS", "f1g1ns1.dnspod.net.", 86400, default_ns=True),
               RemoteRecord(2, "www", "A", "192.0.2.50", 300, line="电信"),
               remote(3, "www", "192.0.2.1"), remote(4, "www", "v=1", "TXT", remark="")]  # fmt: skip
    plan = plan_zone(desired, records, M)
    assert not plan.changes and not plan.conflicts and plan.unchanged == 1


def test_safety_limit() -> None:
    held = [remote(i, f"h{i}", "192.0.2.1") for i in range(10)]
    keep = tuple(spec(f"h{i}", "192.0.2.1") for i in range(10))
    limits = SafetyLimits()
    three = plan_zone(DesiredZone(Z, keep[3:]), held, M)
    assert three.touched == 3 and three.unsafe(limits) is None
    four = plan_zone(DesiredZone(Z, keep[4:]), held, M)
    assert four.unsafe(limits) is not None and "4 of 10" in str(four.unsafe(limits))
    small = plan_zone(DesiredZone(Z, ()), held[:9], M)
    assert len(small.deletes) == 9 and small.unsafe(limits) is None  # fewer than 10 managed: no brake


def test_a_shared_rrset_moves_dnsd_values_and_reports_the_console_value() -> None:
    """Issue 11 (2): a pool move inside an RRset shared with a console record. dnsd's own values
    move (they were frozen before); the console value is served next to them: a loud conflict."""
    moved = DesiredZone(Z, (spec("www", "198.51.100.10"), spec("www", "198.51.100.11")))
    held = [remote(1, "www", "203.0.113.10"), remote(2, "www", "203.0.113.11"),
            remote(3, "www", "203.0.113.99", remark="")]  # fmt: skip
    plan = plan_zone(moved, held, M)
    assert sorted((c.action, c.old.value if c.old else "", c.new.value if c.new else "")
                  for c in plan.changes) == [("update", "203.0.113.10", "198.51.100.10"),
                                             ("update", "203.0.113.11", "198.51.100.11")]  # fmt: skip
    (conflict,) = plan.conflicts
    assert conflict.kind == "shared" and [r.value for r in conflict.held] == ["203.0.113.99"]
    assert "203.0.113.99" in conflict.describe() and "served next to dnsd's values" in conflict.describe()


def test_an_exclusive_conflict_names_the_frozen_values() -> None:
    desired = DesiredZone(Z, (spec("www", "198.51.100.10"),))
    held = [remote(1, "www", "203.0.113.10"), remote(2, "www", "web.example.net.", "CNAME", remark="")]
    plan = plan_zone(desired, held, M)
    (conflict,) = plan.conflicts
    assert not plan.changes and conflict.kind == "exclusive" and [r.id for r in conflict.frozen] == [1]
    assert "dnsd's records still serve 203.0.113.10" in conflict.describe()
    assert "dnsd wants 198.51.100.10, not published" in conflict.describe()
