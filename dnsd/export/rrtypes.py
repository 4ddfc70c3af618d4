"""RR type mnemonics bind9 knows (IANA registry), so the importer can tell a type dnsd does
not store (reported and skipped) from a typo (an error)."""

from __future__ import annotations

import re

from dnsd.domain.rdata import TYPE_NAMES

_MNEMONICS = """A NS MD MF CNAME SOA MB MG MR NULL WKS PTR HINFO MINFO MX TXT RP AFSDB X25 ISDN RT NSAP
    NSAP-PTR SIG KEY PX GPOS AAAA LOC NXT EID NIMLOC SRV ATMA NAPTR KX CERT A6 DNAME SINK APL DS
    SSHFP IPSECKEY RRSIG NSEC DNSKEY DHCID NSEC3 NSEC3PARAM TLSA SMIMEA HIP NINFO RKEY TALINK CDS
    CDNSKEY OPENPGPKEY CSYNC ZONEMD SVCB HTTPS SPF UINFO UID GID UNSPEC NID L32 L64 LP EUI48
    EUI64 URI CAA AVC DOA AMTRELAY RESINFO WALLET TA DLV"""
KNOWN_TYPES = frozenset(_MNEMONICS.split())
META_TYPES = frozenset({"OPT", "TKEY", "TSIG", "IXFR", "AXFR", "MAILB", "MAILA", "ANY"})
_GENERIC = re.compile(r"^TYPE(\d{1,5})$")


def type_name(token: str) -> str | None:
    """The mnemonic for a type token (``mx``, ``TYPE15``), or None when it is not a type.

    ``TYPEnnn`` maps to the mnemonic when dnsd has one, else stays ``TYPEnnn``.
    """
    upper = token.upper()
    if upper in KNOWN_TYPES or upper in META_TYPES:
        return upper
    match = _GENERIC.match(upper)
    if match and int(match.group(1)) < 65536:
        return TYPE_NAMES.get(int(match.group(1)), upper)
    return None


def is_class(token: str) -> bool:
    upper = token.upper()
    return upper in ("IN", "CH", "CHAOS", "HS", "HESIOD", "CS", "NONE", "ANY") or bool(
        re.match(r"^CLASS\d{1,5}$", upper)
    )


def is_internet_class(token: str) -> bool:
    return token.upper() in ("IN", "CLASS1")
