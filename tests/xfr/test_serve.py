"""The transfer endpoint's decisions and TSIG, with dnspython as the client (and, in these tests
only, as the encoder of the answer sections the server's codec will encode)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Sequence

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import pytest

from dnsd.domain.changes import ZoneChange
from dnsd.domain.snapshot import RRsetData, Snapshot
from dnsd.domain.transfer import TransferAcl, TransferPolicy, TsigKey
from dnsd.xfr.reply import (
    FORMERR,
    NOERROR,
    NOTAUTH,
    REFUSED,
    TransferReply,
    ixfr_client_serial,
    transfer_reply,
)
from dnsd.xfr.tsig import BADKEY, BADSIG, BADTIME
from tests.export.zones import every_type_zone, large_zone

SECRET = b"t" * 32
KEY = TsigKey("xfr-key", SECRET)
KEYRING = dns.tsigkeyring.from_text({"xfr-key.": base64.b64encode(SECRET).decode()})
ZONE = every_type_zone()
BIG = large_zone(3000)
SNAPSHOT = Snapshot({ZONE.name: ZONE, BIG.name: BIG})
POLICY = TransferPolicy(
    {KEY.name: KEY},
    {
        ZONE.name: TransferAcl(ZONE.name, ("127.0.0.0/8",), (KEY.name,)),
        BIG.name: TransferAcl(BIG.name, ("127.0.0.1/32",)),
    },
)


def no_history(zone: str) -> Sequence[ZoneChange]:
    return []


def query(zone: str, rdtype: str, signed: bool = True, serial: int | None = None) -> dns.message.Message:
    message = dns.message.make_query(zone, rdtype)
    if serial is not None:
        message.authority.append(dns.rrset.from_text(zone + ".", 0, "IN", "SOA", f"ns. h. {serial} 0 0 0 0"))
    if signed:
        message.use_tsig(KEYRING, keyname="xfr-key.", algorithm=dns.tsig.HMAC_SHA256)
    return message


def encode(q: dns.message.Message, reply: TransferReply) -> list[bytes]:
    """What the server does with a reply: one message per section, then ``finish``."""
    out = []
    for section in reply.sections or [()]:
        message = dns.message.make_response(q)
        message.tsig = None  # finish() adds the TSIG RR
        message.set_rcode(reply.rcode)
        for rrset in section:
            message.answer.append(
                dns.rrset.from_text_list(
                    rrset.name + ".", rrset.ttl, "IN", rrset.rtype, [r.to_text() for r in rrset.rdatas]
                )
            )
        out.append(message.to_wire(max_size=65535))
    return reply.finish(out)


def ask(
    q: dns.message.Message,
    client: str = "127.0.0.1",
    tcp: bool = True,
    now: int | None = None,
    history: Callable[[str], Sequence[ZoneChange]] = no_history,
) -> tuple[TransferReply, list[bytes]]:
    zone = q.question[0].name.to_text(omit_final_dot=True)
    clock = int(time.time()) if now is None else now
    reply = transfer_reply(
        SNAPSHOT, zone, q.question[0].rdtype, q.to_wire(), client, tcp, POLICY, history, clock
    )
    return reply, encode(q, reply)


def read_all(q: dns.message.Message, wires: list[bytes]) -> list[dns.message.Message]:
    out, ctx, mac = [], None, q.mac
    for wire in wires:
        message = dns.message.from_wire(
            wire, keyring=KEYRING, request_mac=mac, multi=True, tsig_ctx=ctx, one_rr_per_rrset=True
        )
        out.append(message)
        ctx, mac = message.tsig_ctx, message.mac
    return out


def test_signed_axfr_is_answered_in_signed_messages_dnspython_verifies() -> None:
    q = query(ZONE.name, "AXFR")
    reply, wires = ask(q)
    assert reply.rcode == NOERROR and reply.key == KEY
    messages = read_all(q, wires)
    rrs = [rr for m in messages for rrset in m.answer for rr in rrset]
    assert rrs[0].rdtype == rrs[-1].rdtype == dns.rdatatype.SOA
    assert len(rrs) == sum(len(r.rdatas) for node in ZONE.nodes.values() for r in node.values()) + 1


def test_large_axfr_spans_messages_each_under_64k() -> None:
    q = query(BIG.name, "AXFR", signed=False)
    reply, wires = ask(q)
    assert reply.rcode == NOERROR and reply.key is None and len(wires) > 1
    assert all(len(w) <= 65535 for w in wires)
    messages = [dns.message.from_wire(w) for w in wires]
    assert (
        messages[0].answer[0].rdtype == dns.rdatatype.SOA
        and messages[-1].answer[-1].rdtype == dns.rdatatype.SOA
    )


@pytest.mark.parametrize(
    ("zone", "rdtype", "signed", "client", "tcp", "rcode"),
    [
        ("example.com", "AXFR", False, "127.0.0.1", True, REFUSED),  # the ACL wants the key
        ("example.com", "AXFR", True, "192.0.2.1", True, REFUSED),  # and the network
        ("example.com", "AXFR", True, "127.0.0.1", False, REFUSED),  # never over UDP
        ("www.example.com", "AXFR", True, "127.0.0.1", True, NOTAUTH),  # not a zone apex
        ("other.example", "AXFR", True, "127.0.0.1", True, NOTAUTH),
        ("big.example", "AXFR", False, "127.0.0.2", True, REFUSED),
        ("example.com", "IXFR", True, "127.0.0.1", True, FORMERR),  # IXFR without an SOA
    ],
)
def test_refusals(zone: str, rdtype: str, signed: bool, client: str, tcp: bool, rcode: int) -> None:
    q = query(zone, rdtype, signed)
    reply, wires = ask(q, client, tcp)
    assert reply.rcode == rcode and reply.sections == [] and reply.reason
    (wire,) = wires
    message = (
        dns.message.from_wire(wire, keyring=KEYRING, request_mac=q.mac)
        if signed
        else dns.message.from_wire(wire)
    )
    assert message.rcode() == rcode and message.had_tsig == signed


def test_bad_tsig_gets_notauth_with_the_tsig_error() -> None:
    q = query(ZONE.name, "AXFR")
    reply, wires = ask(q, now=int(time.time()) + 3600)
    assert reply.rcode == NOTAUTH and reply.tsig_error is not None and reply.tsig_error[0] == BADTIME
    with pytest.raises(dns.tsig.PeerBadTime):
        dns.message.from_wire(wires[0], keyring=KEYRING, request_mac=q.mac)
    other = dns.tsigkeyring.from_text({"stranger.": base64.b64encode(SECRET).decode()})
    q2 = dns.message.make_query(ZONE.name, "AXFR")
    q2.use_tsig(other, keyname="stranger.", algorithm=dns.tsig.HMAC_SHA256)
    reply, wires = ask(q2)
    assert reply.rcode == NOTAUTH and reply.tsig_error is not None and reply.tsig_error[0] == BADKEY
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.message.from_wire(wires[0], keyring=other, request_mac=q2.mac)
    forged = dns.tsigkeyring.from_text({"xfr-key.": base64.b64encode(b"f" * 32).decode()})
    q3 = dns.message.make_query(ZONE.name, "AXFR")
    q3.use_tsig(forged, keyname="xfr-key.", algorithm=dns.tsig.HMAC_SHA256)
    reply, _ = ask(q3)
    assert reply.rcode == NOTAUTH and reply.tsig_error is not None and reply.tsig_error[0] == BADSIG


def test_ixfr_answers() -> None:
    serial = ZONE.zone.serial
    line = ("new.example.com", "A", 60, "192.0.2.99")

    def history(zone: str) -> list[ZoneChange]:
        return [ZoneChange(zone, serial - 1, serial, (), (line,))]

    q = query(ZONE.name, "IXFR", serial=serial - 1)
    assert ixfr_client_serial(q.to_wire()) == serial - 1
    reply, wires = ask(q, history=history)
    rrs = [(rrset.name.to_text(), rrset.rdtype) for m in read_all(q, wires) for rrset in m.answer]
    assert [t for _, t in rrs] == [
        dns.rdatatype.SOA,
        dns.rdatatype.SOA,
        dns.rdatatype.SOA,
        dns.rdatatype.A,
        dns.rdatatype.SOA,
    ]
    udp = query(ZONE.name, "IXFR", serial=serial - 1)
    reply, wires = ask(udp, tcp=False, history=history)
    (message,) = read_all(udp, wires)
    assert [r.rdtype for r in message.answer] == [dns.rdatatype.SOA] and message.answer[0][0].serial == serial
    old = query(ZONE.name, "IXFR", serial=serial - 5)
    reply, wires = ask(old, history=history)
    rrs2 = [rr for m in read_all(old, wires) for rrset in m.answer for rr in rrset]
    assert rrs2[1].rdtype != dns.rdatatype.SOA and len(rrs2) == 32  # AXFR-style: the whole zone
    assert "as AXFR" in reply.reason


def test_rrsetdata_sections_only() -> None:
    reply, _ = ask(query(ZONE.name, "AXFR"))
    assert all(isinstance(r, RRsetData) for section in reply.sections for r in section)
