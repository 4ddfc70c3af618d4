"""Parsing queries: every field, and FORMERR for every malformation the policy names."""

from __future__ import annotations

import struct

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rdatatype
import pytest

from dnsd import wire
from dnsd.wire import FormError, parse_query


def make(name: str = "www.hello-web.com", rtype: str = "A", **kwargs: object) -> bytes:
    return dns.message.make_query(name, rtype, **kwargs).to_wire()  # type: ignore[arg-type]


def header(
    qid: int = 0x1234, flags: int = 0x0100, qd: int = 1, an: int = 0, ns: int = 0, ar: int = 0
) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


QUESTION = b"\x03www\x09hello-web\x03com\x00\x00\x01\x00\x01"
OPT = b"\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00"


def test_plain_query_fields() -> None:
    data = make("WwW.Hello-Web.COM.", "AAAA")
    query = parse_query(data)
    assert query.id == int.from_bytes(data[:2], "big")
    assert query.qname == "www.hello-web.com"
    assert query.question == data[12:]  # the client's case, byte for byte
    assert query.qtype == 28 and query.qtype_name == "AAAA" and query.qclass == 1
    assert query.opcode == wire.QUERY and query.flags & wire.RD_BIT
    assert not query.edns and query.plain and query.udp_limit == 512


def test_edns_fields() -> None:
    query = parse_query(make(use_edns=0, payload=4096, want_dnssec=True))
    assert query.edns and query.payload == 4096 and query.do and query.edns_version == 0
    assert query.plain and query.udp_limit == wire.OUR_PAYLOAD


@pytest.mark.parametrize(
    ("payload", "limit"), [(100, 512), (512, 512), (1000, 1000), (1232, 1232), (65535, 1232)]
)
def test_udp_limit_follows_client_payload_within_bounds(payload: int, limit: int) -> None:
    assert parse_query(make(use_edns=0, payload=payload)).udp_limit == limit


def test_edns_version_and_options_are_read() -> None:
    cookie = dns.edns.GenericOption(10, b"12345678")
    query = parse_query(make(use_edns=1, options=[cookie]))
    assert query.edns_version == 1
    assert query.plain  # options do not make a query uncacheable; they are ignored


def test_unnamed_type_gets_generic_name() -> None:
    assert parse_query(make(rtype="TYPE4711")).qtype_name == "TYPE4711"
    assert parse_query(make(rtype="ANY")).qtype_name == "ANY"
    assert parse_query(make(rtype="AXFR")).qtype_name == "AXFR"


@pytest.mark.parametrize(
    "rtype", ["DS", "DNSKEY", "RRSIG", "HTTPS", "SVCB", "OPT", "TSIG", "TKEY", "MAILA", "MAILB", "IXFR"]
)
def test_types_dnsd_does_not_store_keep_their_canonical_name(rtype: str) -> None:
    # The answer logic's rules for DS, ANY and the meta types match on these names (issue 10)
    assert parse_query(make(rtype=rtype)).qtype_name == rtype
    assert wire.type_code(rtype) == dns.rdatatype.from_text(rtype)


def test_root_and_odd_labels_are_canonical_text() -> None:
    assert parse_query(header() + b"\x00\x00\x02\x00\x01").qname == ""
    odd = header() + b"\x03a.b\x04A\x00\\z\x03com\x00\x00\x01\x00\x01"
    assert parse_query(odd).qname == "a\\046b.a\\000\\092z.com"
    assert wire.name_labels("a\\046b.a\\000\\092z.com") == (b"a.b", b"a\x00\\z", b"com")


def test_non_query_opcode_parses() -> None:
    msg = dns.message.make_query("hello-web.com", "SOA")
    msg.set_opcode(dns.opcode.NOTIFY)
    assert parse_query(msg.to_wire()).opcode == wire.NOTIFY


def test_other_records_make_a_query_unplain() -> None:
    answer_rr = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04"
    assert not parse_query(header(an=1) + QUESTION + answer_rr).plain
    assert not parse_query(header(ar=2) + QUESTION + answer_rr + OPT).plain


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x12\x34\x01", "shorter than a DNS header"),
        (header(qd=0), "QDCOUNT is 0"),
        (header(qd=2) + QUESTION + QUESTION, "QDCOUNT is 2"),
        (header() + b"\x03www", "runs past the end"),
        (header() + b"\xc0\x0c\x00\x01\x00\x01", "compression pointer"),
        (header() + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01", "unknown label type"),
        (header() + b"\x3f" + b"a" * 63 + b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 + b"\x3f" + b"d" * 63
         + b"\x00\x00\x01\x00\x01", "longer than 255"),
        (header() + QUESTION[:-2], "type and class missing"),
        (header(ar=1) + QUESTION + OPT[:-3], "runs past the end"),
        (header(ar=1) + QUESTION + OPT[:-2] + b"\x00\x05ab", "runs past the end"),
        (header(ar=2) + QUESTION + OPT + OPT, "2 OPT records"),
        (header(an=1) + QUESTION + OPT, "OPT record outside"),
        (header(ar=1) + QUESTION + b"\x01x" + OPT, "owner is not the root"),
        (header() + QUESTION + b"\x00", "trailing octets"),
    ],
)  # fmt: skip
def test_malformed_messages_raise_form_error(data: bytes, reason: str) -> None:
    with pytest.raises(FormError, match=reason):
        parse_query(data)


def test_pointer_in_additional_names_is_followed_not_rejected() -> None:
    tsig_like = b"\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x00\x00\x02\x01x"
    query = parse_query(header(ar=1) + QUESTION + tsig_like)
    assert query.qname == "www.hello-web.com" and not query.plain


def test_type_code_round_trip() -> None:
    for code in (1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 39, 65, 251, 252, 255, 257, 65535):
        name = wire.TYPE_NAMES.get(code, f"TYPE{code}")
        assert wire.type_code(name) == code
        assert dns.rdatatype.to_text(dns.rdatatype.RdataType.make(code)) in (name, "HTTPS")
    with pytest.raises(ValueError, match="unknown record type"):
        wire.type_code("NOPE")
