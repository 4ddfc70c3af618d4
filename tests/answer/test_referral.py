"""Delegations: referrals with glue, occlusion, DS at the cut, cuts over wildcards."""

from __future__ import annotations

import pytest

from dnsd.answer import NOERROR, NXDOMAIN, resolve

from .snapshots import is_negative, keys, make_zone, rr, snapshot, texts, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("sub.example.com", "NS", "ns1.sub.example.com", "ns.example.com", "ns.provider.net", "ns.other.net"),
    rr("ns1.sub.example.com", "A", "192.0.2.53"),
    rr("ns1.sub.example.com", "AAAA", "2001:db8::53"),
    rr("ns.example.com", "A", "192.0.2.5"),
    rr("www.sub.example.com", "A", "192.0.2.66"),  # occluded by the cut
    rr("*.sub.example.com", "A", "192.0.2.67"),  # occluded too
    rr("*.example.com", "A", "192.0.2.99"),
    rr("deep.sub2.example.com", "NS", "ns.sub2.example.com"),
    rr("ns.sub2.example.com", "A", "192.0.2.54"),
)
OTHER = zone_data("other.net", rr("ns.other.net", "A", "198.51.100.53"))
SNAP = snapshot(EXAMPLE, OTHER)
NS_LINES = [
    "sub.example.com 300 NS ns1.sub.example.com.",
    "sub.example.com 300 NS ns.example.com.",
    "sub.example.com 300 NS ns.provider.net.",
    "sub.example.com 300 NS ns.other.net.",
]


def assert_referral(name: str, qtype: str) -> None:
    answer = resolve(SNAP, name, qtype)
    assert answer.rcode == NOERROR
    assert not answer.aa
    assert not answer.answer
    assert texts(answer.authority) == NS_LINES
    # Glue for the in-bailiwick hosts only (below the cut or elsewhere in the zone); none for
    # hosts outside the zone, even when another zone of ours holds their addresses.
    assert texts(answer.additional) == [
        "ns1.sub.example.com 300 A 192.0.2.53",
        "ns1.sub.example.com 300 AAAA 2001:db8::53",
        "ns.example.com 300 A 192.0.2.5",
    ]


@pytest.mark.parametrize("qtype", ["A", "AAAA", "NS", "SOA", "TXT", "ANY", "CNAME"])
def test_query_at_the_cut_is_a_referral(qtype: str) -> None:
    assert_referral("sub.example.com", qtype)


@pytest.mark.parametrize(
    "name", ["www.sub.example.com", "missing.sub.example.com", "a.b.sub.example.com", "ns1.sub.example.com"]
)
def test_every_name_below_the_cut_is_a_referral_occluded_data_and_wildcards_included(name: str) -> None:
    assert_referral(name, "A")
    assert_referral(name, "DS")


def test_ds_at_the_cut_is_answered_by_the_parent_as_nodata() -> None:
    answer = resolve(SNAP, "sub.example.com", "DS")
    assert is_negative(answer, "example.com", NOERROR)


def test_ancestor_of_a_deeper_cut_is_an_empty_non_terminal_not_a_referral() -> None:
    assert is_negative(resolve(SNAP, "sub2.example.com", "A"), "example.com", NOERROR)
    answer = resolve(SNAP, "x.deep.sub2.example.com", "A")
    assert not answer.aa
    assert texts(answer.authority) == ["deep.sub2.example.com 300 NS ns.sub2.example.com."]
    assert texts(answer.additional) == ["ns.sub2.example.com 300 A 192.0.2.54"]


def test_wildcard_in_the_parent_does_not_cover_names_under_a_cut() -> None:
    assert texts(resolve(SNAP, "nothing.example.com", "A").answer) == ["nothing.example.com 300 A 192.0.2.99"]
    assert resolve(SNAP, "nothing.sub.example.com", "A").answer == ()


def test_upper_cut_occludes_a_lower_cut() -> None:
    zone = zone_data(
        "example.com",
        rr("a.example.com", "NS", "ns.a.example.com"),
        rr("b.a.example.com", "NS", "ns.b.a.example.com"),
    )
    answer = resolve(snapshot(zone), "x.b.a.example.com", "A")
    assert keys(answer.authority) == [("a.example.com", "NS")]


def test_referral_without_any_glue_in_our_data() -> None:
    zone = zone_data("example.com", rr("sub.example.com", "NS", "ns1.sub.example.com"))
    answer = resolve(snapshot(zone), "sub.example.com", "A")
    assert not answer.aa and keys(answer.authority) == [("sub.example.com", "NS")]
    assert answer.additional == ()


def test_ds_at_the_apex_of_a_child_zone_we_host_is_answered_by_the_parent() -> None:
    parent = zone_data("example.com", rr("team.example.com", "NS", "ns1.team.example.com"))
    child = zone_data("team.example.com", rr("ns1.team.example.com", "A", "192.0.2.1"))
    snap = snapshot(parent, child)
    assert is_negative(resolve(snap, "team.example.com", "DS"), "example.com", NOERROR)
    # Every other type at the child apex comes from the child, authoritatively.
    answer = resolve(snap, "team.example.com", "NS")
    assert answer.aa and keys(answer.answer) == [("team.example.com", "NS")]
    assert is_negative(resolve(snap, "x.team.example.com", "A"), "team.example.com", NXDOMAIN)


def test_ds_at_a_child_apex_whose_parent_does_not_delegate_is_parent_nodata() -> None:
    # As NSD: DS is parent-side data, so the parent answers; NODATA, not NXDOMAIN (which would
    # deny the whole child zone to an aggressive-NSEC resolver), and not its wildcard.
    parent = zone_data("example.com", rr("*.example.com", "A", "192.0.2.9"))
    snap = snapshot(parent, zone_data(make_zone("team.example.com")))
    assert is_negative(resolve(snap, "team.example.com", "DS"), "example.com", NOERROR)


def test_referral_glue_comes_from_wildcards_above_the_cut_but_never_below_it() -> None:
    zone = zone_data(
        "example.com",
        rr("sub.example.com", "NS", "ns.sub.example.com", "ns.hosts.example.com"),
        rr("*.hosts.example.com", "A", "192.0.2.8"),
        rr("*.example.com", "A", "192.0.2.99"),
        rr("*.sub.example.com", "A", "192.0.2.66"),  # occluded: not glue for ns.sub
    )
    answer = resolve(snapshot(zone), "www.sub.example.com", "A")
    assert not answer.aa
    assert texts(answer.additional) == ["ns.hosts.example.com 300 A 192.0.2.8"]
