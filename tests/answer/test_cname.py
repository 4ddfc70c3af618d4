"""CNAME at the name: the chain followed through our zones, loop-safe, at most 8 links."""

from __future__ import annotations

import itertools

import pytest

from dnsd.answer import MAX_LINKS, NOERROR, NXDOMAIN, resolve

from .snapshots import keys, rr, snapshot, texts, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("www.example.com", "CNAME", "web.example.com"),
    rr("web.example.com", "A", "192.0.2.1"),
    rr("mail.example.com", "CNAME", "mx.example.com"),
    rr("mx.example.com", "MX", "10 smtp.example.com"),
    rr("smtp.example.com", "A", "192.0.2.25"),
    rr("cross.example.com", "CNAME", "app.other.net"),
    rr("gone.example.com", "CNAME", "missing.other.net"),
    rr("empty.example.com", "CNAME", "web.other.net"),
    rr("out.example.com", "CNAME", "elsewhere.example.org"),
    rr("dangling.example.com", "CNAME", "nothing.example.com"),
    rr("a.example.com", "CNAME", "b.example.com"),
    rr("b.example.com", "CNAME", "a.example.com"),
    rr("self.example.com", "CNAME", "self.example.com"),
    rr("deleg.example.com", "CNAME", "host.sub.example.com"),
    rr("sub.example.com", "NS", "ns.sub.example.com"),
    rr("ns.sub.example.com", "A", "192.0.2.53"),
    rr("wild.example.com", "CNAME", "x.apps.other.net"),
)
OTHER = zone_data(
    "other.net",
    rr("app.other.net", "A", "198.51.100.1"),
    rr("web.other.net", "TXT", '"no address here"'),
    rr("*.apps.other.net", "A", "198.51.100.2"),
)
SNAP = snapshot(EXAMPLE, OTHER)


def test_cname_then_target_data() -> None:
    answer = resolve(SNAP, "www.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer) == [
        "www.example.com 300 CNAME web.example.com.",
        "web.example.com 300 A 192.0.2.1",
    ]
    assert not answer.authority


def test_query_for_cname_type_returns_the_cname_without_chasing() -> None:
    answer = resolve(SNAP, "www.example.com", "CNAME")
    assert texts(answer.answer) == ["www.example.com 300 CNAME web.example.com."]


def test_chain_ends_with_additional_processing_of_the_last_answer() -> None:
    answer = resolve(SNAP, "mail.example.com", "MX")
    assert keys(answer.answer) == [("mail.example.com", "CNAME"), ("mx.example.com", "MX")]
    assert texts(answer.additional) == ["smtp.example.com 300 A 192.0.2.25"]


def test_chain_into_another_of_our_zones_keeps_aa() -> None:
    answer = resolve(SNAP, "cross.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer)[-1] == "app.other.net 300 A 198.51.100.1"


def test_chain_into_a_wildcard_of_another_zone() -> None:
    answer = resolve(SNAP, "wild.example.com", "A")
    assert texts(answer.answer)[-1] == "x.apps.other.net 300 A 198.51.100.2"


def test_missing_final_target_gives_nxdomain_with_the_soa_of_its_zone() -> None:
    answer = resolve(SNAP, "gone.example.com", "A")
    assert answer.rcode == NXDOMAIN and answer.aa
    assert keys(answer.answer) == [("gone.example.com", "CNAME")]
    assert keys(answer.authority) == [("other.net", "SOA")]
    dangling = resolve(SNAP, "dangling.example.com", "A")
    assert dangling.rcode == NXDOMAIN and keys(dangling.authority) == [("example.com", "SOA")]


def test_final_target_without_the_type_gives_nodata_with_its_soa() -> None:
    answer = resolve(SNAP, "empty.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert keys(answer.answer) == [("empty.example.com", "CNAME")]
    assert keys(answer.authority) == [("other.net", "SOA")]


def test_target_outside_our_zones_ends_the_chain_without_authority() -> None:
    answer = resolve(SNAP, "out.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert keys(answer.answer) == [("out.example.com", "CNAME")]
    assert not answer.authority and not answer.additional


def test_loop_stops_after_each_link_appears_once() -> None:
    answer = resolve(SNAP, "a.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert keys(answer.answer) == [("a.example.com", "CNAME"), ("b.example.com", "CNAME")]
    assert texts(resolve(SNAP, "self.example.com", "A").answer) == [
        "self.example.com 300 CNAME self.example.com."
    ]


def test_chain_into_a_delegation_ends_with_the_referral() -> None:
    answer = resolve(SNAP, "deleg.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa  # aa reflects the first name, which is ours
    assert keys(answer.answer) == [("deleg.example.com", "CNAME")]
    assert keys(answer.authority) == [("sub.example.com", "NS")]
    assert texts(answer.additional) == ["ns.sub.example.com 300 A 192.0.2.53"]


def chain_zone(links: int) -> list[str]:
    """Names n0 -> n1 -> ... -> n<links> (which holds an A)."""
    return [f"n{i}.chain.test" for i in range(links + 1)]


@pytest.mark.parametrize("links", [1, 7, MAX_LINKS])
def test_chains_up_to_the_limit_are_followed_to_the_data(links: int) -> None:
    names = chain_zone(links)
    rrsets = [rr(a, "CNAME", b) for a, b in itertools.pairwise(names)]
    snap = snapshot(zone_data("chain.test", *rrsets, rr(names[-1], "A", "192.0.2.1")))
    answer = resolve(snap, names[0], "A")
    assert [r.rtype for r in answer.answer] == ["CNAME"] * links + ["A"]
    assert answer.rcode == NOERROR and answer.aa


@pytest.mark.parametrize("links", [MAX_LINKS + 1, 12])
def test_longer_chains_are_cut_at_the_limit(links: int) -> None:
    names = chain_zone(links)
    rrsets = [rr(a, "CNAME", b) for a, b in itertools.pairwise(names)]
    snap = snapshot(zone_data("chain.test", *rrsets, rr(names[-1], "A", "192.0.2.1")))
    answer = resolve(snap, names[0], "A")
    assert keys(answer.answer) == [(name, "CNAME") for name in names[:MAX_LINKS]]
    assert answer.rcode == NOERROR and answer.aa
    assert not answer.authority
