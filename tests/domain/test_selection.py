"""The selection core of docs/selection.md: one test per rule, then properties (stable hashed
answers, the split over 10,000 subnets and 10,000 draws, fail open, the ECS scope rule)."""

from __future__ import annotations

import ipaddress
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd.domain.errors import InvalidInput
from dnsd.domain.selection import (
    Client,
    Health,
    Member,
    Steered,
    Target,
    Variant,
    all_up,
    dnspod_weights,
    health_from_states,
    make_targets,
    select,
    select_in_view,
    subnet_point,
    view_members,
    zone_file_members,
)
from dnsd.domain.views import View, ViewMatcher

NAME = "www.hello-web.com"
VIEWS = ViewMatcher([View("dc-a", ("10.1.0.0/16", "2001:db8:a::/48")), View("lab", ("10.1.9.0/26",))])
POOLS = {
    "istio": (
        Member("10.20.0.10"),
        Member("10.20.0.11"),
        Member("10.1.0.10", "dc-a"),
        Member("2001:db8::10"),
    ),
    "legacy": (Member("10.30.0.10"), Member("10.1.0.30", "dc-a"), Member("2001:db8:a::30", "dc-a")),
    "v6only": (Member("2001:db8::60"),),
}


def rec(weights: dict[str, int], mode: str = "hashed", rtype: str = "A") -> Steered:
    return Steered(NAME, rtype, make_targets(weights), mode)  # type: ignore[arg-type]


def host(address: str) -> Client:
    return Client(address, ipaddress.ip_address(address).max_prefixlen)


def ecs(address: str, prefix: int) -> Client:
    return Client(address, prefix, trusted_ecs=True)


def down(*identities: tuple[str, ...]) -> Health:
    return health_from_states(dict.fromkeys(identities, "down"))


# -- step 1: view ---------------------------------------------------------------------------


def test_a_client_in_a_view_gets_the_views_members() -> None:
    assert select(rec({"istio": 1}), host("10.1.2.3"), VIEWS, POOLS, all_up).addresses == ("10.1.0.10",)


def test_a_client_in_no_view_gets_default_members() -> None:
    assert select(rec({"istio": 1}), host("10.2.0.1"), VIEWS, POOLS, all_up).addresses == (
        "10.20.0.10",
        "10.20.0.11",
    )


def test_no_views_defined_means_default() -> None:
    assert select(rec({"istio": 1}), host("10.1.2.3"), ViewMatcher([]), POOLS, all_up).addresses == (
        "10.20.0.10",
        "10.20.0.11",
    )


# -- step 2: members per view, default fallback, family -----------------------------------


def test_a_pool_without_members_in_the_view_uses_default() -> None:
    # "lab" is a view of its own (10.1.9.0/26), and istio has no lab members
    assert select(rec({"istio": 1}), host("10.1.9.1"), VIEWS, POOLS, all_up).addresses == (
        "10.20.0.10",
        "10.20.0.11",
    )


def test_family_filter_and_no_fallback_when_the_view_has_members_of_another_family() -> None:
    assert view_members(POOLS["istio"], "dc-a", "AAAA") == ()  # dc-a has an IPv4 member only
    assert view_members(POOLS["istio"], "default", "AAAA") == ("2001:db8::10",)
    assert view_members(POOLS["legacy"], "dc-a", "AAAA") == ("2001:db8:a::30",)


def test_public_view_falls_back_to_default_like_the_sync_today() -> None:
    pools = {"p": (Member("10.0.0.1"), Member("198.51.100.1", "public"))}
    assert view_members(pools["p"], "public", "A") == ("198.51.100.1",)
    assert view_members(POOLS["istio"], "public", "A") == ("10.20.0.10", "10.20.0.11")


def test_unknown_pool_has_no_members() -> None:
    assert select(rec({"gone": 1}), host("10.2.0.1"), VIEWS, POOLS, all_up) == Variant((), 0, fail_open=False)


# -- step 3: health -------------------------------------------------------------------------


def test_down_members_leave_the_answer() -> None:
    health = down(("istio", "10.20.0.10"))
    assert select(rec({"istio": 1}), host("10.2.0.1"), VIEWS, POOLS, health).addresses == ("10.20.0.11",)


def test_route_aware_state_is_per_name() -> None:
    health = down(("istio", "10.20.0.10", NAME))
    assert health("istio", "10.20.0.10", NAME) is False
    assert health("istio", "10.20.0.10", "other.hello-web.com") is True
    assert health("istio", "10.20.0.11", NAME) is True  # never checked is up


def test_a_member_is_up_only_when_every_state_is_up() -> None:
    health = health_from_states({("p", "a"): "up", ("p", "a", NAME): "down", ("q", "b"): "unknown"})
    assert not health("p", "a", NAME)
    assert health("p", "a", "x")
    assert not health("q", "b", NAME)


