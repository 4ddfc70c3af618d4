"""Answers an independent check against NSD found different, now through the real server:
DS at a zone cut, DNAMEs pointing at an ancestor of their owner, unknown opcodes, query class
ANY and IXFR over UDP without the client's SOA."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from dnsd.domain.records import make_rrset
from dnsd.export.importfile import read_zone_file
from dnsd.store.zone_import import ZoneImportOps
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, ServerThread, dig, server_settings, udp

OWNER = "ci:edges"
FILES = Path(__file__).parent.parent / "export" / "files"


def put(store: ZoneStore, name: str, rtype: str, *values: str) -> None:
    store.put_rrset(make_rrset(name, rtype, 300, OWNER, list(values)), "test")


@pytest.fixture
def edges(zone_store: ZoneStore, db_url: str) -> Iterator[int]:
    """The e2e zone (with its delegation ``sub`` and child zone ``kids``), two zones with a
    DNAME pointing at an ancestor of its owner, and two imported zones with ``*`` labels."""
    store = zone_store
    store.create_zone(make_zone("uni.com", ["ns.uni.com"]), "test")
    put(store, "ns.uni.com", "A", "192.0.2.1")
    put(store, "uni.com", "DNAME", "com.")
    store.create_zone(make_zone("bar", ["ns.bar"]), "test")
    put(store, "ns.bar", "A", "192.0.2.2")
    put(store, "bankcard.bar", "DNAME", "bar.")
    importer = ZoneImportOps(store.engine, store.limits)
    for file in ("example.star.zone", "email.zone"):  # names only bind9's rules allow
        importer.apply_zone_import(read_zone_file((FILES / file).read_text(), "import:test"), "test")
    thread = ServerThread(server_settings(db_url), store).start()
    yield thread.port
    thread.stop()


@pytest.mark.parametrize("name", [f"sub.{ZONE}", f"kids.{ZONE}"])
def test_ds_at_a_cut_is_answered_by_the_parent(edges: int, name: str) -> None:
    # sub: a delegation; kids: the apex of a child zone we also host (as NSD: the parent answers)
    out = dig(edges, "+norec", name, "DS")
    assert out.status == "NOERROR" and "aa" in out.flags and not out.records()
    [soa] = out.records("AUTHORITY")
    assert soa[0] == f"{ZONE}." and soa[3] == "SOA"


def test_other_types_dnsd_does_not_store_are_nodata_not_a_referral(edges: int) -> None:
    for rtype in ("DNSKEY", "HTTPS", "TYPE4711"):
        out = dig(edges, "+norec", f"www.{ZONE}", rtype)
        assert out.status == "NOERROR" and "aa" in out.flags and not out.records()
        assert out.records("AUTHORITY")[0][3] == "SOA"


def test_dname_to_an_ancestor_is_followed(edges: int) -> None:
    out = dig(edges, "+norec", "uni.uni.uni.com", "NS")
    assert out.status == "NOERROR" and "aa" in out.flags
    assert [r[0] + " " + r[3] + " " + r[4] for r in out.records()] == [
        "uni.com. DNAME com.",
        "uni.uni.uni.com. CNAME uni.uni.com.",
        "uni.uni.com. CNAME uni.com.",
        "uni.com. NS ns.uni.com.",
    ]


def test_dname_to_an_ancestor_ends_in_nxdomain(edges: int) -> None:
    out = dig(edges, "+norec", "example.bankcard.bankcard.bar", "NS")
    assert out.status == "NXDOMAIN" and "aa" in out.flags
    assert [r[3] for r in out.records()] == ["DNAME", "CNAME", "CNAME"]
    assert out.records()[-1][4] == "example.bar."
    [soa] = out.records("AUTHORITY")
    assert soa[0] == "bar." and soa[3] == "SOA"


@pytest.mark.parametrize("opcode", ["15", "3", "iquery", "status", "update"])
def test_unknown_opcodes_get_notimp_with_only_qr(edges: int, opcode: str) -> None:
    out = dig(edges, f"+opcode={opcode}", "+rec", "+cdflag", "+adflag", f"www.{ZONE}", "A")
    assert out.status == "NOTIMP" and out.flags == {"qr"}


def test_unknown_opcode_in_an_unparseable_message_gets_notimp_with_only_qr(edges: int) -> None:
    data = bytearray(dns.message.make_query(f"www.{ZONE}", "A").to_wire())
    data[2] = (15 << 3) | 0x01  # opcode 15, RD
    data[3] = 0x30  # AD, CD
    data[5] = 2  # QDCOUNT 2 with one question: unparseable
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(bytes(data), ("127.0.0.1", edges))
        reply = sock.recv(512)
    assert reply[2] == 0x80 | (15 << 3) and reply[3] == 4  # QR, opcode 15; NOTIMP, no RA/AD/CD


def class_any(port: int, name: str, rtype: str) -> dns.message.Message:
    query = dns.message.make_query(name, rtype, rdclass=dns.rdataclass.ANY)
    query.flags &= ~dns.flags.RD
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=3)


def test_class_any_gets_the_in_data_as_nsd_gives_it(edges: int) -> None:
    hit = class_any(edges, f"mx.{ZONE}", "A")
    assert hit.rcode() == dns.rcode.NOERROR and not hit.flags & dns.flags.AA
    assert [r.to_text() for r in hit.answer] == [f"mx.{ZONE}. 300 IN A 10.0.0.25"]
    missing = class_any(edges, f"nope.{ZONE}", "A")
    assert missing.rcode() == dns.rcode.NXDOMAIN and not missing.authority
    nodata = class_any(edges, f"mx.{ZONE}", "TXT")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer and not nodata.authority
    assert class_any(edges, "elsewhere.example", "A").rcode() == dns.rcode.REFUSED
    assert dig(edges, f"www.{ZONE}", "CH", "A").status == "REFUSED"  # other classes stay refused


def test_ixfr_over_udp_needs_the_clients_soa(edges: int) -> None:
    bare = dns.message.make_query(f"{ZONE}.", "IXFR")
    assert dns.query.udp(bare, "127.0.0.1", port=edges, timeout=3).rcode() == dns.rcode.FORMERR
    soa = udp(edges, ZONE, "SOA").answer[0]
    with_soa = dns.message.make_query(f"{ZONE}.", "IXFR")
    with_soa.authority.append(soa)
    reply = dns.query.udp(with_soa, "127.0.0.1", port=edges, timeout=3)
    assert reply.rcode() == dns.rcode.NOERROR and reply.answer[0].rdtype == dns.rdatatype.SOA


def test_imported_star_labels_are_served_as_nsd_serves_them(edges: int) -> None:
    # a zone named example.* answers bar.example.* by its wildcard *.example.*
    wild = dig(edges, "+norec", "bar.example.*", "A")
    assert wild.status == "NOERROR" and "aa" in wild.flags
    assert wild.records() == [["bar.example.*.", "300", "IN", "CNAME", "campus."]]
    assert dig(edges, "+norec", "www.example.*", "A").records()[0][4] == "192.0.2.8"
    ns = dig(edges, "+norec", "email", "NS")
    assert sorted(r[4] for r in ns.records()) == ["mybankcard.www.campus.*.", "ns.email."]
