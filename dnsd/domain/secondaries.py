"""A zone's secondaries: the servers we NOTIFY, written ``address[:port]``. Pure.

``192.0.2.1``, ``192.0.2.1:5300``, ``2001:db8::1``, ``[2001:db8::1]`` or ``[2001:db8::1]:5300``;
an IPv6 address takes brackets when a port follows. The port defaults to 53. Names are not
accepted: a secondary is where NOTIFY goes, and a name would need a lookup we do not make.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from dnsd.domain.errors import InvalidInput, Reason

DEFAULT_PORT = 53
FORM = "an address[:port], e.g. 192.0.2.1, 192.0.2.1:5300, 2001:db8::1 or [2001:db8::1]:5300"


def parse_secondary(text: str) -> tuple[str, int]:
    """``text`` as (compressed address, port); ValueError saying what is wrong otherwise."""
    text = text.strip()
    if not text:
        raise ValueError("empty")
    host, port_text = text, str(DEFAULT_PORT)
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError("an IPv6 address in brackets is written [address] or [address]:port")
        port_text = rest[1:] if rest else port_text
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{host!r} is not an IPv4 or IPv6 address") from None
    if text.startswith("[") and address.version != 6:
        raise ValueError("brackets are for IPv6 addresses only")
    if address.version == 6 and ("%" in host):
        raise ValueError("an IPv6 scope (%interface) is not allowed")
    return address.compressed, _port(port_text)


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"port {text!r} is not a number from 1 to 65535")
    return int(text)


def check_secondaries(texts: Sequence[object], field: str = "secondaries") -> tuple[str, ...]:
    """The secondaries as given (stripped), or :class:`InvalidInput` naming every bad entry
    (``secondaries.2``) and every repeat of one already listed."""
    reasons: list[Reason] = []
    seen: dict[tuple[str, int], int] = {}
    out: list[str] = []
    for i, item in enumerate(texts):
        if not isinstance(item, str):
            reasons.append(Reason(f"{field}.{i}", f"must be a string: {FORM}"))
            continue
        try:
            target = parse_secondary(item)
        except ValueError as exc:
            reasons.append(Reason(f"{field}.{i}", f"{item!r} is not {FORM} ({exc})"))
            continue
        if target in seen:
            reasons.append(Reason(f"{field}.{i}", f"{item!r} repeats {field}.{seen[target]}"))
        seen.setdefault(target, i)
        out.append(item.strip())
    if reasons:
        raise InvalidInput(reasons)
    return tuple(out)