# -- step 4: weights, eligibility, fail open ------------------------------------------------


def test_weight_zero_is_never_answered() -> None:
    record = rec({"istio": 0, "legacy": 5})
    for i in range(200):
        assert select(record, host(f"10.{i}.0.1"), ViewMatcher([]), POOLS, all_up).addresses == (
            "10.30.0.10",
        )


def test_a_target_with_no_healthy_member_is_not_eligible() -> None:
    record = rec({"istio": 99, "legacy": 1})
    health = down(("istio", "10.20.0.10"), ("istio", "10.20.0.11"))
    for i in range(200):
        got = select(record, host(f"10.{i}.0.1"), ViewMatcher([]), POOLS, health)
        assert got == Variant(("10.30.0.10",), 0, fail_open=False)


def test_fail_open_answers_every_member_of_every_weighted_target() -> None:
    record = rec({"istio": 1, "legacy": 1, "v6only": 0})
    health = down(("istio", "10.20.0.10"), ("istio", "10.20.0.11"), ("legacy", "10.30.0.10"))
    got = select(record, host("10.2.0.1"), VIEWS, POOLS, health)
    assert got == Variant(("10.20.0.10", "10.20.0.11", "10.30.0.10"), 0, fail_open=True)


def test_fail_open_leaves_weight_zero_targets_out() -> None:
    record = rec({"istio": 0, "legacy": 1})
    got = select(record, host("10.2.0.1"), VIEWS, POOLS, down(("legacy", "10.30.0.10")))
    assert got == Variant(("10.30.0.10",), 0, fail_open=True)


def test_the_answer_is_the_targets_healthy_members_in_stored_order() -> None:
    pools = {"p": tuple(Member(f"10.0.0.{i}") for i in (9, 3, 7, 1))}
    got = select(rec({"p": 1}), host("10.2.0.1"), ViewMatcher([]), pools, down(("p", "10.0.0.7")))
    assert got.addresses == ("10.0.0.9", "10.0.0.3", "10.0.0.1")


def test_hashed_uses_the_slash_24_and_the_name() -> None:
    assert subnet_point(host("10.2.3.4"), NAME, 10**9) == subnet_point(host("10.2.3.200"), NAME, 10**9)
    assert subnet_point(host("10.2.3.4"), NAME, 10**9) == subnet_point(
        host("10.2.3.4"), NAME.upper() + ".", 10**9
    )
    assert subnet_point(host("10.2.3.4"), NAME, 10**9) != subnet_point(host("10.2.4.4"), NAME, 10**9)
    assert subnet_point(host("10.2.3.4"), NAME, 10**9) != subnet_point(host("10.2.3.4"), "api." + NAME, 10**9)
    assert subnet_point(host("2001:db8:0:ff::1"), NAME, 10**9) == subnet_point(
        host("2001:db8:0:1::9"), NAME, 10**9
    )
    assert subnet_point(host("2001:db8:0:100::1"), NAME, 10**9) != subnet_point(
        host("2001:db8::1"), NAME, 10**9
    )


def test_hashed_is_the_same_in_every_process() -> None:
    # pinned: a salted hash() would give another value in the next interpreter
    assert subnet_point(host("192.0.2.1"), NAME, 2**32) == 405687608
    assert subnet_point(ecs("2001:db8::", 48), NAME, 2**32) == 3760464773


def test_random_uses_the_draw_on_cumulative_weights() -> None:
    record = rec({"istio": 1, "legacy": 3}, mode="random")

    def pick(draw: float) -> tuple[str, ...]:
        return select(record, host("10.2.0.1"), VIEWS, POOLS, all_up, draw).addresses

    assert pick(0.0) == pick(0.2499) == ("10.20.0.10", "10.20.0.11")
    assert pick(0.25) == pick(0.9999) == ("10.30.0.10",)


@pytest.mark.parametrize("draw", [None, 1.0, -0.1])
def test_random_without_a_valid_draw_is_a_programming_error(draw: float | None) -> None:
    with pytest.raises(ValueError, match="draw"):
        select(rec({"istio": 1, "legacy": 1}, mode="random"), host("10.2.0.1"), VIEWS, POOLS, all_up, draw)


def test_random_with_one_eligible_target_needs_no_draw() -> None:
    assert select(rec({"istio": 1}, mode="random"), host("10.2.0.1"), VIEWS, POOLS, all_up).addresses


def test_hashed_in_a_known_view_needs_the_client() -> None:
    with pytest.raises(ValueError, match="client"):
        select_in_view(rec({"istio": 1, "legacy": 1}), "default", POOLS, all_up)


