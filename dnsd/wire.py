"""DNS messages on the wire: query bytes -> :class:`Query`, :class:`Answer` -> response bytes.

The only module that imports dnslib (for packing resource records with name compression).
Queries are parsed by hand: the header and question with a few slices, the other sections only
skipped over, so malformed input can only ever raise :class:`FormError`.

Response policy (RFC 1035, 2181, 6891): QR set, ID, opcode, RD and CD copied (only the opcode
for an opcode we do not implement), RA never set; the question is echoed byte for byte (the
client's 0x20 letter case); an OPT (payload :data:`OUR_PAYLOAD`) when the query had one; BADVERS
for EDNS versions above 0; UDP answers over the client's limit become TC=1 with the question
(and OPT) only. Type names and codes come from :mod:`dnsd.domain.rrtypes`.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from dnslib import AAAA, CAA, CNAME, MX, NS, PTR, RD, RR, SOA, SRV, A, DNSBuffer

from dnsd.answer import Answer
from dnsd.domain import errors, rrtypes
from dnsd.domain import rdata as rd
from dnsd.domain.snapshot import RRsetData

QUERY, NOTIFY = 0, 4
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, BADVERS = 0, 1, 2, 3, 4, 5, 16
CLASS_IN, CLASS_CH = 1, 3
TYPE_OPT, TYPE_TXT = 41, 16
MIN_UDP = 512  # the limit without EDNS (RFC 1035)
OUR_PAYLOAD = 1232  # what we advertise and the most we send over UDP (DNS flag day 2020)
MAX_MESSAGE = 65535  # the TCP limit
_POINTER_LIMIT = 0x3FFF  # compression pointers have 14 bits

QR, AA, TC, RD_BIT, CD = 0x8000, 0x0400, 0x0200, 0x0100, 0x0010
DO_BIT = 0x8000  # in the OPT TTL's flags half
TYPE_NAMES = rrtypes.TYPE_NAMES
_HEADER = struct.Struct("!HHHHHH")
_RR_FIXED = struct.Struct("!HHIH")
_QFIXED = struct.Struct("!HH")
# Label octets shown as-is in a canonical name; anything else (and '.' and '\') as \DDD.
_PLAIN = bytes(b for b in range(0x21, 0x7F) if b not in (0x2E, 0x5C))


class FormError(errors.DnsdError):
    """The message cannot be parsed (FORMERR when its header is readable)."""


OPTION_ECS = 8  # EDNS Client Subnet (RFC 7871)
ECS_BITS = {1: 32, 2: 128}  # FAMILY -> address bits


@dataclass(frozen=True, slots=True)
class Ecs:
    """An EDNS Client Subnet option as sent: ``family`` 1 (IPv4) or 2 (IPv6), the source
    prefix length, and the address octets as sent (``ceil(source / 8)`` of them)."""

    family: int
    source: int
    address: bytes

    @property
    def version(self) -> int:
        return 4 if self.family == 1 else 6

    @property
    def value(self) -> int:
        """The subnet address as an int (padded with zero bits)."""
        bits = ECS_BITS[self.family]
        return int.from_bytes(self.address.ljust(bits // 8, b"\x00"), "big")

    @property
    def text(self) -> str:
        """The subnet address in text form (``10.1.2.0``, ``2001:db8::``)."""
        bits = ECS_BITS[self.family]
        return str(ipaddress.ip_address(self.address.ljust(bits // 8, b"\x00")))

    def option(self, scope: int) -> bytes:
        """The option for a response: family, source prefix and address echoed, ``scope`` set."""
        size = 4 + len(self.address)
        return struct.pack("!HHHBB", OPTION_ECS, size, self.family, self.source, scope) + self.address


def _parse_ecs(data: bytes) -> Ecs:
    """RFC 7871 section 6: FORMERR (:class:`FormError`) for an unknown family, a source prefix
    longer than the family's addresses, too few or too many address octets, or address bits
    set beyond the source prefix."""
    if len(data) < 4:
        raise FormError("ECS option shorter than 4 octets")
    family, source, _scope = struct.unpack_from("!HBB", data)
    bits = ECS_BITS.get(family)
    if bits is None:
        raise FormError(f"ECS family {family} is neither 1 (IPv4) nor 2 (IPv6)")
    if source > bits:
        raise FormError(f"ECS source prefix {source} is longer than {bits} bits")
    address = data[4:]
    if len(address) != (source + 7) // 8:
        raise FormError(f"ECS address has {len(address)} octets, not {(source + 7) // 8} for /{source}")
    if source % 8 and address[-1] & (0xFF >> (source % 8)):
        raise FormError("ECS address has bits set beyond its source prefix")
    return Ecs(family, source, address)


def _parse_options(data: bytes, start: int, end: int) -> Ecs | None:
    """The ECS option among the OPT record's options (other options are skipped)."""
    ecs: Ecs | None = None
    pos = start
    while pos < end:
        if pos + 4 > end:
            raise FormError("EDNS option header runs past the OPT record")
        code, size = struct.unpack_from("!HH", data, pos)
        if pos + 4 + size > end:
            raise FormError("EDNS option runs past the OPT record")
        if code == OPTION_ECS:
            if ecs is not None:
                raise FormError("more than one ECS option")
            ecs = _parse_ecs(data[pos + 4 : pos + 4 + size])
        pos += 4 + size
    return ecs


