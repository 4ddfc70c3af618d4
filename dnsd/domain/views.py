"""Views: named sets of client networks, and the longest-prefix match that finds a client's view.

See docs/selection.md (step 1). ``default`` is every client no view network matches; ``public``
is what DNSPod publishes and matches no client. Neither is defined with networks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.pools import DEFAULT_VIEW, POOL_NAME_RULE, PUBLIC_VIEW, is_pool_name

RESERVED_VIEWS = (DEFAULT_VIEW, PUBLIC_VIEW)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class View:
    """A view: ``networks`` are canonical (``10.1.0.0/16``, ``2001:db8::/32``), in given order."""

    name: str
    networks: tuple[str, ...]


def _parse_network(text: str, field: str, reasons: list[Reason]) -> Network | None:
    raw = str(text).strip()
    try:
        net = ipaddress.ip_network(raw, strict=False)
    except ValueError:
        reasons.append(Reason(field, f"{text!r} is not an IPv4 or IPv6 network"))
        return None
    if "%" in raw:
        reasons.append(Reason(field, f"{text!r}: a scoped (zone-id) network cannot match clients"))
        return None
    return net


def _view_reasons(index: int, name: str, networks: Sequence[str], reasons: list[Reason]) -> list[Network]:
    field = f"views.{index}"
    if name in RESERVED_VIEWS:
        why = "every client no view matches" if name == DEFAULT_VIEW else "what DNSPod publishes; no client"
        reasons.append(Reason(f"{field}.name", f"{name!r} is reserved ({why}) and has no networks"))
    elif not is_pool_name(name):
        reasons.append(Reason(f"{field}.name", POOL_NAME_RULE.replace("pool", "view")))
    if not networks and name not in RESERVED_VIEWS:
        reasons.append(Reason(f"{field}.networks", "a view needs at least one network"))
    parsed: list[Network] = []
    for j, text in enumerate(networks):
        net = _parse_network(text, f"{field}.networks.{j}", reasons)
        if net is not None:
            parsed.append(net)
    return parsed


def _overlaps(owned: list[tuple[Network, str, int]]) -> list[Reason]:
    """Every pair of overlapping networks. Prefixes either nest or are disjoint, so one sweep in
    address order with a stack of the enclosing networks finds each pair."""
    reasons: list[Reason] = []
    ordered = sorted(owned, key=lambda o: (o[0].version, int(o[0].network_address), o[0].prefixlen))
    stack: list[tuple[Network, str, int]] = []
    for net, view, index in ordered:
        while stack and (stack[-1][0].version != net.version or not net.subnet_of(stack[-1][0])):  # type: ignore[arg-type]
            stack.pop()
        for outer, outer_view, _ in stack:
            where = f"{net} in view {view!r} overlaps {outer} in view {outer_view!r}"
            reasons.append(Reason(f"views.{index}.networks", where))
        stack.append((net, view, index))
    return reasons


def make_views(definitions: Iterable[tuple[str, Sequence[str]]]) -> tuple[View, ...]:
    """Validate a whole set of views at once: names, networks and overlaps (within one view or
    across views, each pair named with both views and both networks). Raises
    :class:`InvalidInput` with every problem; returns the views in given order."""
    reasons: list[Reason] = []
    views: list[View] = []
    owned: list[tuple[Network, str, int]] = []
    seen: set[str] = set()
    for i, (raw_name, networks) in enumerate(definitions):
        name = raw_name.strip().lower()
        if name in seen:
            reasons.append(Reason(f"views.{i}.name", f"duplicate view {name!r}"))
        seen.add(name)
        parsed = _view_reasons(i, name, networks, reasons)
        owned.extend((net, name, i) for net in parsed)
        views.append(View(name, tuple(net.compressed for net in parsed)))
    reasons.extend(_overlaps(owned))
    if reasons:
        raise InvalidInput(reasons)
    return tuple(views)


DEFAULT_MATCH: tuple[str, int] = (DEFAULT_VIEW, 0)


class ViewMatcher:
    """Longest-prefix match of a client address (or ECS subnet) to ``(view name, prefix length)``.

    Per address family, one dict per prefix length present, keyed by the network's leading bits
    as an int; a lookup tries the lengths present from longest to shortest. Results are
    pre-built tuples, so a lookup allocates nothing beyond ints.
    """

    __slots__ = ("_tables",)

    def __init__(self, views: Iterable[View]) -> None:
        by_len: dict[int, dict[int, dict[int, tuple[str, int]]]] = {4: {}, 6: {}}
        for view in views:
            for text in view.networks:
                net = ipaddress.ip_network(text)
                bits = net.max_prefixlen
                key = int(net.network_address) >> (bits - net.prefixlen)
                by_len[net.version].setdefault(net.prefixlen, {})[key] = (view.name, net.prefixlen)
        bits_of = {4: 32, 6: 128}
        self._tables: dict[int, tuple[tuple[int, int, dict[int, tuple[str, int]]], ...]] = {}
        for version, table in by_len.items():
            lengths = sorted(table, reverse=True)
            self._tables[version] = tuple((plen, bits_of[version] - plen, table[plen]) for plen in lengths)

    def __bool__(self) -> bool:
        return any(self._tables.values())

    def match_int(self, version: int, value: int, prefix: int) -> tuple[str, int]:
        """The view of the subnet ``value/prefix`` (``value`` the address as an int). A view
        network longer than ``prefix`` does not contain the subnet and is skipped."""
        for plen, shift, table in self._tables[version]:
            if plen <= prefix:
                hit = table.get(value >> shift)
                if hit is not None:
                    return hit
        return DEFAULT_MATCH

    def match(self, address: str, prefix: int | None = None) -> tuple[str, int]:
        """The view of ``address`` (a host when ``prefix`` is None, else an ECS subnet)."""
        ip = ipaddress.ip_address(address)
        return self.match_int(ip.version, int(ip), ip.max_prefixlen if prefix is None else prefix)
