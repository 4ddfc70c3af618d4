"""NOTIFY (RFC 1996) messages: the NOTIFY we send, the answer we expect, the rcode for a NOTIFY
we receive, and where secondaries are. No I/O: the sender is :mod:`dnsd.server.notify`.

The messages are tiny and fixed in shape (a header, the question, the SOA), so they are built
here from the wire codec's names rather than through dnslib; TSIG needs the exact bytes anyway.
"""

from __future__ import annotations

import struct
from collections.abc import Container, Sequence

from dnsd.domain.rdata import SOA
from dnsd.domain.secondaries import parse_secondary
from dnsd.domain.transfer import TsigKey
from dnsd.domain.zones import Zone
from dnsd.wire import FormError, encode_name
from dnsd.xfr.tsig import TsigError, sign_message, verify_message

OPCODE_NOTIFY = 4
TYPE_SOA, CLASS_IN = 6, 1
NOERROR, FORMERR, NOTAUTH = 0, 1, 9
_QR, _AA = 0x8000, 0x0400


def parse_target(text: str) -> tuple[str, int]:
    """``192.0.2.1``, ``192.0.2.1:5300``, ``2001:db8::1`` or ``[2001:db8::1]:5300`` -> (host, port).
    Raises ValueError for anything else (secondaries are addresses, not names); see
    :func:`dnsd.domain.secondaries.parse_secondary`, which the API checks them with."""
    return parse_secondary(text)


def notify_targets(secondaries: Sequence[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """The (host, port) of each secondary, and a message for each entry that is not one."""
    targets, problems = [], []
    for text in secondaries:
        try:
            targets.append(parse_target(text))
        except ValueError as exc:
            problems.append(f"secondary {text!r} is not an address[:port]: {exc}")
    return targets, problems


def _soa_rr(zone: str, ttl: int, soa: SOA) -> bytes:
    rdata = (
        encode_name(soa.mname)
        + encode_name(soa.rname)
        + struct.pack("!5I", soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum)
    )
    return encode_name(zone) + struct.pack("!HHIH", TYPE_SOA, CLASS_IN, ttl, len(rdata)) + rdata


def notify_query(zone: Zone, msg_id: int) -> bytes:
    """A NOTIFY for ``zone``: AA set, QTYPE SOA, and the SOA in the answer section so the
    secondary can see from the serial whether it needs to transfer (RFC 1996 section 3.7)."""
    flags = (OPCODE_NOTIFY << 11) | _AA
    header = struct.pack("!6H", msg_id, flags, 1, 1, 0, 0)
    question = encode_name(zone.name) + struct.pack("!HH", TYPE_SOA, CLASS_IN)
    return header + question + _soa_rr(zone.name, zone.ttl, zone.soa())


def notify_response_rcode(wire: bytes, msg_id: int) -> int | None:
    """The rcode of ``wire`` if it answers our NOTIFY ``msg_id``, else None (ignore it)."""
    if len(wire) < 12:
        return None
    got_id, flags = int.from_bytes(wire[0:2], "big"), int.from_bytes(wire[2:4], "big")
    if got_id != msg_id or not flags & _QR or (flags >> 11) & 0xF != OPCODE_NOTIFY:
        return None
    return flags & 0xF


def incoming_notify_rcode(zones: Container[str], qname: str, qtype: int) -> int:
    """The rcode for a NOTIFY we receive: dnsd is the primary, so a NOTIFY for one of its zones
    needs no action and gets NOERROR (what bind9 answers as primary); any other zone NOTAUTH;
    a QTYPE other than SOA FORMERR (RFC 1996 section 3.7)."""
    if qtype != TYPE_SOA:
        return FORMERR
    return NOERROR if qname in zones else NOTAUTH


def signed_notify(zone: Zone, msg_id: int, key: TsigKey | None, now: int) -> tuple[bytes, bytes]:
    """:func:`notify_query`, signed with ``key`` when given: the message and its MAC (empty
    when unsigned), which the answer's signature chains on."""
    message = notify_query(zone, msg_id)
    return sign_message(message, key, now) if key is not None else (message, b"")


def answer_signature_problem(answer: bytes, key: TsigKey | None, mac: bytes, now: int) -> str:
    """What is wrong with the TSIG of the answer to a NOTIFY signed with ``key`` (request MAC
    ``mac``), or "" when it is right or the NOTIFY was not signed."""
    if key is None:
        return ""
    try:
        verified = verify_message(answer, {key.name: key}, now, prior_mac=mac)
    except (TsigError, FormError) as exc:
        return f"bad TSIG on the answer: {exc}"
    return "" if verified is not None else "the answer is not signed"