# -- step 5: ECS scope ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client", "weights", "mode", "scope"),
    [
        (ecs("10.1.2.0", 24), {"istio": 1}, "hashed", 16),  # the matched view network
        (ecs("10.2.0.0", 24), {"istio": 1}, "hashed", 0),  # default view, one target
        (ecs("10.1.2.0", 24), {"istio": 1, "legacy": 1}, "hashed", 24),  # raised for hashed
        (ecs("10.2.0.0", 20), {"istio": 1, "legacy": 1}, "hashed", 24),
        (ecs("10.1.9.0", 28), {"istio": 1, "legacy": 1}, "hashed", 26),  # the longer view prefix stays
        (
            ecs("10.1.2.0", 24),
            {"istio": 1, "legacy": 1},
            "random",
            16,
        ),  # random does not depend on the subnet
        (ecs("2001:db8:a::", 56), {"legacy": 1, "v6only": 1}, "hashed", 56),
        (ecs("2001:db8:a::", 56), {"legacy": 1}, "hashed", 48),
        (Client("10.1.2.0", 24), {"istio": 1, "legacy": 1}, "hashed", 0),  # untrusted: 0
        (Client("10.1.2.3", 32), {"istio": 1}, "hashed", 0),
    ],
)
def test_ecs_scope(client: Client, weights: dict[str, int], mode: str, scope: int) -> None:
    rtype = "AAAA" if ":" in client.address else "A"
    assert select(rec(weights, mode, rtype), client, VIEWS, POOLS, all_up, 0.5).scope == scope


def test_no_raise_when_health_leaves_one_eligible_target() -> None:
    got = select(
        rec({"istio": 1, "legacy": 1}), ecs("10.1.2.0", 24), VIEWS, POOLS, down(("legacy", "10.1.0.30"))
    )
    assert (got.addresses, got.scope) == (("10.1.0.10",), 16)


def test_no_raise_when_failing_open() -> None:
    health = down(("istio", "10.1.0.10"), ("legacy", "10.1.0.30"))
    got = select(rec({"istio": 1, "legacy": 1}), ecs("10.1.2.0", 24), VIEWS, POOLS, health)
    assert got == Variant(("10.1.0.10", "10.1.0.30"), 16, fail_open=True)


# -- consumers: zone files, DNSPod, target validation --------------------------------------


def test_zone_file_members_union_healthy_of_weighted_targets() -> None:
    record = rec({"istio": 1, "legacy": 9, "v6only": 0})
    health = down(("istio", "10.20.0.10"))
    assert zone_file_members(record, "default", POOLS, health) == Variant(("10.20.0.11", "10.30.0.10"))
    assert zone_file_members(record, "dc-a", POOLS, health) == Variant(("10.1.0.10", "10.1.0.30"))


def test_zone_file_members_fail_open() -> None:
    record = rec({"istio": 1, "legacy": 1})
    health = down(("istio", "10.20.0.10"), ("istio", "10.20.0.11"), ("legacy", "10.30.0.10"))
    assert zone_file_members(record, "default", POOLS, health) == Variant(
        ("10.20.0.10", "10.20.0.11", "10.30.0.10"), 0, fail_open=True
    )


def test_dnspod_weights_keep_each_targets_share() -> None:
    # istio has two members: 10 split in two; legacy 90 on one record -> the heaviest is 100
    assert dnspod_weights(rec({"istio": 10, "legacy": 90}), "default", POOLS, all_up) == {
        "10.20.0.10": 6,
        "10.20.0.11": 6,
        "10.30.0.10": 100,
    }


def test_dnspod_weights_follow_health_and_never_drop_to_zero() -> None:
    health = down(("istio", "10.20.0.10"))
    assert dnspod_weights(rec({"istio": 1, "legacy": 1000}), "default", POOLS, health) == {
        "10.20.0.11": 1,
        "10.30.0.10": 100,
    }


def test_make_targets_reports_every_problem() -> None:
    with pytest.raises(InvalidInput) as info:
        make_targets([("a", 1), ("a", -1), ("b", 1.5), ("c", True)])  # type: ignore[list-item]
    assert [r.field for r in info.value.reasons] == [
        "targets.1.pool",
        "targets.1.weight",
        "targets.2.weight",
        "targets.3.weight",
    ]
    with pytest.raises(InvalidInput, match="above 0"):
        make_targets({"a": 0, "b": 0})
    assert make_targets({"a": 0, "b": 2}) == (Target("a", 0), Target("b", 2))


# -- properties -----------------------------------------------------------------------------

weights = st.lists(st.integers(1, 100), min_size=2, max_size=4)


def spread_pools(n: int) -> dict[str, tuple[Member, ...]]:
    return {f"p{i}": (Member(f"192.0.2.{i + 1}"),) for i in range(n)}


def shares(ws: list[int]) -> dict[tuple[str, ...], float]:
    return {(f"192.0.2.{i + 1}",): w / sum(ws) for i, w in enumerate(ws)}


