"""Record data: one frozen dataclass per shape of rdata, parsed from and printed to text.

Names inside rdata are canonical (see :mod:`dnsd.domain.names`); ``to_text`` prints them
absolute with a trailing dot, as in a zone file. Parsing raises ``ValueError`` with a message
fit to show a user; callers attach the field name.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from dnsd.domain import rrtypes
from dnsd.domain.names import name_problems

STORED_TYPES = ("A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "AAAA", "SRV", "DNAME", "CAA")
TYPE_CODES: dict[str, int] = {name: rrtypes.TYPE_CODES[name] for name in STORED_TYPES}
"""Codes of the types dnsd stores (a subset of :data:`dnsd.domain.rrtypes.TYPE_CODES`)."""
RECORD_TYPES = ("A", "AAAA", "CNAME", "DNAME", "TXT", "MX", "SRV", "NS", "CAA", "PTR")
POOL_TYPES = ("A", "AAAA")
TXT_CHUNK = 255
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# An IPv4 address already in the form ipaddress prints (no leading zeros): taken as it is.
_PLAIN_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")


def _name(text: str, *, root: bool = False) -> str:
    """A canonical name; ``root`` allows "." (null MX, RFC 7505; "no service" SRV, RFC 2782)."""
    if root and text.strip() == ".":
        return ""
    name, problems = name_problems(text, wildcard=True, strict=False)
    if problems:
        raise ValueError("; ".join(problems))
    return name


def _fqdn(name: str) -> str:
    return name + "."


def _uint(text: str, bits: int, what: str) -> int:
    # int() alone would also take '+5', '1_000' and non-ASCII digits, which no zone file has
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{what} must be an integer, got {text!r}")
    value = int(text, 10)
    if not 0 <= value < (1 << bits):
        raise ValueError(f"{what} must be between 0 and {(1 << bits) - 1}, got {value}")
    return value


def _fields(text: str, count: int, shape: str) -> list[str]:
    parts = text.split()
    if len(parts) != count:
        raise ValueError(f"expected {shape!r}, got {text!r}")
    return parts


@dataclass(frozen=True, slots=True)
class Address:
    """A or AAAA data: an address in its compressed text form."""

    address: str

    def to_text(self) -> str:
        return self.address


@dataclass(frozen=True, slots=True)
class Target:
    """CNAME, DNAME, NS or PTR data: one domain name."""

    target: str

    def to_text(self) -> str:
        return _fqdn(self.target)


@dataclass(frozen=True, slots=True)
class MX:
    preference: int
    exchange: str

    def to_text(self) -> str:
        return f"{self.preference} {_fqdn(self.exchange)}"


@dataclass(frozen=True, slots=True)
class SRV:
    priority: int
    weight: int
    port: int
    target: str

    def to_text(self) -> str:
        return f"{self.priority} {self.weight} {self.port} {_fqdn(self.target)}"


def quote_string(data: bytes) -> str:
    """One <character-string> in zone-file syntax: quoted, ``"`` and ``\\`` escaped, others \\DDD."""
    out = []
    for byte in data:
        if byte in (0x22, 0x5C):
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


@dataclass(frozen=True, slots=True)
class TXT:
    """TXT data: one or more <character-string>s of at most 255 octets each."""

    strings: tuple[bytes, ...]

    def to_text(self) -> str:
        return " ".join(quote_string(s) for s in self.strings)


@dataclass(frozen=True, slots=True)
class CAA:
    flags: int
    tag: str
    value: str

    def to_text(self) -> str:
        return f"{self.flags} {self.tag} {quote_string(self.value.encode())}"


@dataclass(frozen=True, slots=True)
class SOA:
    mname: str
    rname: str
    serial: int
    refresh: int
    retry: int
    expire: int
    minimum: int

    def to_text(self) -> str:
        return (
            f"{_fqdn(self.mname)} {_fqdn(self.rname)} {self.serial} {self.refresh} {self.retry}"
            f" {self.expire} {self.minimum}"
        )


@dataclass(frozen=True, slots=True)
class HINFO:
    """HINFO data; dnsd only synthesises it, for the RFC 8482 answer to ANY."""

    cpu: str
    os: str

    def to_text(self) -> str:
        return f"{quote_string(self.cpu.encode())} {quote_string(self.os.encode())}"


Rdata = Address | Target | MX | SRV | TXT | CAA | SOA | HINFO


