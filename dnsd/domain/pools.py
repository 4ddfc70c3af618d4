"""Pools: named sets of LVS VIPs for one L7 entry point, which A/AAAA records point at."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.health import HealthCheck, check_dict

DEFAULT_VIEW = "default"
PUBLIC_VIEW = "public"

_POOL_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
POOL_NAME_RULE = "pool names are 1-63 lower-case letters, digits and hyphens"


def is_pool_name(name: str) -> bool:
    """True when ``name`` (already stripped and lower-cased) is a valid pool name."""
    return bool(_POOL_NAME.match(name))


@dataclass(frozen=True, slots=True)
class Member:
    """A pool member: an address answered to clients of ``view``."""

    address: str
    view: str = DEFAULT_VIEW


@dataclass(frozen=True, slots=True)
class Pool:
    """A pool: its members per view (docs/selection.md, step 2).

    ``addresses`` are the ``default`` view's members (every client no view matches, and every
    view the pool has no members for); ``external_addresses`` the ``public`` view's, what DNSPod
    publishes (none: it publishes ``addresses``); ``view_members`` the members of named views,
    as ``((view, addresses), ...)`` in view-name order. ``check`` is the pool's health check.
    """

    name: str
    addresses: tuple[str, ...]
    description: str = ""
    external_addresses: tuple[str, ...] = ()
    view_members: tuple[tuple[str, tuple[str, ...]], ...] = ()
    check: HealthCheck | None = None

    @property
    def members(self) -> tuple[Member, ...]:
        """Every member with its view: default, then public, then named views."""
        out = [Member(a, DEFAULT_VIEW) for a in self.addresses]
        out += [Member(a, PUBLIC_VIEW) for a in self.external_addresses]
        out += [Member(a, view) for view, addrs in self.view_members for a in addrs]
        return tuple(out)

    @property
    def views(self) -> tuple[str, ...]:
        """The named views (not default/public) the pool has members for."""
        return tuple(view for view, _ in self.view_members)

    def in_view(self, view: str) -> tuple[str, ...]:
        """The members a client of ``view`` gets (any family): the view's own, else default's.
        ``public`` without members of its own publishes the default members."""
        if view == PUBLIC_VIEW:
            return self.external_addresses or self.addresses
        for name, addrs in self.view_members:
            if name == view:
                return addrs
        return self.addresses

    def addresses_for(
        self, rtype: str, *, external: bool = False, view: str = DEFAULT_VIEW
    ) -> tuple[str, ...]:
        """The addresses answering ``rtype`` (A: IPv4, AAAA: IPv6) in ``view`` (``external``:
        the public view), in stored order."""
        source = self.in_view(PUBLIC_VIEW if external else view)
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
    name: str,
    addresses: list[str],
    description: str = "",
    external_addresses: list[str] | None = None,
    *,
    view_members: Mapping[str, list[str]] | None = None,
    check: HealthCheck | None = None,
) -> Pool:
    """Validate every field at once and build a :class:`Pool`; raises :class:`InvalidInput`.

    ``view_members`` maps named views to their members (``default``/``public`` are
    ``addresses``/``external_addresses``); an empty list drops the view. Whether each view is
    defined is the store's check."""
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
    named: list[tuple[str, tuple[str, ...]]] = []
    for view, members in sorted((view_members or {}).items()):
        key = str(view).strip().lower()
        if key in (DEFAULT_VIEW, PUBLIC_VIEW):
            field = "addresses" if key == DEFAULT_VIEW else "external_addresses"
            reasons.append(Reason(f"members.{view}", f"the {key} view's members are '{field}'"))
        elif not is_pool_name(key):
            reasons.append(Reason(f"members.{view}", POOL_NAME_RULE.replace("pool", "view")))
        else:
            found = normalize_addresses(list(members), f"members.{key}", reasons)
            if found:
                named.append((key, found))
    if reasons:
        raise InvalidInput(reasons)
    return Pool(name, addrs, description, external, tuple(named), check)


def pool_dict(pool: Pool) -> dict[str, Any]:
    """The pool's fields as the change log records them."""
    out: dict[str, Any] = {
        "name": pool.name,
        "addresses": list(pool.addresses),
        "external_addresses": list(pool.external_addresses),
        "description": pool.description,
    }
    if pool.view_members:
        out["members"] = {view: list(addrs) for view, addrs in pool.view_members}
    if pool.check is not None:
        out["check"] = check_dict(pool.check)
    return out