@settings(max_examples=100, deadline=None)
@given(weights, st.integers(0, 2**24 - 1), st.integers(0, 255), st.integers(0, 255))
def test_hashed_is_stable_for_a_subnet(ws: list[int], net: int, a: int, b: int) -> None:
    record = Steered(NAME, "A", tuple(Target(f"p{i}", w) for i, w in enumerate(ws)))
    pools, none = spread_pools(len(ws)), ViewMatcher([])
    one = select(record, host(str(ipaddress.IPv4Address((net << 8) | a))), none, pools, all_up)
    again = select(record, host(str(ipaddress.IPv4Address((net << 8) | b))), none, pools, all_up)
    subnet = select(record, ecs(str(ipaddress.IPv4Address(net << 8)), 24), none, pools, all_up)
    assert one.addresses == again.addresses == subnet.addresses


@settings(max_examples=4, deadline=None)
@given(weights, st.integers(0, 2**24 - 10_001))
def test_hashed_split_over_10000_subnets(ws: list[int], first: int) -> None:
    record = Steered(NAME, "A", tuple(Target(f"p{i}", w) for i, w in enumerate(ws)))
    pools, none = spread_pools(len(ws)), ViewMatcher([])
    got = Counter(
        select(
            record, host(str(ipaddress.IPv4Address(((first + i) << 8) | 1))), none, pools, all_up
        ).addresses
        for i in range(10_000)
    )
    for answer, share in shares(ws).items():
        assert abs(got[answer] / 10_000 - share) <= 0.02, (answer, got[answer], share)


@settings(max_examples=4, deadline=None)
@given(weights, st.integers(0, 2**32 - 1))
def test_random_split_over_10000_draws(ws: list[int], seed: int) -> None:
    record = Steered(NAME, "A", tuple(Target(f"p{i}", w) for i, w in enumerate(ws)), "random")
    pools, none, rng = spread_pools(len(ws)), ViewMatcher([]), random.Random(seed)
    got = Counter(
        select(record, host("10.0.0.1"), none, pools, all_up, rng.random()).addresses for _ in range(10_000)
    )
    for answer, share in shares(ws).items():
        assert abs(got[answer] / 10_000 - share) <= 0.02, (answer, got[answer], share)


ADDRS = [f"10.1.0.{i}" for i in range(1, 6)] + [f"10.9.0.{i}" for i in range(1, 6)]
member_lists = st.lists(
    st.builds(Member, st.sampled_from(ADDRS), st.sampled_from(["default", "dc-a", "public"])), max_size=4
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), member_lists, min_size=1),
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "x"]), st.integers(0, 5)),
        min_size=1,
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    st.sets(st.sampled_from([(p, a) for p in "abc" for a in ADDRS])),
    st.sampled_from(["10.1.2.3", "10.2.0.1"]),
    st.booleans(),
)
def test_fail_open_never_returns_empty(
    pools: dict[str, list[Member]],
    pairs: list[tuple[str, int]],
    dead: set[tuple[str, str]],
    address: str,
    hashed: bool,
) -> None:
    record = Steered(NAME, "A", tuple(Target(p, w) for p, w in pairs), "hashed" if hashed else "random")
    got = select(record, ecs(address, 24), VIEWS, pools, down(*dead), 0.5)
    view, matched = VIEWS.match(address, 24)
    published = {a for p, w in pairs if w > 0 for a in view_members(pools.get(p, ()), view, "A")}
    assert bool(got.addresses) == bool(published)
    assert set(got.addresses) <= published
    healthy = {
        p: [a for a in view_members(pools.get(p, ()), view, "A") if (p, a) not in dead]
        for p, w in pairs
        if w > 0
    }
    assert got.fail_open == (bool(published) and not any(healthy.values()))
    if not got.fail_open and got.addresses:  # one target's healthy members, in stored order
        assert list(got.addresses) in healthy.values()
    # scope rule: the matched prefix, or 24 when hashed chose between several targets
    assert got.scope in {matched, 24}


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**32 - 1), st.integers(0, 32), st.integers(1, 32), st.booleans(), st.booleans(), weights
)
def test_scope_rule(
    address: int, prefix: int, view_len: int, trusted: bool, hashed: bool, ws: list[int]
) -> None:
    record = Steered(
        NAME, "A", tuple(Target(f"p{i}", w) for i, w in enumerate(ws)), "hashed" if hashed else "random"
    )
    client = Client(str(ipaddress.IPv4Address(address)), prefix, trusted)
    network = ipaddress.ip_network(f"{client.address}/{view_len}", strict=False)
    views = ViewMatcher([View("v", (network.compressed,))])
    matched = view_len if view_len <= prefix else 0
    expected = (max(matched, 24) if hashed else matched) if trusted else 0
    assert select(record, client, views, spread_pools(len(ws)), all_up, 0.5).scope == expected
