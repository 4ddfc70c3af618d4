"""Names: normalisation, IDNA, length limits, strict (API) and lenient (bind9) label rules."""

from __future__ import annotations

import idna
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.errors import InvalidInput
from dnsd.domain.names import (
    absolutize,
    ancestors,
    is_subdomain,
    name_problems,
    normalize_name,
    parent,
    relativize,
)
from tests.domain.strategies import hostnames, ldh_labels, mixed_case, odd_labels, unicode_labels


def ok(text: str, *, strict: bool = True, wildcard: bool = True) -> str:
    name, problems = name_problems(text, strict=strict, wildcard=wildcard)
    assert problems == [], problems
    return name


def bad(text: str, *, strict: bool = True, wildcard: bool = True) -> list[str]:
    _, problems = name_problems(text, strict=strict, wildcard=wildcard)
    assert problems, f"{text!r} was accepted"
    return problems


# -- normalisation -------------------------------------------------------------------------


@given(st.text(max_size=80), st.booleans())
def test_normalise_is_idempotent_on_anything_it_accepts(text: str, strict: bool) -> None:
    name, problems = name_problems(text, strict=strict)
    if not problems:
        assert name_problems(name, strict=strict) == (name, [])


@given(hostnames())
def test_canonical_names_are_fixed_points(name: str) -> None:
    assert normalize_name(name) == name
    assert normalize_name(normalize_name(name)) == name


@given(hostnames().flatmap(lambda n: st.tuples(st.just(n), mixed_case(n))), st.booleans())
def test_case_and_trailing_dot_are_folded(pair: tuple[str, str], dot: bool) -> None:
    name, variant = pair
    assert normalize_name(variant + ("." if dot else "")) == name


def test_surrounding_whitespace_is_ignored() -> None:
    assert normalize_name("  WWW.Hello-Web.COM.\n") == "www.hello-web.com"


@pytest.mark.parametrize("text", ["", ".", "  ", "a..b", ".a", "a.."])
def test_empty_names_and_empty_labels_are_refused(text: str) -> None:
    bad(text)
    bad(text, strict=False)


# -- IDNA ----------------------------------------------------------------------------------


@given(unicode_labels, hostnames(max_labels=2))
def test_unicode_labels_become_punycode(label: str, rest: str) -> None:
    name = ok(f"{label}.{rest}")
    first, _, tail = name.partition(".")
    assert first.startswith("xn--")
    assert first == idna.encode(label, uts46=True, transitional=False).decode("ascii")  # IDNA 2008
    assert tail == rest
    assert name.isascii()
    assert normalize_name(name) == name


@given(unicode_labels)
def test_unicode_case_is_folded_too(label: str) -> None:
    assert ok(label.upper() + ".com") == ok(label + ".com")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Bücher.example", "xn--bcher-kva.example"),
        ("münchen.DE.", "xn--mnchen-3ya.de"),
        ("日本語.jp", "xn--wgv71a119e.jp"),
        ("bücher。example", "xn--bcher-kva.example"),  # ideographic full stop separates labels
        ("bücher．example", "xn--bcher-kva.example"),  # fullwidth full stop
    ],
)
def test_known_idna_names(text: str, want: str) -> None:
    assert normalize_name(text) == want


def test_invalid_idna_is_a_problem_not_an_exception() -> None:
    problems = bad("\u00ad.com")  # a soft hyphen alone: nameprep maps it to nothing
    assert "IDNA" in problems[0]


# -- lengths -------------------------------------------------------------------------------


@given(st.integers(1, 63))
def test_labels_up_to_63_octets_are_accepted(size: int) -> None:
    assert ok("a" * size + ".com") == "a" * size + ".com"


@given(st.integers(64, 200), st.booleans())
def test_labels_over_63_octets_are_refused(size: int, strict: bool) -> None:
    problems = bad("a" * size + ".com", strict=strict)
    assert any("longer than 63" in p for p in problems)


def _name_of_length(total: int) -> str:
    labels, left = [], total
    while left > 0:
        size = min(63, left)
        if left - size == 1:  # avoid leaving a single octet that cannot hold "." + label
            size -= 2
        labels.append("a" * size)
        left -= size + 1
    name = ".".join(labels)
    assert len(name) == total
    return name


@given(st.integers(1, 253))
def test_names_up_to_253_octets_are_accepted(total: int) -> None:
    name = _name_of_length(total)
    assert ok(name) == name
    assert ok(name + ".") == name


@given(st.integers(254, 400), st.booleans())
def test_names_over_253_octets_are_refused(total: int, strict: bool) -> None:
    problems = bad(_name_of_length(total), strict=strict)
    assert any("longer than 253" in p for p in problems)