def _unescape(text: str) -> bytes:
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        byte = raw[i]
        if byte == 0x5C and i + 1 < len(raw):
            digits = raw[i + 1 : i + 4]
            if len(digits) == 3 and digits.isdigit():
                value = int(digits)
                if value > 255:
                    raise ValueError(f"escape \\{digits.decode()} is larger than 255")
                out.append(value)
                i += 4
                continue
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def split_txt(data: bytes) -> tuple[bytes, ...]:
    """Split text longer than 255 octets into consecutive <character-string>s."""
    if not data:
        return (b"",)
    return tuple(data[i : i + TXT_CHUNK] for i in range(0, len(data), TXT_CHUNK))


def quoted_strings(text: str) -> list[str]:
    """Split zone-file style text into the contents of its quoted or bare words (escapes kept)."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        quoted = text[i] == '"'
        j = i + 1 if quoted else i
        buf = []
        while j < n and (text[j] != '"' if quoted else not text[j].isspace()):
            if text[j] == "\\" and j + 1 < n:
                buf.append(text[j : j + 2])
                j += 2
                continue
            buf.append(text[j])
            j += 1
        if quoted and j >= n:
            raise ValueError(f"unterminated quoted string in {text!r}")
        words.append("".join(buf))
        i = j + 1 if quoted else j
    return words


def parse_txt(text: str) -> TXT:
    """Quoted text (``"a" "b"``) is taken as zone-file strings; bare text as one value, split."""
    if text.lstrip().startswith('"'):
        strings = [_unescape(word) for word in quoted_strings(text)]
        long = [s for s in strings if len(s) > TXT_CHUNK]
        if long:
            raise ValueError(f"a quoted string is {len(long[0])} octets, longer than {TXT_CHUNK}")
        return TXT(tuple(strings))
    return TXT(split_txt(text.encode("utf-8")))


def is_plain_ipv4(text: str) -> bool:
    """Whether ``text`` is an IPv4 address in canonical dotted-quad form (no leading zeros)."""
    return _PLAIN_IPV4.fullmatch(text) is not None


def _parse_address(rtype: str, text: str) -> Address:
    if rtype == "A" and _PLAIN_IPV4.fullmatch(text):
        return Address(text)
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id is not None:
        raise ValueError(f"{text!r} is not an IP address for DNS data (it has a scope '%{addr.scope_id}')")
    want = 4 if rtype == "A" else 6
    if addr.version != want:
        raise ValueError(f"{text!r} is not an IPv{want} address ({rtype} record)")
    return Address(addr.compressed)


def _parse_caa(text: str) -> CAA:
    parts = text.split(None, 2)
    if len(parts) != 3:
        raise ValueError(f"expected 'flags tag value', got {text!r}")
    tag = parts[1].lower()
    if not (tag.isascii() and tag.isalnum() and len(tag) <= 15):
        raise ValueError(f"CAA tag {parts[1]!r} must be 1-15 letters or digits")
    value = parts[2]
    if value.startswith('"'):
        # the same <character-string> syntax (and escapes) as TXT, which is what to_text prints
        words = quoted_strings(value)
        if len(words) != 1:
            raise ValueError(f"a CAA value is one quoted string, got {value!r}")
        try:
            value = _unescape(words[0]).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"CAA value {value!r} is not UTF-8 text") from None
    return CAA(_uint(parts[0], 8, "flags"), tag, value)


def parse_rdata(rtype: str, text: str) -> Rdata:
    """Parse presentation ``text`` of ``rtype`` into its rdata; names may be absolute or bare."""
    if rtype in ("A", "AAAA"):
        return _parse_address(rtype, text)
    if rtype in ("CNAME", "DNAME", "NS", "PTR"):
        return Target(_name(_fields(text, 1, "name")[0]))
    if rtype == "MX":
        pref, exchange = _fields(text, 2, "preference exchange")
        return MX(_uint(pref, 16, "preference"), _name(exchange, root=True))
    if rtype == "SRV":
        prio, weight, port, target = _fields(text, 4, "priority weight port target")
        return SRV(
            _uint(prio, 16, "priority"),
            _uint(weight, 16, "weight"),
            _uint(port, 16, "port"),
            _name(target, root=True),
        )
    if rtype == "TXT":
        return parse_txt(text)
    if rtype == "CAA":
        return _parse_caa(text)
    if rtype == "SOA":
        f = _fields(text, 7, "mname rname serial refresh retry expire minimum")
        nums = [
            _uint(v, 32, k)
            for v, k in zip(f[2:], ("serial", "refresh", "retry", "expire", "minimum"), strict=True)
        ]
        return SOA(_name(f[0]), _name(f[1]), *nums)
    raise ValueError(f"unsupported record type {rtype!r}")
