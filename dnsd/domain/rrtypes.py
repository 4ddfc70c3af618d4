"""The one table of DNS RR type names and codes (the IANA registry), for every layer.

Whatever dnsd stores, a type keeps its mnemonic from the wire to the answer logic: a query for
type 43 reaches :func:`dnsd.answer.resolve` as ``"DS"``, never as ``"TYPE43"``, so the rules the
answer logic has for DS, ANY and the meta types apply whatever the store supports. Types with
no mnemonic are ``TYPEnnn`` (RFC 3597).
"""

from __future__ import annotations

import re

TYPE_CODES: dict[str, int] = {
    "A": 1, "NS": 2, "MD": 3, "MF": 4, "CNAME": 5, "SOA": 6, "MB": 7, "MG": 8, "MR": 9,
    "NULL": 10, "WKS": 11, "PTR": 12, "HINFO": 13, "MINFO": 14, "MX": 15, "TXT": 16, "RP": 17,
    "AFSDB": 18, "X25": 19, "ISDN": 20, "RT": 21, "NSAP": 22, "NSAP-PTR": 23, "SIG": 24,
    "KEY": 25, "PX": 26, "GPOS": 27, "AAAA": 28, "LOC": 29, "NXT": 30, "EID": 31, "NIMLOC": 32,
    "SRV": 33, "ATMA": 34, "NAPTR": 35, "KX": 36, "CERT": 37, "A6": 38, "DNAME": 39, "SINK": 40,
    "OPT": 41, "APL": 42, "DS": 43, "SSHFP": 44, "IPSECKEY": 45, "RRSIG": 46, "NSEC": 47,
    "DNSKEY": 48, "DHCID": 49, "NSEC3": 50, "NSEC3PARAM": 51, "TLSA": 52, "SMIMEA": 53,
    "HIP": 55, "NINFO": 56, "RKEY": 57, "TALINK": 58, "CDS": 59, "CDNSKEY": 60,
    "OPENPGPKEY": 61, "CSYNC": 62, "ZONEMD": 63, "SVCB": 64, "HTTPS": 65, "SPF": 99,
    "UINFO": 100, "UID": 101, "GID": 102, "UNSPEC": 103, "NID": 104, "L32": 105, "L64": 106,
    "LP": 107, "EUI48": 108, "EUI64": 109, "TKEY": 249, "TSIG": 250, "IXFR": 251, "AXFR": 252,
    "MAILB": 253, "MAILA": 254, "ANY": 255, "URI": 256, "CAA": 257, "AVC": 258, "DOA": 259,
    "AMTRELAY": 260, "RESINFO": 261, "WALLET": 262, "TA": 32768, "DLV": 32769,
}  # fmt: skip
TYPE_NAMES: dict[int, str] = {code: name for name, code in TYPE_CODES.items()}

META_TYPES = frozenset({"OPT", "TKEY", "TSIG"})
"""Types that are never questions (RFC 6891, 2930, 8945): a query for one is FORMERR."""
TRANSFER_TYPES = frozenset({"AXFR", "IXFR"})
OBSOLETE_QTYPES = frozenset({"MAILB", "MAILA"})
"""Query types RFC 2505 and 883 left behind: NOTIMP."""
QUERY_ONLY_TYPES = META_TYPES | TRANSFER_TYPES | OBSOLETE_QTYPES | {"ANY"}
"""Types that name a kind of question, never data in a zone file."""

_GENERIC = re.compile(r"^TYPE(\d{1,5})$")


def type_name(code: int) -> str:
    """The canonical name of type ``code``: its mnemonic, else ``TYPEnnn``."""
    return TYPE_NAMES.get(code) or f"TYPE{code}"


def type_code(name: str) -> int:
    """The code of a canonical type name (``"A"``, ``"DS"``, ``"TYPE65"``); ValueError for
    anything else."""
    code = TYPE_CODES.get(name)
    if code is not None:
        return code
    match = _GENERIC.match(name)
    if match and int(match.group(1)) < 65536:
        return int(match.group(1))
    raise ValueError(f"unknown record type {name!r}")


def canonical_type(token: str) -> str | None:
    """The canonical name for a type token in any case (``mx``, ``TYPE15`` -> ``MX``,
    ``type4711`` -> ``TYPE4711``), or None when the token is not a type."""
    upper = token.upper()
    if upper in TYPE_CODES:
        return upper
    match = _GENERIC.match(upper)
    if match and int(match.group(1)) < 65536:
        return type_name(int(match.group(1)))
    return None
