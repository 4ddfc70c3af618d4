"""RFC 8482: ANY gets one RRset (the first in ANY_ORDER) or a synthesised HINFO."""

from __future__ import annotations

from dnsd.answer import ANY_ORDER, NOERROR, NXDOMAIN, Answer, resolve
from dnsd.domain.rdata import HINFO
from dnsd.domain.snapshot import RRsetData, Snapshot

from .snapshots import is_negative, keys, make_zone, rr, snapshot, texts, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("both.example.com", "AAAA", "2001:db8::1"),
    rr("both.example.com", "TXT", '"t"'),
    rr("both.example.com", "A", "192.0.2.1"),
    rr("txt.example.com", "TXT", '"t"'),
    rr("txt.example.com", "CAA", '0 issue "letsencrypt.org"'),
    rr("alias.example.com", "CNAME", "both.example.com"),
    rr("*.w.example.com", "AAAA", "2001:db8::2"),
    rr("a.ent.example.com", "A", "192.0.2.3"),
    rr("mx.example.com", "MX", "10 both.example.com"),
)
SNAP = snapshot(EXAMPLE)


def one(answer: Answer) -> RRsetData:
    assert answer.rcode == NOERROR and answer.aa
    assert len(answer.answer) == 1
    return answer.answer[0]


def test_any_answers_one_rrset_in_the_documented_order() -> None:
    assert one(resolve(SNAP, "both.example.com", "ANY")).rtype == "A"
    assert one(resolve(SNAP, "txt.example.com", "ANY")).rtype == "TXT"
    assert ANY_ORDER.index("TXT") < ANY_ORDER.index("CAA")


def test_any_at_a_cname_returns_the_cname_unchased() -> None:
    assert texts(resolve(SNAP, "alias.example.com", "ANY").answer) == [
        "alias.example.com 300 CNAME both.example.com."
    ]


def test_any_on_a_wildcard_is_owned_by_the_query_name() -> None:
    assert one(resolve(SNAP, "x.w.example.com", "ANY")).name == "x.w.example.com"


def test_any_keeps_additional_processing_of_the_chosen_type() -> None:
    answer = resolve(SNAP, "mx.example.com", "ANY")
    assert keys(answer.answer) == [("mx.example.com", "MX")]
    assert keys(answer.additional) == [("both.example.com", "A"), ("both.example.com", "AAAA")]


def test_any_at_the_apex_without_address_or_text_data_is_the_soa() -> None:
    answer = resolve(SNAP, "example.com", "ANY")
    assert one(answer).rtype == "SOA"
    assert keys(answer.additional) == []  # ns1/ns2.example.com hold no addresses here


def test_any_negative_answers_as_usual() -> None:
    assert is_negative(resolve(SNAP, "ent.example.com", "ANY"), "example.com", NOERROR)
    assert is_negative(resolve(SNAP, "nope.example.com", "ANY"), "example.com", NXDOMAIN)


def test_any_on_a_name_with_only_unlisted_types_is_hinfo_rfc8482() -> None:
    base = zone_data(make_zone("example.com", ttl=600))
    odd = RRsetData("odd.example.com", "TYPE65", 300, ())
    nodes = dict(base.nodes) | {"odd.example.com": {"TYPE65": odd}}
    zone = type(base)(base.zone, nodes, base.ents, base.cuts, base.dnames)
    answer = resolve(Snapshot({"example.com": zone}), "odd.example.com", "ANY")
    assert texts(answer.answer) == ['odd.example.com 600 HINFO "RFC8482" ""']
    assert answer.answer[0].rdatas == (HINFO("RFC8482", ""),)
