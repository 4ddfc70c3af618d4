"""Additional-section processing: A/AAAA for in-zone targets of MX, SRV and NS answers."""

from __future__ import annotations

from dnsd.answer import resolve
from dnsd.domain.rdata import SRV
from dnsd.domain.records import RRset

from .snapshots import keys, rr, snapshot, texts, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("example.com", "MX", "10 mx1.example.com", "20 mx2.example.com", "30 mx.provider.net"),
    rr("mx1.example.com", "A", "192.0.2.1"),
    rr("mx1.example.com", "AAAA", "2001:db8::1"),
    rr("mx2.example.com", "TXT", '"no address"'),
    rr("_sip._tcp.example.com", "SRV", "10 5 5060 sip.example.com", "20 5 5060 sip.example.com"),
    rr("sip.example.com", "A", "192.0.2.5"),
    RRset("_null._tcp.example.com", "SRV", 300, (SRV(0, 0, 0, ""),)),  # "." (the parser refuses it)
    rr("ns.provider.net", "A", "198.51.100.1"),  # not ours; never added
)
OTHER = zone_data("provider.net", rr("mx.provider.net", "A", "198.51.100.25"))
SNAP = snapshot(EXAMPLE, OTHER)


def test_mx_answer_carries_addresses_of_in_zone_exchanges_only() -> None:
    answer = resolve(SNAP, "example.com", "MX")
    assert keys(answer.answer) == [("example.com", "MX")]
    assert texts(answer.additional) == [
        "mx1.example.com 300 A 192.0.2.1",
        "mx1.example.com 300 AAAA 2001:db8::1",
    ]


def test_srv_answer_adds_each_target_once() -> None:
    answer = resolve(SNAP, "_sip._tcp.example.com", "SRV")
    assert texts(answer.additional) == ["sip.example.com 300 A 192.0.2.5"]


def test_srv_with_root_target_adds_nothing() -> None:
    answer = resolve(SNAP, "_null._tcp.example.com", "SRV")
    assert len(answer.answer) == 1 and answer.additional == ()


def test_other_types_carry_no_additional() -> None:
    assert resolve(SNAP, "mx1.example.com", "A").additional == ()


def test_host_covered_by_a_wildcard_gets_the_expansion_owned_by_the_host() -> None:
    zone = zone_data(
        "example.com",
        rr("example.com", "MX", "10 mx.mail.example.com"),
        rr("*.mail.example.com", "A", "192.0.2.9"),
    )
    answer = resolve(snapshot(zone), "example.com", "MX")
    assert texts(answer.additional) == ["mx.mail.example.com 300 A 192.0.2.9"]


def test_hosts_in_another_of_our_zones_are_left_to_that_zone() -> None:
    parent = zone_data(
        "example.com",
        rr("example.com", "MX", "10 mx.team.example.com", "20 mx.example.com"),
        rr("*.example.com", "A", "192.0.2.99"),
    )
    child = zone_data("team.example.com", rr("mx.team.example.com", "A", "192.0.2.1"))
    answer = resolve(snapshot(parent, child), "example.com", "MX")
    assert texts(answer.additional) == ["mx.example.com 300 A 192.0.2.99"]


def test_existing_host_without_addresses_gets_no_wildcard() -> None:
    zone = zone_data(
        "example.com",
        rr("example.com", "MX", "10 mx.example.com"),
        rr("mx.example.com", "TXT", '"no address"'),
        rr("*.example.com", "A", "192.0.2.99"),
    )
    assert resolve(snapshot(zone), "example.com", "MX").additional == ()


def test_mx_host_at_or_below_a_cut_is_not_authoritative_so_not_added() -> None:
    zone = zone_data(
        "example.com",
        rr("example.com", "MX", "10 sub.example.com", "20 mx.sub.example.com"),
        rr("sub.example.com", "NS", "mx.sub.example.com"),
        rr("sub.example.com", "A", "192.0.2.1"),
        rr("mx.sub.example.com", "A", "192.0.2.2"),
    )
    snap = snapshot(zone)
    assert resolve(snap, "example.com", "MX").additional == ()
    # The same addresses are glue, so a referral carries them.
    assert texts(resolve(snap, "sub.example.com", "A").additional) == ["mx.sub.example.com 300 A 192.0.2.2"]
