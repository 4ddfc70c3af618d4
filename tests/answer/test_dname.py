"""RFC 6672 DNAME: substitution below the owner, synthesised CNAME, chase, YXDOMAIN."""

from __future__ import annotations

from dnsd.answer import NOERROR, NXDOMAIN, YXDOMAIN, resolve
from dnsd.domain.rdata import Target

from .snapshots import is_negative, keys, rr, snapshot, texts, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("old.example.com", "DNAME", "new.example.com", ttl=900),
    rr("old.example.com", "A", "192.0.2.9"),
    rr("www.old.example.com", "A", "192.0.2.66"),  # occluded by the DNAME
    rr("www.new.example.com", "A", "192.0.2.80"),
    rr("v1.example.com", "DNAME", "old.example.com"),  # a DNAME into a DNAME
    rr("ext.example.com", "DNAME", "example.org"),
    rr("twin.example.com", "DNAME", "other.net"),
    rr("loop.example.com", "DNAME", "x.loop.example.com"),
)
OTHER = zone_data("other.net", rr("www.other.net", "AAAA", "2001:db8::1"))
SNAP = snapshot(EXAMPLE, OTHER)


def test_name_below_the_owner_gets_dname_synthesised_cname_and_the_target() -> None:
    answer = resolve(SNAP, "www.old.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer) == [
        "old.example.com 900 DNAME new.example.com.",
        "www.old.example.com 900 CNAME www.new.example.com.",
        "www.new.example.com 300 A 192.0.2.80",
    ]


def test_the_owner_itself_answers_normally() -> None:
    assert texts(resolve(SNAP, "old.example.com", "A").answer) == ["old.example.com 300 A 192.0.2.9"]
    assert texts(resolve(SNAP, "old.example.com", "DNAME").answer) == [
        "old.example.com 900 DNAME new.example.com."
    ]
    assert is_negative(resolve(SNAP, "old.example.com", "CNAME"), "example.com", NOERROR)


def test_deep_names_keep_their_whole_prefix() -> None:
    answer = resolve(SNAP, "a.b.old.example.com", "A")
    assert answer.answer[1].rdatas == (Target("a.b.new.example.com"),)
    assert answer.rcode == NXDOMAIN  # the last name decides (RFC 6604)
    assert keys(answer.authority) == [("example.com", "SOA")]


def test_qtype_cname_stops_after_the_synthesised_cname() -> None:
    answer = resolve(SNAP, "www.old.example.com", "CNAME")
    assert keys(answer.answer) == [("old.example.com", "DNAME"), ("www.old.example.com", "CNAME")]
    assert answer.rcode == NOERROR and not answer.authority


def test_dname_chain_through_two_dnames() -> None:
    answer = resolve(SNAP, "www.v1.example.com", "A")
    assert texts(answer.answer) == [
        "v1.example.com 300 DNAME old.example.com.",
        "www.v1.example.com 300 CNAME www.old.example.com.",
        "old.example.com 900 DNAME new.example.com.",
        "www.old.example.com 900 CNAME www.new.example.com.",
        "www.new.example.com 300 A 192.0.2.80",
    ]


def test_dname_into_another_of_our_zones_and_outside() -> None:
    inside = resolve(SNAP, "www.twin.example.com", "AAAA")
    assert texts(inside.answer)[-1] == "www.other.net 300 AAAA 2001:db8::1"
    outside = resolve(SNAP, "www.ext.example.com", "A")
    assert outside.rcode == NOERROR and outside.aa
    assert texts(outside.answer)[-1] == "www.ext.example.com 300 CNAME www.example.org."
    assert not outside.authority


def test_dname_into_its_own_subtree_is_substituted_once_and_not_chased() -> None:
    answer = resolve(SNAP, "a.loop.example.com", "A")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer) == [
        "loop.example.com 300 DNAME x.loop.example.com.",
        "a.loop.example.com 300 CNAME a.x.loop.example.com.",
    ]
    assert not answer.authority


