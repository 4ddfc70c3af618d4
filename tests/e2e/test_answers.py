"""What the server answers, end to end over UDP and TCP, checked with dig and dnspython."""

from __future__ import annotations

import dns.flags
import dns.rcode
import dns.rdatatype
import pytest

from tests.e2e.conftest import ZONE, dig, tcp, udp


def test_www_answers_the_pools_vips_with_aa(port: int) -> None:
    out = dig(port, f"www.{ZONE}")
    assert out.status == "NOERROR" and "aa" in out.flags and "qr" in out.flags
    assert "ra" not in out.flags
    assert sorted(r[4] for r in out.records()) == ["10.0.0.1", "10.0.0.2"]
    assert {r[3] for r in out.records()} == {"A"}


@pytest.mark.parametrize("query", [udp, tcp])
def test_aaaa_from_the_pool_over_both_transports(port: int, query: object) -> None:
    msg = query(port, f"www.{ZONE}", "AAAA")  # type: ignore[operator]
    assert msg.rcode() == dns.rcode.NOERROR and msg.flags & dns.flags.AA
    assert [r.to_text() for r in msg.answer[0]] == ["fd00::1"]


def test_nxdomain_vs_nodata_vs_referral(port: int) -> None:
    nx = dig(port, f"nope.{ZONE}")
    assert nx.status == "NXDOMAIN" and "aa" in nx.flags and not nx.records()
    [soa] = nx.records("AUTHORITY")
    assert soa[3] == "SOA" and soa[1] == "60"  # min(SOA TTL 300, minimum 60), RFC 2308
    nodata = dig(port, f"www.{ZONE}", "TXT")
    assert nodata.status == "NOERROR" and "aa" in nodata.flags and not nodata.records()
    assert nodata.records("AUTHORITY")[0][3] == "SOA"
    ent = dig(port, f"b.c.{ZONE}", "A")
    assert ent.status == "NOERROR" and not ent.records() and ent.records("AUTHORITY")[0][3] == "SOA"
    referral = dig(port, f"host.deep.sub.{ZONE}", "A")
    assert referral.status == "NOERROR" and "aa" not in referral.flags and not referral.records()
    assert referral.records("AUTHORITY") == [[f"sub.{ZONE}.", "300", "IN", "NS", f"ns.sub.{ZONE}."]]
    assert referral.records("ADDITIONAL") == [[f"ns.sub.{ZONE}.", "300", "IN", "A", "10.0.1.1"]]


def test_wildcard_synthesis_and_its_limits(port: int) -> None:
    hit = dig(port, f"anything.apps.{ZONE}")
    assert hit.status == "NOERROR" and "aa" in hit.flags
    assert hit.records() == [[f"anything.apps.{ZONE}.", "300", "IN", "A", "10.0.0.8"]]
    deeper = udp(port, f"a.b.apps.{ZONE}")
    assert (
        deeper.answer[0].name.to_text() == f"a.b.apps.{ZONE}." and deeper.answer[0][0].to_text() == "10.0.0.8"
    )
    existing = dig(port, f"x.apps.{ZONE}", "A")  # the name exists: no wildcard, NODATA
    assert existing.status == "NOERROR" and not existing.records()
    assert dig(port, f"x.apps.{ZONE}", "TXT").records()[0][4] == '"not'
    nodata = dig(port, f"other.apps.{ZONE}", "MX")  # wildcard has no MX
    assert nodata.status == "NOERROR" and not nodata.records()


def test_cname_chain_loop_and_exit(port: int) -> None:
    chain = dig(port, f"chain1.{ZONE}")
    assert [r[3] for r in chain.records()] == ["CNAME", "CNAME", "A", "A"]
    assert chain.records()[0][4] == f"chain2.{ZONE}." and chain.status == "NOERROR"
    loop = udp(port, f"loop1.{ZONE}")
    assert loop.rcode() in (dns.rcode.NOERROR, dns.rcode.SERVFAIL)
    assert loop.answer and all(r.rdtype == dns.rdatatype.CNAME for r in loop.answer)
    assert len(loop.answer) <= 9
    out = dig(port, f"out.{ZONE}")
    assert out.records() == [[f"out.{ZONE}.", "300", "IN", "CNAME", "www.example.org."]]
    direct = dig(port, f"alias.{ZONE}", "CNAME")
    assert direct.records() == [[f"alias.{ZONE}.", "300", "IN", "CNAME", f"www.{ZONE}."]]


def test_dname_substitution(port: int) -> None:
    out = dig(port, f"host.dn.{ZONE}")
    assert [r[3] for r in out.records()] == ["DNAME", "CNAME", "A"]
    assert out.records()[1] == [f"host.dn.{ZONE}.", "300", "IN", "CNAME", f"host.target.{ZONE}."]
    assert out.records()[2][4] == "10.0.2.1"


def test_dname_result_too_long_is_yxdomain(port: int) -> None:
    label = "a" * 63
    name = f"{label}.{label}.{label}.{'b' * 44}.dn.{ZONE}"  # 253 octets; 257 once dn -> target
    assert len(name) == 253
    out = udp(port, name)
    assert out.rcode() == dns.rcode.YXDOMAIN and out.answer[0].rdtype == dns.rdatatype.DNAME


def test_longest_zone_match_wins(port: int) -> None:
    child = dig(port, f"www.kids.{ZONE}")
    assert child.status == "NOERROR" and "aa" in child.flags and child.records()[0][4] == "10.0.3.1"
    missing = dig(port, f"nope.kids.{ZONE}")
    assert missing.status == "NXDOMAIN" and missing.records("AUTHORITY")[0][0] == f"kids.{ZONE}."


def test_names_outside_our_zones_are_refused(port: int) -> None:
    out = dig(port, "www.example.org")
    assert out.status == "REFUSED" and "aa" not in out.flags and not out.records()


def test_apex_ns_with_glue_and_other_types(port: int) -> None:
    ns = dig(port, ZONE, "NS")
    assert sorted(r[4] for r in ns.records()) == [f"ns1.{ZONE}.", f"ns2.{ZONE}."]
    assert sorted((r[0], r[3], r[4]) for r in ns.records("ADDITIONAL")) == [
        (f"ns1.{ZONE}.", "A", "10.53.0.1"), (f"ns2.{ZONE}.", "AAAA", "fd00::53"),
    ]  # fmt: skip
    soa = dig(port, ZONE, "SOA")
    assert soa.records()[0][3] == "SOA"
    assert (f"ns1.{ZONE}.", "A", "10.53.0.1") in {(r[0], r[3], r[4]) for r in soa.records("ADDITIONAL")}
    assert dig(port, ZONE, "CAA").records()[0][4:] == ["0", "issue", '"letsencrypt.org"']
    assert dig(port, f"mail.{ZONE}", "MX").records()[0][4:] == ["10", f"mx.{ZONE}."]
    assert dig(port, f"_http._tcp.{ZONE}", "SRV").records()[0][4:] == ["0", "5", "80", f"www.{ZONE}."]
    assert dig(port, "other.test", "SOA").status == "NOERROR"


def test_any_gets_one_rrset(port: int) -> None:
    msg = tcp(port, f"www.{ZONE}", "ANY")
    assert msg.rcode() == dns.rcode.NOERROR and len(msg.answer) == 1