@dataclass(frozen=True, slots=True)
class Query:
    """One parsed query. ``qname`` is canonical (lower-case, no trailing dot, odd octets as
    ``\\DDD``); ``question`` is the question section exactly as sent."""

    id: int
    flags: int
    qname: str
    question: bytes
    qtype: int
    qclass: int
    edns: bool = False
    payload: int = 0
    edns_version: int = 0
    do: bool = False
    plain: bool = True  # header, question, at most an OPT, nothing else: a cacheable shape
    ecs: Ecs | None = None  # the EDNS Client Subnet option, when sent

    @property
    def opcode(self) -> int:
        return (self.flags >> 11) & 0xF

    @property
    def qtype_name(self) -> str:
        """The canonical name of the query type (:func:`dnsd.domain.rrtypes.type_name`): the
        mnemonic whether or not dnsd stores the type (``"DS"``, ``"AXFR"``), else ``TYPEnnn``."""
        return rrtypes.type_name(self.qtype)

    @property
    def udp_limit(self) -> int:
        """Largest UDP response this client gets: 512 without EDNS, else its payload size
        (at least 512), capped at :data:`OUR_PAYLOAD` to keep responses unfragmented."""
        if not self.edns:
            return MIN_UDP
        return max(MIN_UDP, min(self.payload, OUR_PAYLOAD))


type_code = rrtypes.type_code


def label_text(label: bytes) -> str:
    """One label in canonical text: lower-case ASCII, other octets (and '.', '\\') as \\DDD."""
    if not label.translate(None, _PLAIN):
        return label.decode("ascii").lower()
    return "".join(chr(b) if b in _PLAIN else f"\\{b:03d}" for b in label.lower())


def name_labels(name: str) -> tuple[bytes, ...]:
    """The wire labels of a canonical name (inverse of :func:`label_text` joined by dots)."""
    if not name:
        return ()
    if "\\" not in name:
        return tuple(name.encode().split(b"."))
    out: list[bytes] = []
    current = bytearray()
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "\\" and name[i + 1 : i + 4].isdigit():
            current.append(int(name[i + 1 : i + 4]) & 0xFF)
            i += 4
            continue
        if ch == "\\" and i + 1 < len(name):
            current += name[i + 1].encode()
            i += 2
            continue
        if ch == ".":
            out.append(bytes(current))
            current = bytearray()
        else:
            current += ch.encode()
        i += 1
    out.append(bytes(current))
    return tuple(out)


