"""RFC 4592 wildcards: closest encloser, owner = qname, ENTs block, NODATA, CNAME."""

from __future__ import annotations

import pytest

from dnsd.answer import NOERROR, NXDOMAIN, resolve

from .snapshots import is_negative, keys, rr, snapshot, texts, zone_data

EXAMPLE = zone_data(
    "example.com",
    rr("*.apps.example.com", "A", "192.0.2.10", ttl=30),
    rr("*.apps.example.com", "MX", "10 mail.example.com"),
    rr("mail.example.com", "A", "192.0.2.25"),
    rr("real.apps.example.com", "TXT", '"real"'),
    rr("a.ent.apps.example.com", "TXT", '"makes ent.apps an ENT"'),
    rr("*.alias.example.com", "CNAME", "target.example.com"),
    rr("target.example.com", "AAAA", "2001:db8::1"),
    rr("x.*.empty.example.com", "TXT", '"the wildcard is an ENT"'),
)
SNAP = snapshot(EXAMPLE)


@pytest.mark.parametrize("name", ["foo.apps.example.com", "a.b.c.apps.example.com", "*.apps.example.com"])
def test_wildcard_answers_with_the_query_name_as_owner(name: str) -> None:
    answer = resolve(SNAP, name, "A")
    assert answer.rcode == NOERROR and answer.aa
    assert texts(answer.answer) == [f"{name} 30 A 192.0.2.10"]


def test_wildcard_mx_gets_additional_processing() -> None:
    answer = resolve(SNAP, "foo.apps.example.com", "MX")
    assert keys(answer.answer) == [("foo.apps.example.com", "MX")]
    assert texts(answer.additional) == ["mail.example.com 300 A 192.0.2.25"]


def test_wildcard_without_the_type_is_nodata() -> None:
    assert is_negative(resolve(SNAP, "foo.apps.example.com", "TXT"), "example.com", NOERROR)


def test_existing_name_blocks_the_wildcard() -> None:
    assert is_negative(resolve(SNAP, "real.apps.example.com", "A"), "example.com", NOERROR)


def test_empty_non_terminal_blocks_the_wildcard() -> None:
    assert is_negative(resolve(SNAP, "ent.apps.example.com", "A"), "example.com", NOERROR)


def test_wildcard_does_not_match_below_existing_names() -> None:
    # The closest encloser of these is real.apps / ent.apps, which has no '*' child.
    for name in ("x.real.apps.example.com", "x.ent.apps.example.com"):
        assert is_negative(resolve(SNAP, name, "A"), "example.com", NXDOMAIN)


def test_wildcard_does_not_match_its_own_parent_or_siblings() -> None:
    assert is_negative(resolve(SNAP, "apps.example.com", "A"), "example.com", NOERROR)
    assert is_negative(resolve(SNAP, "nothing.example.com", "A"), "example.com", NXDOMAIN)


def test_wildcard_cname_is_followed() -> None:
    answer = resolve(SNAP, "svc.alias.example.com", "AAAA")
    assert texts(answer.answer) == [
        "svc.alias.example.com 300 CNAME target.example.com.",
        "target.example.com 300 AAAA 2001:db8::1",
    ]
    assert answer.rcode == NOERROR and answer.aa


def test_wildcard_that_is_an_empty_non_terminal_gives_nodata() -> None:
    assert is_negative(resolve(SNAP, "foo.empty.example.com", "A"), "example.com", NOERROR)
    answer = resolve(SNAP, "x.foo.empty.example.com", "TXT")
    assert is_negative(answer, "example.com", NOERROR)  # matches *.empty, which holds nothing


def test_wildcard_at_the_apex_covers_only_missing_names() -> None:
    snap = snapshot(
        zone_data("example.com", rr("*.example.com", "A", "192.0.2.1"), rr("www.example.com", "AAAA", "::1"))
    )
    assert texts(resolve(snap, "any.example.com", "A").answer) == ["any.example.com 300 A 192.0.2.1"]
    assert texts(resolve(snap, "x.y.example.com", "A").answer) == ["x.y.example.com 300 A 192.0.2.1"]
    assert is_negative(resolve(snap, "www.example.com", "A"), "example.com", NOERROR)
    assert is_negative(resolve(snap, "a.www.example.com", "A"), "example.com", NXDOMAIN)
    assert is_negative(resolve(snap, "example.com", "A"), "example.com", NOERROR)
