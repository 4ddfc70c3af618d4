"""Which members a client gets: the one pure function of docs/selection.md, and its helpers for
the consumers that see a view rather than a client (AXFR/export, DNSPod).

No I/O, no clock, no randomness inside: health is a lookup passed in, a ``random`` draw is an
argument. Not wired into the answer path yet.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from dnsd.domain.pools import DEFAULT_VIEW, Member
from dnsd.domain.targets import MAX_WEIGHT, Mode, Target, make_targets
from dnsd.domain.views import ViewMatcher

__all__ = [
    "MAX_WEIGHT", "Client", "Health", "Member", "Mode", "Steered", "Target", "Variant",
    "all_up", "dnspod_weights", "health_from_states", "make_targets", "select", "select_in_view",
    "subnet_point", "view_members", "zone_file_members",
]  # fmt: skip

# (pool, address, record name) -> is the member up for that name
Health = Callable[[str, str, str], bool]
HASH_PREFIX = {4: 24, 6: 56}


@dataclass(frozen=True, slots=True)
class Client:
    """The client network: a trusted ECS subnet (``trusted_ecs``) or the packet source (as a
    /32 or /128). Untrusted ECS never reaches here: the caller passes the source instead."""

    address: str
    prefix: int
    trusted_ecs: bool = False


@dataclass(frozen=True, slots=True)
class Variant:
    """The answer: addresses in order, the ECS scope it was chosen at, and whether health was
    ignored because no member of any weight > 0 target was up (fail open; never set when there
    was no member at all)."""

    addresses: tuple[str, ...]
    scope: int = 0
    fail_open: bool = False


@dataclass(frozen=True, slots=True)
class Steered:
    """A pool-backed A or AAAA RRset: its owner name, type, targets and selection mode."""

    name: str
    rtype: Literal["A", "AAAA"]
    targets: tuple[Target, ...]
    mode: Mode = "hashed"


def health_from_states(states: Mapping[tuple[str, ...], str]) -> Health:
    """A :data:`Health` lookup over stored states keyed ``(pool, address)`` (TCP checks) or
    ``(pool, address, name)`` (route-aware HTTP checks). A member is up for a name when every
    state recorded for it is ``up``; a member never checked is up."""

    def is_up(pool: str, address: str, name: str) -> bool:
        return states.get((pool, address), "up") == "up" and states.get((pool, address, name), "up") == "up"

    return is_up


def all_up(pool: str, address: str, name: str) -> bool:
    """The :data:`Health` lookup when no health checks exist (today)."""
    return True


def view_members(members: Sequence[Member], view: str, rtype: str) -> tuple[str, ...]:
    """Step 2: the pool's addresses of ``rtype``'s family in ``view``. A pool with no members in
    the view at all (any family) uses its ``default`` members."""
    chosen = [m for m in members if m.view == view]
    if not chosen:
        chosen = [m for m in members if m.view == DEFAULT_VIEW]
    version = 4 if rtype == "A" else 6
    return tuple(m.address for m in chosen if ipaddress.ip_address(m.address).version == version)


def _candidates(
    record: Steered, view: str, pools: Mapping[str, Sequence[Member]], health: Health
) -> list[tuple[Target, tuple[str, ...], tuple[str, ...]]]:
    """Per weight > 0 target: (target, its members in the view, the healthy ones)."""
    out = []
    for target in record.targets:
        if target.weight > 0:
            addrs = view_members(pools.get(target.pool, ()), view, record.rtype)
            up = tuple(a for a in addrs if health(target.pool, a, record.name))
            out.append((target, addrs, up))
    return out


def _union(groups: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a for group in groups for a in group))


def subnet_point(client: Client, name: str, total: int) -> int:
    """A point in ``[0, total)`` from a stable hash of the client subnet truncated to /24 (IPv4)
    or /56 (IPv6) and the record name. blake2b, not ``hash()``: the same across processes."""
    ip = ipaddress.ip_address(client.address)
    keep = min(client.prefix, HASH_PREFIX[ip.version])
    bits = ip.max_prefixlen
    truncated = (int(ip) >> (bits - keep)) << (bits - keep) if keep else 0
    key = truncated.to_bytes(bits // 8, "big") + name.rstrip(".").lower().encode()
    digest = hashlib.blake2b(key, digest_size=8, person=b"dnsd-sel").digest()
    return (int.from_bytes(digest, "big") * total) >> 64


def _pick(eligible: Sequence[tuple[Target, tuple[str, ...]]], point: int) -> tuple[str, ...]:
    for target, up in eligible:
        if point < target.weight:
            return up
        point -= target.weight
    return eligible[-1][1]  # unreachable for point < total; kept for float edge cases


def _choose(
    record: Steered,
    view: str,
    pools: Mapping[str, Sequence[Member]],
    health: Health,
    client: Client | None,
    draw: float | None,
) -> tuple[Variant, bool]:
    """Steps 2-4; the flag is True when ``hashed`` chose between several eligible targets."""
    candidates = _candidates(record, view, pools, health)
    eligible = [(t, up) for t, _, up in candidates if up]
    if not eligible:
        everyone = _union([addrs for _, addrs, _ in candidates])
        return Variant(everyone, 0, fail_open=bool(everyone)), False
    if len(eligible) == 1:
        return Variant(eligible[0][1]), False
    total = sum(t.weight for t, _ in eligible)
    if record.mode == "random":
        if draw is None or not 0.0 <= draw < 1.0:
            raise ValueError("random selection needs a draw in [0, 1)")
        return Variant(_pick(eligible, min(int(draw * total), total - 1))), False
    if client is None:
        raise ValueError("hashed selection needs the client")
    return Variant(_pick(eligible, subnet_point(client, record.name, total))), True


def select_in_view(
    record: Steered,
    view: str,
    pools: Mapping[str, Sequence[Member]],
    health: Health,
    *,
    client: Client | None = None,
    draw: float | None = None,
) -> Variant:
    """Steps 2-4 for a known view (scope 0). ``hashed`` needs ``client`` when more than one
    target is eligible; ``random`` needs ``draw`` in [0, 1). Raises ValueError without them."""
    return _choose(record, view, pools, health, client, draw)[0]


def select(
    record: Steered,
    client: Client,
    views: ViewMatcher,
    pools: Mapping[str, Sequence[Member]],
    health: Health,
    draw: float | None = None,
) -> Variant:
    """The members ``client`` gets for ``record`` (docs/selection.md steps 1-5).

    ``pools`` maps pool name to its members, ``health`` says whether a member is up for the
    record's name, ``draw`` is the uniform draw of a ``random`` record. Never empty while any
    weight > 0 target has a member of the family in the view (fail open). The scope is the
    matched view prefix, raised to 24/56 when ``hashed`` chose between several targets, and 0
    unless the client is a trusted ECS subnet. Raises ValueError when a ``random`` record with
    several eligible targets gets no draw.
    """
    view, matched = views.match(client.address, client.prefix)
    variant, hashed = _choose(record, view, pools, health, client, draw)
    if not client.trusted_ecs:
        return variant
    scope = max(matched, HASH_PREFIX[ipaddress.ip_address(client.address).version]) if hashed else matched
    return Variant(variant.addresses, scope, variant.fail_open)


def zone_file_members(
    record: Steered, view: str, pools: Mapping[str, Sequence[Member]], health: Health
) -> Variant:
    """What AXFR/IXFR and ``dnsd export`` carry for ``view`` (zone files cannot express
    weights): the union, in target order, of the healthy members of every weight > 0 target;
    when none is healthy, every member of those targets (fail open)."""
    candidates = _candidates(record, view, pools, health)
    healthy = _union([up for _, _, up in candidates])
    if healthy:
        return Variant(healthy)
    everyone = _union([addrs for _, addrs, _ in candidates])
    return Variant(everyone, 0, fail_open=bool(everyone))


def dnspod_weights(
    record: Steered, view: str, pools: Mapping[str, Sequence[Member]], health: Health
) -> dict[str, int]:
    """DNSPod ``Weight`` (1-100) per published address, so that each target's share of the
    split is its weight's share: DNSPod weighs records, not pools, so a target's weight is
    divided among its published members and scaled so the heaviest record gets 100.
    The addresses are those of :func:`zone_file_members`; fail open gives every target its
    members. An address in two targets gets the sum of its shares."""
    candidates = _candidates(record, view, pools, health)
    use_health = any(up for _, _, up in candidates)
    share: dict[str, float] = {}
    for target, addrs, up in candidates:
        published = up if use_health else addrs
        for address in published:
            share[address] = share.get(address, 0.0) + target.weight / len(published)
    top = max(share.values(), default=0.0)
    return {a: max(1, min(100, round(100 * s / top))) for a, s in share.items()}