def _read_qname(data: bytes) -> tuple[str, int]:
    """Canonical text of the question name at offset 12 and the offset after it."""
    labels: list[str] = []
    pos, end = 12, len(data)
    while True:
        if pos >= end:
            raise FormError("question name runs past the end of the message")
        length = data[pos]
        if length == 0:
            pos += 1
            break
        if length > 63:
            raise FormError("compression pointer or unknown label type in the question")
        nxt = pos + 1 + length
        if nxt > end:
            raise FormError("question label runs past the end of the message")
        labels.append(label_text(data[pos + 1 : nxt]))
        pos = nxt
    if pos - 12 > 255:
        raise FormError("question name longer than 255 octets")
    return ".".join(labels), pos


def _skip_name(data: bytes, pos: int) -> int:
    """Offset after the (possibly compressed) name at ``pos``."""
    end = len(data)
    while pos < end:
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 2 > end:
                break
            return pos + 2
        if length > 63:
            raise FormError("unknown label type")
        if length == 0:
            return pos + 1
        pos += 1 + length
    raise FormError("name runs past the end of the message")


def _read_records(data: bytes, pos: int, counts: tuple[int, int, int]) -> tuple[int, list[tuple[int, int]]]:
    """Skip the answer, authority and additional sections; return the end offset and the
    (offset, owner length) of every OPT record, which must be in the additional section."""
    opts: list[tuple[int, int]] = []
    for section, count in enumerate(counts):
        for _ in range(count):
            start = pos
            pos = _skip_name(data, pos)
            if pos + 10 > len(data):
                raise FormError("resource record header runs past the end of the message")
            rtype, _rclass, _ttl, rdlength = _RR_FIXED.unpack_from(data, pos)
            if rtype == TYPE_OPT:
                if section != 2:
                    raise FormError("OPT record outside the additional section")
                opts.append((start, pos - start))
            pos += 10 + rdlength
            if pos > len(data):
                raise FormError("record data runs past the end of the message")
    return pos, opts


def parse_query(data: bytes) -> Query:
    """Parse one query message; raise :class:`FormError` for anything malformed: short header,
    QDCOUNT != 1, a bad question name, truncated records, more than one OPT, trailing bytes."""
    if len(data) < 12:
        raise FormError("message shorter than a DNS header")
    qid, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(data)
    if qdcount != 1:
        raise FormError(f"QDCOUNT is {qdcount}, not 1")
    qname, pos = _read_qname(data)
    if pos + 4 > len(data):
        raise FormError("question type and class missing")
    qtype, qclass = _QFIXED.unpack_from(data, pos)
    qend = pos + 4
    end, opts = _read_records(data, qend, (ancount, nscount, arcount))
    if end != len(data):
        raise FormError(f"{len(data) - end} trailing octets after the last record")
    if len(opts) > 1:
        raise FormError(f"{len(opts)} OPT records; at most one is allowed")
    question = data[12:qend]
    if not opts:
        return Query(qid, flags, qname, question, qtype, qclass, plain=ancount + nscount + arcount == 0)
    start, owner_len = opts[0]
    if owner_len != 1 or data[start] != 0:
        raise FormError("OPT record owner is not the root")
    _rtype, payload, ttl, rdlength = _RR_FIXED.unpack_from(data, start + 1)
    plain = ancount + nscount == 0 and arcount == 1
    ecs = _parse_options(data, start + 11, start + 11 + rdlength) if rdlength else None
    return Query(
        qid, flags, qname, question, qtype, qclass,
        edns=True, payload=payload, edns_version=(ttl >> 16) & 0xFF, do=bool(ttl & DO_BIT), plain=plain,
        ecs=ecs,
    )  # fmt: skip


def _opt(rcode: int, do: bool) -> bytes:
    """Our OPT record: payload :data:`OUR_PAYLOAD`, the rcode's upper 8 bits, version 0, DO echoed."""
    ttl = ((rcode >> 4) << 24) | (DO_BIT if do else 0)
    return b"\x00" + _RR_FIXED.pack(TYPE_OPT, OUR_PAYLOAD, ttl, 0)


