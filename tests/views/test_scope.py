"""The ECS scope of a ``default`` answer: the shortest prefix of the client subnet that holds
no view network (checked against every prefix by brute force)."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.steering import DefaultScope
from dnsd.domain.views import ViewMatcher, make_views

VIEWS = make_views([("dc-a", ["10.1.0.0/16", "192.168.7.0/24"]), ("dc-b", ["10.2.0.0/16", "fd00:2::/32"])])


def brute(value: int, prefix: int, version: int) -> int:
    """The smallest scope s such that the /s block around the subnet holds no view network
    (and is inside none: the subnet is in no view), at least the overlap the subnet has."""
    bits = 32 if version == 4 else 128
    nets = [ipaddress.ip_network(n) for v in VIEWS for n in v.networks]
    for s in range(bits + 1):
        block = (
            ipaddress.ip_network((value >> (bits - s) << (bits - s), s))
            if version == 4
            else ipaddress.IPv6Network((value >> (bits - s) << (bits - s), s))
        )
        if not any(n.version == version and (n.overlaps(block)) for n in nets):
            return s
    return bits


@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_default_scope_is_the_shortest_prefix_without_a_view_network(value: int, prefix: int) -> None:
    value = value >> (32 - prefix) << (32 - prefix) if prefix else 0
    view, _ = ViewMatcher(VIEWS).match_int(4, value, prefix)
    if view != "default":
        return
    assert DefaultScope(VIEWS)(4, value, prefix) == brute(value, prefix, 4)


def test_examples() -> None:
    scope = DefaultScope(VIEWS)
    assert scope(4, int(ipaddress.ip_address("10.3.0.0")), 16) == 16
    assert scope(4, int(ipaddress.ip_address("10.0.0.0")), 8) == 16
    assert scope(4, int(ipaddress.ip_address("172.16.0.0")), 12) == brute(
        int(ipaddress.ip_address("172.16.0.0")), 12, 4
    )
    assert scope(6, int(ipaddress.ip_address("2001:db8::")), 56) == 1
    assert DefaultScope(())(4, 12345, 24) == 0