def test_punycode_length_counts_not_unicode_length() -> None:
    label = "한국어日本語中文кириллицаελληνικάäöüéèçñ"  # 32 characters, 76 octets as punycode
    assert len(label) <= 63
    bad(label + ".com")
    bad(label + ".com", strict=False)


# -- strict mode ---------------------------------------------------------------------------


@given(st.lists(ldh_labels(), min_size=1, max_size=3))
def test_strict_accepts_ldh_and_leading_underscore_labels(labels: list[str]) -> None:
    name = ".".join(labels)
    if len(name) <= 253:
        assert ok(name) == name


@pytest.mark.parametrize(
    "text",
    ["_dmarc.example.com", "_sip._tcp.example.com", "_acme-challenge.www.example.com", "xn--bcher-kva.de"],
)
def test_strict_accepts_service_labels(text: str) -> None:
    assert ok(text) == text


@pytest.mark.parametrize(
    "label",
    ["-a", "a-", "_", "__a", "a_b", "a b", "a@b", "a/b", "a:b", "a*b", "*a", "_-a", "a\\b", "é-\x00"],
)
def test_strict_refuses_non_ldh_labels(label: str) -> None:
    bad(f"{label}.example.com")


@given(odd_labels)
def test_strict_refuses_odd_printable_labels(label: str) -> None:
    bad(f"{label}.example.com")


def test_wildcard_only_leftmost_in_strict_mode() -> None:
    assert ok("*.apps.example.com") == "*.apps.example.com"
    assert ok("*") == "*"
    problems = bad("apps.*.example.com")
    assert any("leftmost" in p for p in problems)


def test_wildcard_refused_where_not_allowed() -> None:
    for strict in (True, False):
        problems = bad("*.example.com", strict=strict, wildcard=False)
        assert any("wildcard" in p for p in problems)


def test_every_problem_is_listed() -> None:
    problems = bad("-a.b_.c" + "." + "x" * 70)
    assert len(problems) == 3


# -- lenient mode (what bind9 takes in a zone file) ----------------------------------------


@given(odd_labels, hostnames(max_labels=2))
def test_lenient_accepts_odd_printable_labels(label: str, rest: str) -> None:
    name = ok(f"{label}.{rest}", strict=False)
    assert name == f"{label.lower()}.{rest}"
    assert ok(name, strict=False) == name


@pytest.mark.parametrize("text", ["a.*.example.com", "*.*.example.com", "a*.example.com", "a_b.example.com"])
def test_lenient_accepts_wildcards_anywhere(text: str) -> None:
    assert ok(text, strict=False) == text


@pytest.mark.parametrize("label", ["a b", "a\tb", "a\x00b", "a\x7fb"])
def test_lenient_still_refuses_spaces_and_controls(label: str) -> None:
    bad(f"{label}.example.com", strict=False)


@given(hostnames())
def test_lenient_accepts_everything_strict_accepts(name: str) -> None:
    assert ok(name, strict=False) == ok(name)


# -- relations -----------------------------------------------------------------------------


@given(hostnames(max_labels=2), hostnames(max_labels=2))
def test_subdomain_relation(left: str, zone: str) -> None:
    name = f"{left}.{zone}"
    assert is_subdomain(name, zone)
    assert is_subdomain(zone, zone)
    assert is_subdomain(name, "")
    assert not is_subdomain(zone, name)
    assert not is_subdomain("x" + zone, zone)  # a suffix that is not on a label boundary


@given(hostnames(max_labels=2), hostnames(max_labels=2))
def test_relativize_and_absolutize_are_inverse(left: str, zone: str) -> None:
    for name in (f"{left}.{zone}", zone, "other-" + zone):
        assert absolutize(relativize(name, zone), zone) == name


def test_relativize_forms() -> None:
    assert relativize("example.com", "example.com") == "@"
    assert relativize("www.example.com", "example.com") == "www"
    assert relativize("www.example.org", "example.com") == "www.example.org."
    assert absolutize("www", "example.com") == "www.example.com"
    assert parent("a.b.c") == "b.c"
    assert parent("c") == ""


def test_ancestors_are_the_names_between_zone_and_name() -> None:
    assert ancestors("a.b.c.example.com", "example.com") == ["c.example.com", "b.c.example.com"]
    assert ancestors("a.example.com", "example.com") == []
    assert ancestors("example.com", "example.com") == []


def test_normalize_name_raises_invalid_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_name("a..b", field="target")
    assert [r.field for r in info.value.reasons] == ["target"]