_OPCODE_BITS = 0x7800


def _flags(query: Query, rcode: int, aa: bool, tc: bool = False, echo: bool = True) -> int:
    copied = query.flags & ((_OPCODE_BITS | RD_BIT | CD) if echo else _OPCODE_BITS)
    return QR | copied | (AA if aa else 0) | (TC if tc else 0) | (rcode & 0xF)


def error_response(query: Query, rcode: int, *, echo: bool = True) -> bytes:
    """An answerless response with ``rcode``: question echoed, OPT when the query had EDNS.
    ``echo=False`` copies only the opcode, not RD and CD (for opcodes we do not implement,
    whose other header bits may mean something else)."""
    opt = _opt(rcode, query.do) if query.edns else b""
    header = _HEADER.pack(query.id, _flags(query, rcode, False, echo=echo), 1, 0, 0, 1 if opt else 0)
    return header + query.question + opt


def header_error(data: bytes, rcode: int, *, echo: bool = True) -> bytes | None:
    """An error response built from the header alone (no question): for messages whose header
    is readable but whose body is not. None when not even the header is readable. ``echo`` as
    for :func:`error_response`."""
    if len(data) < 12:
        return None
    qid, flags = struct.unpack_from("!HH", data)
    copied = flags & ((_OPCODE_BITS | RD_BIT | CD) if echo else _OPCODE_BITS)
    return _HEADER.pack(qid, QR | copied | (rcode & 0xF), 0, 0, 0, 0)


class _PointerNames(dict[tuple[bytes, ...], int]):
    """dnslib's table of names already written, minus offsets a 14-bit pointer cannot reach."""

    def __setitem__(self, key: tuple[bytes, ...], value: int) -> None:
        if value <= _POINTER_LIMIT:
            super().__setitem__(key, value)


class _Buffer(DNSBuffer):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.names = _PointerNames()


def _char_strings(*parts: bytes) -> bytes:
    return b"".join(bytes((len(p),)) + p for p in parts)


def _rdata(rtype: str, value: rd.Rdata) -> object:
    """The dnslib rdata for one of ours."""
    if isinstance(value, rd.Address):
        return A(value.address) if rtype == "A" else AAAA(value.address)
    if isinstance(value, rd.Target):
        if rtype == "DNAME":  # RFC 6672: the target is never compressed
            return RD(b"".join(bytes((len(lb),)) + lb for lb in name_labels(value.target)) + b"\x00")
        return {"CNAME": CNAME, "NS": NS, "PTR": PTR}[rtype](name_labels(value.target))
    if isinstance(value, rd.MX):
        return MX(name_labels(value.exchange), value.preference)
    if isinstance(value, rd.SRV):
        return SRV(value.priority, value.weight, value.port, name_labels(value.target))
    if isinstance(value, rd.TXT):
        return RD(_char_strings(*value.strings))
    if isinstance(value, rd.CAA):
        return CAA(value.flags, value.tag, value.value)
    if isinstance(value, rd.SOA):
        times = (value.serial, value.refresh, value.retry, value.expire, value.minimum)
        return SOA(name_labels(value.mname), name_labels(value.rname), times)
    if isinstance(value, rd.HINFO):
        return RD(_char_strings(value.cpu.encode(), value.os.encode()))
    raise TypeError(f"cannot encode {type(value).__name__}")


def _pack_rrsets(buffer: _Buffer, rrsets: tuple[RRsetData, ...]) -> int:
    count = 0
    for rrset in rrsets:
        owner, code = name_labels(rrset.name), type_code(rrset.rtype)
        for value in rrset.rdatas:
            RR(owner, code, CLASS_IN, rrset.ttl, _rdata(rrset.rtype, value)).pack(buffer)
            count += 1
    return count


