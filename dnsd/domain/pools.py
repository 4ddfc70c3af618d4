"""Pools: named sets of LVS VIPs for one L7 entry point, which A/AAAA records point at."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from dnsd.domain.errors import InvalidInput, Reason

_POOL_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
POOL_NAME_RULE = "pool names are 1-63 lower-case letters, digits and hyphens"


def is_pool_name(name: str) -> bool:
    """True when ``name`` (already stripped and lower-cased) is a valid pool name."""
    return bool(_POOL_NAME.match(name))


@dataclass(frozen=True, slots=True)
class Pool:
    """A pool. ``addresses`` answer inside the data center; ``external_addresses`` (if any) are
    what the public DNS view (DNSPod) publishes instead."""

    name: str
    addresses: tuple[str, ...]
    description: str = ""
    external_addresses: tuple[str, ...] = ()

    def addresses_for(self, rtype: str, *, external: bool = False) -> tuple[str, ...]:
        """The addresses answering ``rtype`` (A: IPv4, AAAA: IPv6), in stored order."""
        source = self.external_addresses if external and self.external_addresses else self.addresses
        version = 4 if rtype == "A" else 6
        return tuple(a for a in source if ipaddress.ip_address(a).version == version)


def normalize_addresses(values: list[str], field: str, reasons: list[Reason]) -> tuple[str, ...]:
    """Canonical, de-duplicated addresses; problems are appended to ``reasons``."""
    out: list[str] = []
    for i, text in enumerate(values):
        try:
            parsed = ipaddress.ip_address(str(text).strip())
        except ValueError:
            parsed = None
        if parsed is None or (isinstance(parsed, ipaddress.IPv6Address) and parsed.scope_id is not None):
            reasons.append(Reason(f"{field}.{i}", f"{text!r} is not an IPv4 or IPv6 address"))
            continue
        addr = parsed.compressed
        if addr in out:
            reasons.append(Reason(f"{field}.{i}", f"duplicate address {addr}"))
            continue
        out.append(addr)
    return tuple(out)


def make_pool(
    name: str, addresses: list[str], description: str = "", external_addresses: list[str] | None = None
) -> Pool:
    """Validate every field at once and build a :class:`Pool`; raises :class:`InvalidInput`."""
    reasons: list[Reason] = []
    name = name.strip().lower()
    if not is_pool_name(name):
        reasons.append(Reason("name", POOL_NAME_RULE))
    addrs = normalize_addresses(addresses, "addresses", reasons)
    if not addrs:
        reasons.append(Reason("addresses", "a pool needs at least one address"))
    external = normalize_addresses(external_addresses or [], "external_addresses", reasons)
    if len(description) > 1000:
        reasons.append(Reason("description", "at most 1000 characters"))
    if reasons:
        raise InvalidInput(reasons)
    return Pool(name, addrs, description, external)


def pool_dict(pool: Pool) -> dict[str, Any]:
    """The pool's fields as the change log records them."""
    return {
        "name": pool.name,
        "addresses": list(pool.addresses),
        "external_addresses": list(pool.external_addresses),
        "description": pool.description,
    }