def test_dnames_into_each_other_stop_at_the_loop_or_the_link_limit() -> None:
    loop = snapshot(
        zone_data(
            "example.com",
            rr("p.example.com", "DNAME", "q.example.com"),
            rr("q.example.com", "DNAME", "p.example.com"),
        )
    )
    answer = resolve(loop, "x.p.example.com", "A")
    assert keys(answer.answer) == [
        ("p.example.com", "DNAME"),
        ("x.p.example.com", "CNAME"),
        ("q.example.com", "DNAME"),
        ("x.q.example.com", "CNAME"),
    ]
    growing = snapshot(
        zone_data(
            "example.com",
            rr("p.example.com", "DNAME", "g.q.example.com"),
            rr("q.example.com", "DNAME", "h.p.example.com"),
        )
    )
    answer = resolve(growing, "x.p.example.com", "A")
    assert answer.rcode == NOERROR
    assert [r.rtype for r in answer.answer].count("CNAME") == 8
    assert keys(answer.answer)[:4] == [
        ("p.example.com", "DNAME"),
        ("x.p.example.com", "CNAME"),
        ("q.example.com", "DNAME"),
        ("x.g.q.example.com", "CNAME"),
    ]
    assert [r.rtype for r in answer.answer[4:]] == ["CNAME"] * 6  # each DNAME appears once


def test_yxdomain_when_the_substituted_name_is_too_long() -> None:
    long_target = ".".join(["l" * 60] * 3) + ".example.com"  # 194 octets
    assert len(long_target) == 194
    zone = zone_data("example.com", rr("d.example.com", "DNAME", long_target))
    snap = snapshot(zone)
    fits = "x" * 45 + ".d.example.com"  # 45 + 1 + 194 = 240 <= 253
    assert resolve(snap, fits, "A").rcode == NXDOMAIN
    exact = "y" * 58 + ".d.example.com"  # 58 + 1 + 194 = 253: the longest legal name (255 on the wire)
    assert resolve(snap, exact, "A").answer[1].rdatas == (Target("y" * 58 + "." + long_target),)
    too_long = "z" * 59 + ".d.example.com"  # 254
    answer = resolve(snap, too_long, "A")
    assert answer.rcode == YXDOMAIN and answer.aa
    assert keys(answer.answer) == [("d.example.com", "DNAME")]
    assert not answer.authority


def test_dname_at_the_apex_rewrites_every_name_below_it() -> None:
    zone = zone_data("old.test", rr("old.test", "DNAME", "new.test"))
    new = zone_data("new.test", rr("www.new.test", "A", "192.0.2.1"))
    snap = snapshot(zone, new)
    answer = resolve(snap, "www.old.test", "A")
    assert keys(answer.answer) == [
        ("old.test", "DNAME"),
        ("www.old.test", "CNAME"),
        ("www.new.test", "A"),
    ]
    assert resolve(snap, "old.test", "SOA").answer[0].rtype == "SOA"


def test_cut_above_a_dname_wins() -> None:
    zone = zone_data(
        "example.com",
        rr("sub.example.com", "NS", "ns.provider.net"),
        rr("d.sub.example.com", "DNAME", "example.net"),
    )
    answer = resolve(snapshot(zone), "x.d.sub.example.com", "A")
    assert not answer.aa and keys(answer.authority) == [("sub.example.com", "NS")]


def test_dname_to_an_ancestor_of_its_owner_is_followed_to_the_end() -> None:
    # The "applied once" rule is about the DNAME target lying below its owner; a target above
    # the owner shortens the name at every step, so the chain ends (issue 10: BIND, NSD, Knot
    # and PowerDNS all follow it).
    uni = zone_data("uni.com", rr("uni.com", "DNAME", "com"))
    answer = resolve(snapshot(uni), "uni.uni.uni.com", "NS")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer) == [
        "uni.com 300 DNAME com.",
        "uni.uni.uni.com 300 CNAME uni.uni.com.",
        "uni.uni.com 300 CNAME uni.com.",
        "uni.com 3600 NS ns1.uni.com.",
        "uni.com 3600 NS ns2.uni.com.",
    ]
    bar = zone_data("bar", rr("bankcard.bar", "DNAME", "bar"))
    nx = resolve(snapshot(bar), "example.bankcard.bankcard.bar", "NS")
    assert nx.rcode == NXDOMAIN and texts(nx.answer)[-1] == "example.bankcard.bar 300 CNAME example.bar."
    assert keys(nx.authority) == [("bar", "SOA")]
