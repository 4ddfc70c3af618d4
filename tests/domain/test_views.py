"""Views: make_views validation (every problem at once, overlaps named) and the longest-prefix
ViewMatcher against a brute-force reference."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd.domain.errors import InvalidInput
from dnsd.domain.views import View, ViewMatcher, make_views


def problems(definitions: list[tuple[str, list[str]]]) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        make_views(definitions)
    return [str(r) for r in info.value.reasons]


def test_make_views_canonicalises() -> None:
    views = make_views([(" DC-A ", ["10.1.2.3/16", " 2001:DB8:0::/32"]), ("office", ["192.0.2.7/32"])])
    assert views == (View("dc-a", ("10.1.0.0/16", "2001:db8::/32")), View("office", ("192.0.2.7/32",)))


def test_a_bare_address_is_a_host_network() -> None:
    assert make_views([("v", ["10.0.0.1", "::1"])])[0].networks == ("10.0.0.1/32", "::1/128")


@pytest.mark.parametrize("name", ["default", "public"])
def test_reserved_views_cannot_be_defined(name: str) -> None:
    got = problems([(name, ["10.0.0.0/8"])])
    assert len(got) == 1 and got[0].startswith("views.0.name:") and "reserved" in got[0]


def test_reserved_view_without_networks_is_one_problem() -> None:
    assert len(problems([("public", [])])) == 1


@pytest.mark.parametrize("name", ["", "-a", "a_b", "a.b", "a" * 64])
def test_view_names_follow_pool_names(name: str) -> None:
    assert problems([(name, ["10.0.0.0/8"])]) == [
        "views.0.name: view names are 1-63 lower-case letters, digits and hyphens"
    ]


def test_every_problem_at_once() -> None:
    got = problems([("Bad_", []), ("ok", ["nope", "10.0.0.0/33", "fe80::/64%eth0"]), ("ok", ["10.0.0.0/8"])])
    fields = [p.split(":")[0] for p in got]
    assert fields == [
        "views.0.name",
        "views.0.networks",
        "views.1.networks.0",
        "views.1.networks.1",
        "views.1.networks.2",
        "views.2.name",
    ]


def test_overlap_across_views_names_both_views_and_networks() -> None:
    got = problems([("dc-a", ["10.1.0.0/16"]), ("dc-b", ["10.0.0.0/8"])])
    assert got == ["views.0.networks: 10.1.0.0/16 in view 'dc-a' overlaps 10.0.0.0/8 in view 'dc-b'"]


def test_overlap_within_a_view_and_duplicates() -> None:
    got = problems([("v", ["2001:db8::/32", "2001:db8:1::/48", "2001:db8::/32"])])
    assert len(got) == 3  # /48 in /32, /32 in /32 (the duplicate), /48 in the duplicate /32
    assert all("in view 'v' overlaps" in p for p in got)
    assert any("2001:db8:1::/48 in view 'v' overlaps 2001:db8::/32" in p for p in got)


def test_every_overlapping_pair_is_named_once() -> None:
    got = problems([("a", ["10.0.0.0/8"]), ("b", ["10.1.0.0/16"]), ("c", ["10.1.2.0/24", "10.2.0.0/16"])])
    assert sorted(got) == sorted(
        [
            "views.1.networks: 10.1.0.0/16 in view 'b' overlaps 10.0.0.0/8 in view 'a'",
            "views.2.networks: 10.1.2.0/24 in view 'c' overlaps 10.0.0.0/8 in view 'a'",
            "views.2.networks: 10.1.2.0/24 in view 'c' overlaps 10.1.0.0/16 in view 'b'",
            "views.2.networks: 10.2.0.0/16 in view 'c' overlaps 10.0.0.0/8 in view 'a'",
        ]
    )


def test_ipv4_and_ipv6_never_overlap() -> None:
    assert len(make_views([("a", ["0.0.0.0/0"]), ("b", ["::/0"])])) == 2


def test_matcher_longest_prefix_and_default() -> None:
    matcher = ViewMatcher(
        [
            View("dc-a", ("10.1.0.0/16", "2001:db8::/32")),
            View("office", ("10.1.7.0/24",)),
            View("v6", ("::/0",)),
        ]
    )
    assert matcher.match("10.1.7.9") == ("office", 24)
    assert matcher.match("10.1.8.9") == ("dc-a", 16)
    assert matcher.match("10.2.0.1") == ("default", 0)
    assert matcher.match("2001:db8:ffff::1") == ("dc-a", 32)
    assert matcher.match("2001:db9::1") == ("v6", 0)


def test_ecs_subnet_shorter_than_a_view_network_does_not_match_it() -> None:
    matcher = ViewMatcher([View("dc-a", ("10.1.0.0/16",)), View("office", ("10.1.7.0/24",))])
    assert matcher.match("10.1.7.0", 24) == ("office", 24)
    assert matcher.match("10.1.7.0", 20) == ("dc-a", 16)
    assert matcher.match("10.1.0.0", 8) == ("default", 0)


def test_empty_matcher_is_falsy() -> None:
    assert not ViewMatcher([])
    assert ViewMatcher([View("a", ("10.0.0.0/8",))])


def reference(views: tuple[View, ...], address: str, prefix: int) -> tuple[str, int]:
    subnet = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    best = ("default", 0)
    best_len = -1
    for view in views:
        for text in view.networks:
            net = ipaddress.ip_network(text)
            if net.version == subnet.version and subnet.subnet_of(net) and net.prefixlen > best_len:  # type: ignore[arg-type]
                best, best_len = (view.name, net.prefixlen), net.prefixlen
    return best


# Small address spaces (16 varying bits inside 10.0.0.0/16 and 2001:db8::/32) so that networks
# nest and clients land in them often.
V6_BASE = 0x20010DB8 << 96


def v4(value: int) -> str:
    return str(ipaddress.IPv4Address((10 << 24) | value))


def v6(value: int, low: int = 0) -> str:
    return str(ipaddress.IPv6Address(V6_BASE | (value << 80) | low))


v4_nets = st.builds(lambda v, p: f"{v4(v)}/{p}", st.integers(0, 2**16 - 1), st.integers(16, 32))
v6_nets = st.builds(lambda v, p: f"{v6(v)}/{p}", st.integers(0, 2**16 - 1), st.integers(32, 48))


@st.composite
def view_sets(draw: st.DrawFn) -> tuple[View, ...]:
    """Non-overlapping views: networks drawn at random, each kept only if it overlaps none kept."""
    kept: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    views = []
    for i in range(draw(st.integers(0, 5))):
        mine = []
        for text in draw(st.lists(st.one_of(v4_nets, v6_nets), min_size=1, max_size=6)):
            net = ipaddress.ip_network(text, strict=False)
            if not any(net.version == k.version and net.overlaps(k) for k in kept):
                kept.append(net)
                mine.append(net.compressed)
        if mine:
            views.append((f"v{i}", mine))
    return make_views(views)


clients_v4 = st.tuples(st.integers(0, 2**16 - 1).map(v4), st.integers(0, 32))
clients_v6 = st.tuples(
    st.builds(v6, st.integers(0, 2**16 - 1), st.integers(0, 2**80 - 1)), st.integers(0, 128)
)


@settings(max_examples=200, deadline=None)
@given(view_sets(), st.lists(st.one_of(clients_v4, clients_v6), min_size=1, max_size=20))
def test_matcher_agrees_with_brute_force(views: tuple[View, ...], clients: list[tuple[str, int]]) -> None:
    matcher = ViewMatcher(views)
    for address, prefix in clients:
        assert matcher.match(address, prefix) == reference(views, address, prefix)
        assert matcher.match(address) == reference(
            views, address, ipaddress.ip_address(address).max_prefixlen
        )


@settings(max_examples=100, deadline=None)
@given(view_sets())
def test_every_view_network_matches_its_own_view(views: tuple[View, ...]) -> None:
    matcher = ViewMatcher(views)
    for view in views:
        for text in view.networks:
            net = ipaddress.ip_network(text)
            assert matcher.match(str(net.network_address), net.prefixlen) == (view.name, net.prefixlen)
            assert matcher.match(str(net.broadcast_address)) == (view.name, net.prefixlen)
