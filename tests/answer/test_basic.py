"""Zone selection, exact matches, apex SOA/NS, and the qname form resolve accepts."""

from __future__ import annotations

from dnsd.answer import NOERROR, REFUSED, resolve
from dnsd.domain.pools import Pool
from dnsd.domain.rdata import Address

from .snapshots import keys, make_zone, rr, snapshot, texts, zone_data

POOLS = {"istio": Pool("istio", ("192.0.2.80", "192.0.2.81", "2001:db8::80"))}
EXAMPLE = zone_data(
    "example.com",
    rr("ns1.example.com", "A", "192.0.2.1"),
    rr("ns2.example.com", "AAAA", "2001:db8::2"),
    rr("www.example.com", "A", pool="istio"),
    rr("www.example.com", "AAAA", pool="istio"),
    rr("static.example.com", "A", "192.0.2.7", ttl=60),
    rr("example.com", "TXT", '"v=spf1 -all"'),
    pools=POOLS,
)
CHILD = zone_data("team.example.com", rr("api.team.example.com", "A", "192.0.2.99"))
OTHER = zone_data("other.net", rr("other.net", "A", "198.51.100.1"))
SNAP = snapshot(EXAMPLE, CHILD, OTHER)


def test_name_outside_our_zones_is_refused_without_aa() -> None:
    for name in ("example.org", "com", "", "notexample.com"):
        answer = resolve(SNAP, name, "A")
        assert answer.rcode == REFUSED
        assert not answer.aa
        assert not answer.answer and not answer.authority and not answer.additional


def test_exact_match_answers_the_rrset_with_aa() -> None:
    answer = resolve(SNAP, "static.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer) == ["static.example.com 60 A 192.0.2.7"]
    assert not answer.authority and not answer.additional


def test_pool_records_answer_the_pool_addresses_by_family() -> None:
    a = resolve(SNAP, "www.example.com", "A")
    aaaa = resolve(SNAP, "www.example.com", "AAAA")
    assert a.answer[0].rdatas == (Address("192.0.2.80"), Address("192.0.2.81"))
    assert aaaa.answer[0].rdatas == (Address("2001:db8::80"),)


def test_longest_zone_wins_for_names_in_a_child_zone_we_host() -> None:
    answer = resolve(SNAP, "api.team.example.com", "A")
    assert texts(answer.answer) == ["api.team.example.com 300 A 192.0.2.99"]
    missing = resolve(SNAP, "nope.team.example.com", "A")
    assert keys(missing.authority) == [("team.example.com", "SOA")]


def test_apex_soa_answers_with_glue_for_in_zone_ns_hosts() -> None:
    answer = resolve(SNAP, "example.com", "SOA")
    assert answer.rcode == NOERROR and answer.aa
    assert keys(answer.answer) == [("example.com", "SOA")]
    assert answer.answer[0].ttl == 3600  # the SOA's own TTL, not the negative one
    assert keys(answer.additional) == [("ns1.example.com", "A"), ("ns2.example.com", "AAAA")]


def test_apex_ns_answers_with_glue_only_for_in_zone_hosts() -> None:
    zone = zone_data(
        make_zone("example.com", ns=("ns1.example.com", "ns.provider.net")),
        rr("ns1.example.com", "A", "192.0.2.1"),
    )
    answer = resolve(snapshot(zone), "example.com", "NS")
    assert answer.aa
    assert texts(answer.answer) == [
        "example.com 3600 NS ns1.example.com.",
        "example.com 3600 NS ns.provider.net.",
    ]
    assert texts(answer.additional) == ["ns1.example.com 300 A 192.0.2.1"]


def test_upper_case_and_trailing_dot_are_tolerated_and_owners_stay_canonical() -> None:
    canonical = resolve(SNAP, "static.example.com", "A")
    for form in ("STATIC.Example.COM", "static.example.com.", "Static.EXAMPLE.com."):
        assert resolve(SNAP, form, "A") == canonical
    assert resolve(SNAP, "EXAMPLE.ORG", "A").rcode == REFUSED
    assert [r.name for r in resolve(SNAP, "WWW.EXAMPLE.COM", "A").answer] == ["www.example.com"]


def test_a_query_for_a_type_the_name_lacks_never_returns_other_types() -> None:
    answer = resolve(SNAP, "example.com", "MX")
    assert answer.rcode == NOERROR and not answer.answer