def encode_response(query: Query, answer: Answer, limit: int = MAX_MESSAGE) -> bytes:
    """The response to ``query`` carrying ``answer``; TC=1 with only the question (and OPT)
    when it would exceed ``limit`` octets (use :attr:`Query.udp_limit` for UDP)."""
    buffer = _Buffer()
    buffer.append(b"\x00" * 12)
    buffer.encode_name(name_labels(query.qname))  # compresses against our own, lower-case copy
    buffer.append(query.question[-4:])
    counts = [_pack_rrsets(buffer, section) for section in (answer.answer, answer.authority)]
    additional = _pack_rrsets(buffer, answer.additional)
    if query.edns:
        buffer.append(_opt(answer.rcode, query.do))
        additional += 1
    if len(buffer.data) > limit:
        return truncated(query, answer)
    header = _HEADER.pack(query.id, _flags(query, answer.rcode, answer.aa), 1, *counts, additional)
    body: bytes = buffer.data[12 + len(query.question) :]
    return header + query.question + body


def truncated(query: Query, answer: Answer) -> bytes:
    """TC=1, the answer's rcode and AA bit, the question and (with EDNS) our OPT only."""
    opt = _opt(answer.rcode, query.do) if query.edns else b""
    flags = _flags(query, answer.rcode, answer.aa, tc=True)
    return _HEADER.pack(query.id, flags, 1, 0, 0, 1 if opt else 0) + query.question + opt


def chaos_txt(query: Query, text: str) -> bytes:
    """The CH TXT answer (``version.bind``, ``id.server``) carrying ``text``, TTL 0, AA set."""
    data = text.encode()[:255]
    record = b"\xc0\x0c" + _RR_FIXED.pack(TYPE_TXT, CLASS_CH, 0, len(data) + 1) + _char_strings(data)
    opt = _opt(NOERROR, query.do) if query.edns else b""
    header = _HEADER.pack(query.id, _flags(query, NOERROR, True), 1, 1, 0, 1 if opt else 0)
    return header + query.question + record + opt


def encode_name(name: str) -> bytes:
    """A canonical name (``\\DDD`` escapes allowed) in uncompressed wire form."""
    return b"".join(bytes([len(label)]) + label for label in name_labels(name)) + b"\x00"


def read_name(data: bytes, offset: int) -> tuple[str, int]:
    """The canonical text (as :func:`label_text`) of the name at ``offset``, following
    compression pointers, and the offset after it. Raises :class:`FormError` when the name runs
    past the end, a pointer loops, a label type is unknown or the name exceeds 255 octets."""
    labels: list[str] = []
    end: int | None = None
    size, hops = 1, 0
    while True:
        if offset >= len(data):
            raise FormError("name runs past the end of the message")
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data) or hops > 127:
                raise FormError("bad compression pointer")
            end = offset + 2 if end is None else end
            offset, hops = ((length & 0x3F) << 8) | data[offset + 1], hops + 1
            continue
        if length & 0xC0:
            raise FormError("unknown label type")
        if length == 0:
            return ".".join(labels), (offset + 1 if end is None else end)
        if offset + 1 + length > len(data):
            raise FormError("label runs past the end of the message")
        size += 1 + length
        if size > 255:
            raise FormError("name longer than 255 octets")
        labels.append(label_text(data[offset + 1 : offset + 1 + length]))
        offset += 1 + length


def with_ecs(response: bytes, ecs: Ecs, scope: int, limit: int = MAX_MESSAGE) -> bytes:
    """``response`` (which ends in our OPT record, as every response to an EDNS query does)
    with ``ecs`` echoed at ``scope`` (RFC 7871 section 7.2.1). When that makes it larger than
    ``limit``: TC=1 with the question and the OPT only."""
    option = ecs.option(scope)
    opt = response[-11:-2] + struct.pack("!H", len(option)) + option
    if len(response) + len(option) <= limit:
        return response[:-11] + opt
    qend = 12
    while response[qend]:
        qend += 1 + response[qend]
    qend += 5
    flags = struct.unpack_from("!H", response, 2)[0] | TC
    return _HEADER.pack(struct.unpack_from("!H", response)[0], flags, 1, 0, 0, 1) + response[12:qend] + opt
