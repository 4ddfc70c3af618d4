"""Records as a provider holds them: one record per value, named relative to the zone.

DNSPod (like most provider APIs) stores one record per value, names it by its ``SubDomain``
(``@`` for the apex, ``*.apps`` for a wildcard) and answers with values in its own spelling:
CNAME/MX/NS/SRV targets with a trailing dot, MX preference in a separate field, TXT with or
without quotes. :func:`canonical_value` folds every spelling of one value to one string, so a
plan compares meaning, not spelling, and a second run finds nothing to do.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from dnsd.domain.names import relativize
from dnsd.domain.rdata import CAA, MX, SRV, TXT, Address, Rdata, Target, quoted_strings

DEFAULT_LINE = "默认"
MANAGED_PREFIX = "managed-by=dnsd:"
TTL_MIN, TTL_MAX = 1, 604800
TXT_MAX = 512  # assumed (undocumented) TXT length limit; see docs/dnspod.md "Plan limits"
SUPPORTED_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA")


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """One record dnsd wants the provider to hold. ``mx`` is set for MX records only."""

    subdomain: str
    rtype: str
    value: str
    ttl: int
    mx: int | None = None
    asked_ttl: int | None = None  # dnsd's TTL when the provider's plan made ``ttl`` higher
    line: str = DEFAULT_LINE  # the DNSPod line (RecordLine) it is published on
    weight: int | None = None  # DNSPod Weight (1-100) of a weighted record; None: no weight

    @property
    def key(self) -> str:
        return canonical_value(self.rtype, self.value, self.mx)

    def ttl_note(self) -> str:
        """``ttl 300 -> 600 (plan minimum)`` when the plan raised the TTL, else ``""``."""
        return f"ttl {self.asked_ttl} -> {self.ttl} (plan minimum)" if self.asked_ttl is not None else ""

    def show(self) -> str:
        return f"{self.mx} {self.value}" if self.mx is not None else self.value


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    """One record as the provider lists it."""

    id: int
    subdomain: str
    rtype: str
    value: str
    ttl: int
    mx: int = 0
    line: str = DEFAULT_LINE
    remark: str = ""
    status: str = "ENABLE"
    default_ns: bool = False
    weight: int | None = None  # None (or 0: off) when the record has no weight

    @property
    def key(self) -> str:
        return canonical_value(self.rtype, self.value, self.mx if self.rtype == "MX" else None)

    def show(self) -> str:
        return f"{self.mx} {self.value}" if self.rtype == "MX" else self.value


def marker(instance_id: str) -> str:
    """The ``Remark`` that marks a record as created and managed by this dnsd instance."""
    return f"{MANAGED_PREFIX}{instance_id}"


def subdomain_for(name: str, zone: str) -> str:
    """The provider's name of ``name`` inside ``zone``: ``@`` for the apex, else relative."""
    return relativize(name, zone)


def clamp_ttl(ttl: int) -> int:
    """The provider accepts TTLs of 1..604800 seconds; dnsd publishes the nearest one."""
    return max(TTL_MIN, min(TTL_MAX, ttl))


def _txt_value(rdata: TXT) -> str:
    """One TXT value as DNSPod takes it: the text itself, its strings joined, never quoted or
    escaped (DNSPod quotes, and splits into 255-octet strings, when it answers). Raises
    ``ValueError`` when that cannot be done: text that is not printable UTF-8, or longer than
    :data:`TXT_MAX` characters."""
    try:
        text = b"".join(rdata.strings).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("TXT value is not UTF-8 text; DNSPod takes text only") from None
    if not text.isprintable():
        raise ValueError("TXT value has control characters; DNSPod takes printable text only")
    if len(text) > TXT_MAX:
        raise ValueError(f"TXT value is {len(text)} characters; DNSPod takes at most {TXT_MAX}")
    return text


def spec_value(rdata: Rdata) -> tuple[str, int | None]:
    """``(Value, MX)`` for the provider from dnsd rdata; raises ``ValueError`` for other shapes."""
    if isinstance(rdata, Address):
        return rdata.address, None
    if isinstance(rdata, Target):
        return rdata.target + ".", None
    if isinstance(rdata, MX):
        return rdata.exchange + ".", rdata.preference
    if isinstance(rdata, SRV):
        return f"{rdata.priority} {rdata.weight} {rdata.port} {rdata.target}.", None
    if isinstance(rdata, TXT):
        return _txt_value(rdata), None
    if isinstance(rdata, CAA):
        return f'{rdata.flags} {rdata.tag} "{rdata.value}"', None
    raise ValueError(f"no provider form for {type(rdata).__name__}")


def _host(text: str) -> str:
    return text.strip().lower().rstrip(".")


def _canonical_txt(value: str) -> str:
    """dnsd sends TXT text bare; a console record may hold it quoted (``"v=spf1 -all"``)."""
    text = value.strip()
    if not text.startswith('"'):
        return text
    try:
        return "".join(_unescape(word) for word in quoted_strings(text))
    except ValueError:
        return text


def _unescape(word: str) -> str:
    out, i = [], 0
    while i < len(word):
        if word[i] == "\\" and i + 1 < len(word):
            digits = word[i + 1 : i + 4]
            if len(digits) == 3 and digits.isdigit():
                out.append(chr(int(digits)))
                i += 4
                continue
            out.append(word[i + 1])
            i += 2
            continue
        out.append(word[i])
        i += 1
    return "".join(out)


def _canonical_fields(rtype: str, value: str) -> str:
    parts = value.split()
    if rtype == "SRV" and len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
        return " ".join([*(str(int(p)) for p in parts[:3]), _host(parts[3])])
    if rtype == "CAA" and len(parts) >= 3 and parts[0].isdigit():
        tag_value = value.split(None, 2)[2].strip()
        if len(tag_value) >= 2 and tag_value[0] == tag_value[-1] == '"':
            tag_value = tag_value[1:-1]
        return f"{int(parts[0])} {parts[1].lower()} {tag_value}"
    return " ".join(parts).lower()


def canonical_value(rtype: str, value: str, mx: int | None = None) -> str:
    """One spelling per meaning: addresses compressed, host names lower-case without the
    trailing dot, MX as ``"<preference> <host>"``, TXT unquoted and joined."""
    if rtype in ("A", "AAAA"):
        try:
            return ipaddress.ip_address(value.strip()).compressed
        except ValueError:
            return value.strip().lower()
    if rtype in ("CNAME", "NS", "PTR", "DNAME"):
        return _host(value)
    if rtype == "MX":
        return f"{mx or 0} {_host(value)}"
    if rtype == "TXT":
        return _canonical_txt(value)
    return _canonical_fields(rtype, value)
