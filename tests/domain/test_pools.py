"""Pools: make_pool validation (every problem at once) and addresses by family and view."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.errors import InvalidInput
from dnsd.domain.pools import Pool, make_pool


def fields(*args: object, **kwargs: object) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        make_pool(*args, **kwargs)  # type: ignore[arg-type]
    return [r.field for r in info.value.reasons]


def test_make_pool_canonicalises() -> None:
    pool = make_pool(" Istio-Ingressgateway ", ["10.0.0.1", " 2001:DB8:0::1 "], "the LVS in front of istio")
    assert pool == Pool("istio-ingressgateway", ("10.0.0.1", "2001:db8::1"), "the LVS in front of istio")


@pytest.mark.parametrize("name", ["", "-a", "a-", "a_b", "a.b", "a b", "a" * 64, "ä"])
def test_bad_pool_names(name: str) -> None:
    assert fields(name, ["10.0.0.1"]) == ["name"]


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True))
def test_good_pool_names(name: str) -> None:
    assert make_pool(name, ["10.0.0.1"]).name == name


def test_every_problem_at_once() -> None:
    got = fields("Bad Name", ["10.0.0.1", "nope", "10.0.0.1"], "x" * 1001, ["fe80::1%eth0"])
    assert got == ["name", "addresses.1", "addresses.2", "external_addresses.0", "description"]


def test_a_pool_needs_an_address() -> None:
    assert fields("p", []) == ["addresses"]
    assert fields("p", ["x"]) == ["addresses.0", "addresses"]


def test_duplicates_are_found_after_canonicalising() -> None:
    assert fields("p", ["2001:db8::1", "2001:DB8:0:0::1"]) == ["addresses.1"]


@given(st.lists(st.ip_addresses(), min_size=1, max_size=8, unique=True))
def test_addresses_for_splits_by_family_keeping_order(
    addrs: list[ipaddress.IPv4Address | ipaddress.IPv6Address],
) -> None:
    pool = make_pool("p", [str(a) for a in addrs])
    assert pool.addresses_for("A") == tuple(a.compressed for a in addrs if a.version == 4)
    assert pool.addresses_for("AAAA") == tuple(a.compressed for a in addrs if a.version == 6)
    assert set(pool.addresses_for("A")) | set(pool.addresses_for("AAAA")) == set(pool.addresses)


def test_external_addresses_answer_the_external_view() -> None:
    pool = make_pool("p", ["10.0.0.1", "fd00::1"], external_addresses=["203.0.113.7", "2001:db8::7"])
    assert pool.addresses_for("A") == ("10.0.0.1",)
    assert pool.addresses_for("A", external=True) == ("203.0.113.7",)
    assert pool.addresses_for("AAAA", external=True) == ("2001:db8::7",)


def test_without_external_addresses_the_external_view_uses_the_internal_ones() -> None:
    pool = make_pool("p", ["198.51.100.1"])
    assert pool.addresses_for("A", external=True) == ("198.51.100.1",)


def test_pools_are_values() -> None:
    assert make_pool("p", ["10.0.0.1"]) == make_pool("P", ["10.0.0.1"])
    assert make_pool("p", ["10.0.0.1", "10.0.0.2"]) != make_pool("p", ["10.0.0.2", "10.0.0.1"])
