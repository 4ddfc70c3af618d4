"""RFC 2308 negative answers: NODATA vs NXDOMAIN, empty non-terminals, the negative SOA TTL."""

from __future__ import annotations

import pytest

from dnsd.answer import NOERROR, NXDOMAIN, resolve

from .snapshots import is_negative, make_zone, rr, snapshot, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("www.example.com", "A", "192.0.2.1"),
    rr("a.b.c.example.com", "TXT", '"deep"'),
)
SNAP = snapshot(EXAMPLE)


def test_existing_name_without_the_type_is_nodata_with_soa() -> None:
    answer = resolve(SNAP, "www.example.com", "AAAA")
    assert is_negative(answer, "example.com", NOERROR)


def test_missing_name_is_nxdomain_with_soa() -> None:
    answer = resolve(SNAP, "nope.example.com", "A")
    assert is_negative(answer, "example.com", NXDOMAIN)


@pytest.mark.parametrize("name", ["c.example.com", "b.c.example.com"])
def test_empty_non_terminals_exist_so_they_are_nodata(name: str) -> None:
    assert is_negative(resolve(SNAP, name, "A"), "example.com", NOERROR)


@pytest.mark.parametrize(
    "name", ["x.c.example.com", "x.a.b.c.example.com", "b.example.com", "x.www.example.com"]
)
def test_names_beside_or_below_existing_names_do_not_exist(name: str) -> None:
    assert is_negative(resolve(SNAP, name, "A"), "example.com", NXDOMAIN)


@pytest.mark.parametrize(("ttl", "minimum", "expected"), [(3600, 300, 300), (60, 300, 60), (120, 120, 120)])
def test_negative_soa_ttl_is_min_of_soa_ttl_and_minimum(ttl: int, minimum: int, expected: int) -> None:
    snap = snapshot(zone_data(make_zone("example.com", ttl=ttl, minimum=minimum)))
    for qname, qtype in (("nope.example.com", "A"), ("example.com", "AAAA")):
        soa = resolve(snap, qname, qtype).authority[0]
        assert soa.ttl == expected
        assert soa.rdatas == snap.zones["example.com"].nodes["example.com"]["SOA"].rdatas


@pytest.mark.parametrize(
    "qtype", ["RRSIG", "NSEC", "NSEC3", "DNSKEY", "DS", "TYPE65", "HTTPS", "CNAME", "PTR"]
)
def test_types_we_never_hold_are_nodata(qtype: str) -> None:
    assert is_negative(resolve(SNAP, "www.example.com", qtype), "example.com", NOERROR)
    assert is_negative(resolve(SNAP, "example.com", qtype), "example.com", NOERROR)


def test_apex_of_a_zone_with_no_records_still_answers_soa_and_ns() -> None:
    snap = snapshot(zone_data("empty.test"))
    assert resolve(snap, "empty.test", "SOA").answer[0].rtype == "SOA"
    assert resolve(snap, "empty.test", "NS").answer[0].rtype == "NS"
    assert is_negative(resolve(snap, "empty.test", "A"), "empty.test", NOERROR)
    assert is_negative(resolve(snap, "www.empty.test", "A"), "empty.test", NXDOMAIN)
