"""Encoding responses, read back with dnspython as an independent decoder."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from dnsd import wire
from dnsd.answer import Answer
from dnsd.domain.rdata import CAA, HINFO, MX, SOA, SRV, TXT, Address, Rdata, Target
from dnsd.domain.snapshot import RRsetData
from dnsd.wire import encode_response, parse_query


def query(name: str = "www.hello-web.com", rtype: str = "A", **kwargs: object) -> tuple[wire.Query, bytes]:
    data = dns.message.make_query(name, rtype, **kwargs).to_wire()  # type: ignore[arg-type]
    return parse_query(data), data


def rrset(name: str, rtype: str, *rdatas: Rdata, ttl: int = 300) -> RRsetData:
    return RRsetData(name, rtype, ttl, rdatas)


WWW = rrset("www.hello-web.com", "A", Address("10.0.0.1"), Address("10.0.0.2"))
SOA_SET = rrset(
    "hello-web.com", "SOA", SOA("ns1.hello-web.com", "hostmaster.hello-web.com", 7, 3600, 600, 86400, 60)
)


def decode(data: bytes) -> dns.message.Message:
    return dns.message.from_wire(data)


def test_answer_header_and_sections() -> None:
    q, _ = query(use_edns=0, want_dnssec=True)
    ns = rrset("hello-web.com", "NS", Target("ns1.hello-web.com"))
    glue = rrset("ns1.hello-web.com", "A", Address("10.53.0.1"))
    msg = decode(encode_response(q, Answer(0, True, (WWW,), (ns,), (glue,))))
    assert msg.id == q.id and msg.rcode() == dns.rcode.NOERROR
    assert msg.flags & dns.flags.QR and msg.flags & dns.flags.AA and msg.flags & dns.flags.RD
    assert not msg.flags & dns.flags.RA and not msg.flags & dns.flags.TC
    assert msg.edns == 0 and msg.payload == wire.OUR_PAYLOAD and msg.ednsflags & dns.flags.DO
    assert sorted(str(r) for r in msg.answer[0]) == ["10.0.0.1", "10.0.0.2"]
    assert msg.authority[0].to_text() == "hello-web.com. 300 IN NS ns1.hello-web.com."
    assert msg.additional[0].to_text() == "ns1.hello-web.com. 300 IN A 10.53.0.1"


def test_question_is_echoed_in_the_clients_case_and_cd_copied() -> None:
    msg_in = dns.message.make_query("wWw.HELLO-web.Com", "A")
    msg_in.flags = dns.flags.CD  # RD clear, CD set
    q = parse_query(msg_in.to_wire())
    data = encode_response(q, Answer(0, True, (WWW,)))
    assert data[12 : 12 + len(q.question)] == q.question
    msg = decode(data)
    assert msg.question[0].name.to_text() == "wWw.HELLO-web.Com."
    assert msg.flags & dns.flags.CD and not msg.flags & dns.flags.RD and msg.edns == -1


def test_referral_clears_aa_and_nxdomain_keeps_rcode() -> None:
    q, _ = query("nope.hello-web.com")
    msg = decode(encode_response(q, Answer(wire.NXDOMAIN, True, (), (SOA_SET,))))
    assert msg.rcode() == dns.rcode.NXDOMAIN and msg.flags & dns.flags.AA
    assert (
        msg.authority[0]
        .to_text()
        .endswith("SOA ns1.hello-web.com. hostmaster.hello-web.com. 7 3600 600 86400 60")
    )
    q, _ = query("a.sub.hello-web.com")
    ns = rrset("sub.hello-web.com", "NS", Target("ns.sub.hello-web.com"))
    msg = decode(encode_response(q, Answer(0, False, (), (ns,))))
    assert not msg.flags & dns.flags.AA and msg.rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize(
    ("rtype", "rdata", "text"),
    [
        ("AAAA", Address("fd00::1"), "fd00::1"),
        ("CNAME", Target("www.hello-web.com"), "www.hello-web.com."),
        ("NS", Target("ns1.hello-web.com"), "ns1.hello-web.com."),
        ("PTR", Target("host.hello-web.com"), "host.hello-web.com."),
        ("DNAME", Target("target.hello-web.com"), "target.hello-web.com."),
        ("MX", MX(10, "mx.hello-web.com"), "10 mx.hello-web.com."),
        ("SRV", SRV(0, 5, 443, "www.hello-web.com"), "0 5 443 www.hello-web.com."),
        ("TXT", TXT((b"hello world", b"", b'q"\\\x00')), '"hello world" "" "q\\"\\\\\\000"'),
        ("CAA", CAA(0, "issue", "letsencrypt.org"), '0 issue "letsencrypt.org"'),
        ("HINFO", HINFO("RFC8482", ""), '"RFC8482" ""'),
        ("SOA", SOA_SET.rdatas[0], "ns1.hello-web.com. hostmaster.hello-web.com. 7 3600 600 86400 60"),
    ],
)
def test_every_rdata_type_round_trips(rtype: str, rdata: Rdata, text: str) -> None:
    q, _ = query("x.hello-web.com", rtype)
    msg = decode(encode_response(q, Answer(0, True, (rrset("x.hello-web.com", rtype, rdata, ttl=60),))))
    [answer] = msg.answer
    assert answer.rdtype == dns.rdatatype.from_text(rtype) and answer.ttl == 60
    assert answer[0].to_text() == text


def test_dname_target_is_not_compressed() -> None:
    q, _ = query("x.dn.hello-web.com", "DNAME")
    data = encode_response(q, Answer(0, True, (rrset("dn.hello-web.com", "DNAME", Target("hello-web.com")),)))
    assert data.endswith(b"\x09hello-web\x03com\x00")


def test_wildcard_owner_with_odd_octets_is_encoded_back() -> None:
    data = dns.message.make_query("a.apps.hello-web.com", "A").to_wire()
    odd = data[:12] + b"\x03a.b" + data[14:]
    q = parse_query(odd)
    msg = decode(encode_response(q, Answer(0, True, (rrset(q.qname, "A", Address("10.0.0.8")),))))
    assert msg.answer[0].name.labels[0] == b"a.b"


def big_answer(count: int) -> Answer:
    return Answer(
        0,
        True,
        (rrset("many.hello-web.com", "A", *(Address(f"10.1.{i // 256}.{i % 256}") for i in range(count))),),
    )


@pytest.mark.parametrize(("edns", "payload", "fits"), [(False, 0, 29), (True, 1232, 74), (True, 700, 40)])
def test_truncation_at_the_client_limit(edns: bool, payload: int, fits: int) -> None:
    kwargs: dict[str, object] = {"use_edns": 0, "payload": payload} if edns else {}
    q, _ = query("many.hello-web.com", **kwargs)
    ok = encode_response(q, big_answer(fits), q.udp_limit)
    assert len(ok) <= q.udp_limit and not decode(ok).flags & dns.flags.TC
    cut = decode(encode_response(q, big_answer(fits + 1), q.udp_limit))
    assert cut.flags & dns.flags.TC and cut.flags & dns.flags.AA
    assert not cut.answer and len(cut.question) == 1 and cut.edns == (0 if edns else -1)


def test_tcp_sized_message_with_pointers_past_16k() -> None:
    q, _ = query("many.hello-web.com")
    names = tuple(
        rrset(f"h{i}.many.hello-web.com", "CNAME", Target("many.hello-web.com")) for i in range(900)
    )
    data = encode_response(q, Answer(0, True, names))
    assert len(data) > 0x4000
    msg = decode(data)
    assert len(msg.answer) == 900 and str(msg.answer[-1][0]) == "many.hello-web.com."


def test_error_responses() -> None:
    q, _ = query(use_edns=1, want_dnssec=True)
    msg = decode(wire.error_response(q, wire.BADVERS))
    assert msg.rcode() == dns.rcode.BADVERS and msg.edns == 0 and msg.ednsflags & dns.flags.DO
    assert msg.question[0].name.to_text() == "www.hello-web.com." and not msg.flags & dns.flags.AA
    q, data = query()
    msg = decode(wire.error_response(q, wire.REFUSED))
    assert msg.rcode() == dns.rcode.REFUSED and msg.edns == -1 and msg.id == q.id
    raw = wire.header_error(data[:12] + b"\xff", wire.FORMERR)
    assert raw is not None
    msg = decode(raw)
    assert (
        msg.rcode() == dns.rcode.FORMERR and not msg.question and msg.id == q.id and msg.flags & dns.flags.RD
    )
    assert wire.header_error(b"\x00" * 11, wire.FORMERR) is None


def test_chaos_txt() -> None:
    q, _ = query("version.bind", "TXT", rdclass="CH")
    msg = decode(wire.chaos_txt(q, "dnsd 1.0"))
    assert msg.answer[0].to_text() == 'version.bind. 0 CH TXT "dnsd 1.0"' and msg.flags & dns.flags.AA
