"""make_rrset (every problem at once, TTL limits, pools, duplicates) and placement rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.errors import InvalidInput
from dnsd.domain.rdata import MX, RECORD_TYPES, Address, Target
from dnsd.domain.records import MAX_TTL, RRset, TtlLimits, find_zone, make_rrset, placement_problems

OWNER = "ci:pipeline-42"


def reasons(**kwargs: object) -> list[tuple[str, str]]:
    args: dict[str, object] = {"name": "www.example.com", "rtype": "A", "ttl": 300, "owner": OWNER}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as info:
        make_rrset(**args)  # type: ignore[arg-type]
    return [(r.field, r.message) for r in info.value.reasons]


def fields(**kwargs: object) -> list[str]:
    return [f for f, _ in reasons(**kwargs)]


def test_a_valid_rrset_is_canonical_and_sorted() -> None:
    rrset = make_rrset("WWW.Example.com.", "a", 60, OWNER, ["192.0.2.2", "192.0.2.1"])
    assert rrset == RRset(
        "www.example.com", "A", 60, (Address("192.0.2.1"), Address("192.0.2.2")), None, OWNER
    )


def test_every_problem_is_reported_at_once() -> None:
    got = reasons(name="bad..name", ttl=-1, values=["not-an-ip"])
    assert [f for f, _ in got] == ["name", "ttl", "values.0"]
    assert "empty label" in got[0][1]


def test_all_field_problems_together() -> None:
    got = fields(
        name="-x.example.com", rtype="A", ttl=MAX_TTL + 1, owner="nobody", values=["1.2.3.4", "1.2.3.4", "x"]
    )
    assert got == ["name", "ttl", "owner", "values.1", "values.2"]


def test_unknown_type_is_reported_with_the_other_problems() -> None:
    assert fields(rtype="SPF", ttl=-5, name="a..b", values=["x"]) == ["name", "type", "ttl"]


@pytest.mark.parametrize("rtype", RECORD_TYPES)
def test_every_supported_type_is_accepted_case_insensitively(rtype: str) -> None:
    sample = {
        "A": "192.0.2.1", "AAAA": "2001:db8::1", "CNAME": "t.example.net", "DNAME": "example.net",
        "TXT": "hello", "MX": "10 mx.example.net", "SRV": "0 5 443 t.example.net", "NS": "ns.example.net",
        "CAA": "0 issue ca.example", "PTR": "host.example.net",
    }[rtype]  # fmt: skip
    rrset = make_rrset("x.example.com", rtype.lower(), 300, OWNER, [sample])
    assert rrset.rtype == rtype
    assert len(rrset.values) == 1


# -- TTL -----------------------------------------------------------------------------------


@given(st.integers(0, MAX_TTL))
def test_protocol_ttl_range_is_accepted(ttl: int) -> None:
    assert make_rrset("a.example.com", "A", ttl, OWNER, ["192.0.2.1"]).ttl == ttl


@given(st.integers(max_value=-1) | st.integers(min_value=MAX_TTL + 1))
def test_ttl_outside_protocol_range_is_refused(ttl: int) -> None:
    assert fields(ttl=ttl, values=["192.0.2.1"]) == ["ttl"]


@pytest.mark.parametrize("ttl", [True, 1.5, "300", None])
def test_ttl_must_be_an_integer(ttl: object) -> None:
    assert fields(ttl=ttl, values=["192.0.2.1"]) == ["ttl"]


@given(st.integers(0, 1000), st.integers(0, 1000), st.integers(-10, 1100))
def test_ttl_floor_and_ceiling(floor: int, width: int, ttl: int) -> None:
    limits = TtlLimits(floor=floor, ceiling=floor + width)
    inside = floor <= ttl <= floor + width
    try:
        make_rrset("a.example.com", "A", ttl, OWNER, ["192.0.2.1"], limits=limits)
    except InvalidInput as exc:
        assert not inside
        assert [r.field for r in exc.reasons] == ["ttl"]
        assert f"between {floor} and {floor + width}" in exc.reasons[0].message
    else:
        assert inside


# -- values and pools ----------------------------------------------------------------------


def test_pool_reference_for_a_and_aaaa() -> None:
    for rtype in ("A", "AAAA"):
        rrset = make_rrset("www.example.com", rtype, 60, OWNER, pool=" Istio-Ingressgateway ")
        assert rrset.pool == "istio-ingressgateway"
        assert rrset.values == ()


@pytest.mark.parametrize("rtype", [t for t in RECORD_TYPES if t not in ("A", "AAAA")])
def test_pool_only_for_a_and_aaaa(rtype: str) -> None:
    assert "pool" in fields(rtype=rtype, pool="istio-ingressgateway")


def test_not_both_pool_and_values() -> None:
    assert fields(values=["192.0.2.1"], pool="istio-ingressgateway") == ["pool"]


def test_neither_pool_nor_values() -> None:
    assert fields() == ["values"]
    assert fields(values=[]) == ["values"]


@pytest.mark.parametrize("pool", ["", "  ", "Bad Pool", "-x", "a" * 64])
def test_pool_name_must_be_a_pool_name(pool: str) -> None:
    assert fields(pool=pool) == ["pool"]


@pytest.mark.parametrize(
    ("rtype", "values", "dup"),
    [
        ("A", ["192.0.2.1", "192.0.2.1"], 1),
        ("AAAA", ["2001:db8::1", "2001:DB8:0::1"], 1),
        ("TXT", ["hello", '"hello"'], 1),
        ("MX", ["10 mx.example.net", "10 MX.example.net."], 1),
        ("A", ["192.0.2.1", "192.0.2.2", "192.0.2.1"], 2),
    ],
)
def test_duplicate_rdata_is_refused(rtype: str, values: list[str], dup: int) -> None:
    got = reasons(rtype=rtype, values=values)
    assert [f for f, _ in got] == [f"values.{dup}"]
    assert "duplicate" in got[0][1]


@pytest.mark.parametrize("rtype", ["CNAME", "DNAME"])
def test_singleton_types_hold_one_value(rtype: str) -> None:
    assert fields(rtype=rtype, values=["a.example.net", "b.example.net"]) == ["values"]


def test_value_errors_name_their_index() -> None:
    got = reasons(rtype="MX", values=["10 mx.example.net", "70000 mx2.example.net", "mx3"])
    assert [f for f, _ in got] == ["values.1", "values.2"]


@pytest.mark.parametrize(
    "owner", ["", "alice", ":x", "k8s:", "K8S:x", "k8s: x", "a:" + "x" * 241, "a" * 250 + ":xxxxxx"]
)
def test_owner_must_be_kind_colon_identity_and_fit(owner: str) -> None:
    assert fields(owner=owner, values=["192.0.2.1"]) == ["owner"]


@pytest.mark.parametrize(
    "owner", ["k8s:default/service/hello-web", "ci:pipeline-42", "user:alice@example.com"]
)
def test_good_owners(owner: str) -> None:
    assert make_rrset("a.example.com", "A", 1, owner, ["192.0.2.1"]).owner == owner


def test_wildcard_owner_names_are_allowed() -> None:
    assert make_rrset("*.apps.example.com", "A", 1, OWNER, ["192.0.2.1"]).name == "*.apps.example.com"
    assert fields(name="apps.*.example.com", values=["192.0.2.1"]) == ["name"]


# -- placement -----------------------------------------------------------------------------


def rr(name: str, rtype: str, *values: str) -> RRset:
    return make_rrset(name, rtype, 300, OWNER, list(values) or ["192.0.2.1"])


ZONE = "example.com"


def test_cname_must_stand_alone() -> None:
    cname = rr("www.example.com", "CNAME", "web.example.net")
    assert [r.field for r in placement_problems(cname, ZONE, [rr("www.example.com", "TXT", "x")])] == ["type"]
    txt = rr("www.example.com", "TXT", "x")
    assert [r.field for r in placement_problems(txt, ZONE, [cname])] == ["type"]


def test_cname_may_replace_a_cname() -> None:
    old = rr("www.example.com", "CNAME", "old.example.net")
    assert placement_problems(rr("www.example.com", "CNAME", "new.example.net"), ZONE, [old]) == []


def test_cname_not_at_the_apex() -> None:
    problems = placement_problems(rr(ZONE, "CNAME", "web.example.net"), ZONE, [])
    assert [r.field for r in problems] == ["name"]
    assert "apex" in problems[0].message


def test_apex_ns_is_refused_but_delegation_is_fine() -> None:
    assert [r.field for r in placement_problems(rr(ZONE, "NS", "ns1.example.net"), ZONE, [])] == ["name"]
    assert placement_problems(rr("sub.example.com", "NS", "ns1.example.net"), ZONE, []) == []


@pytest.mark.parametrize(("rtype", "value"), [("NS", "ns1.example.net"), ("DNAME", "example.net")])
def test_wildcard_ns_and_dname_are_refused(rtype: str, value: str) -> None:
    problems = placement_problems(rr("*.example.com", rtype, value), ZONE, [])
    assert [r.field for r in problems] == ["name"]
    assert "wildcard" in problems[0].message


def test_other_types_coexist() -> None:
    a = rr("www.example.com", "A", "192.0.2.1")
    others = [rr("www.example.com", "TXT", "x"), rr("www.example.com", "MX", "10 mx.example.net")]
    assert placement_problems(a, ZONE, others) == []
    assert placement_problems(rr(ZONE, "MX", "10 mx.example.net"), ZONE, others) == []
    assert placement_problems(rr("*.example.com", "A", "192.0.2.1"), ZONE, []) == []


def test_find_zone_picks_the_longest_match() -> None:
    zones = ["example.com", "sub.example.com", "example.org"]
    assert find_zone("a.sub.example.com", zones) == "sub.example.com"
    assert find_zone("sub.example.com", zones) == "sub.example.com"
    assert find_zone("b.example.com", zones) == "example.com"
    assert find_zone("xexample.com", zones) is None
    assert find_zone("example.net", zones) is None


def test_content_is_ttl_values_and_pool() -> None:
    a = make_rrset("a.example.com", "A", 60, OWNER, ["192.0.2.2", "192.0.2.1"])
    b = make_rrset("A.example.com.", "A", 60, "user:bob", ["192.0.2.1", "192.0.2.2"])
    assert a.content() == b.content()
    assert a.content() != make_rrset("a.example.com", "A", 61, OWNER, ["192.0.2.1", "192.0.2.2"]).content()
    assert make_rrset("m.example.com", "MX", 1, OWNER, ["10 mx.example.net"]).values == (
        MX(10, "mx.example.net"),
    )
    assert make_rrset("c.example.com", "CNAME", 1, OWNER, ["t.example.net"]).values == (
        Target("t.example.net"),
    )
