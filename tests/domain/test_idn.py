"""IDNA 2008 + UTS #46: what it refuses is refused, and no name is changed silently."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.names import name_problems, normalize_name


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("☃.hello-web.com", "U+2603"),  # a symbol: IDNA 2003 took it, IDNA 2008 does not
        ("xn--zz.hello-web.com", "not a valid IDNA 2008 A-label"),  # punycode of nothing valid
        ("XN--ZZ.hello-web.com", "not a valid IDNA 2008 A-label"),
        ("a\u200bb.hello-web.com", "U+200B (ZERO WIDTH SPACE)"),  # would become ab.hello-web.com
        ("a\u00adb.hello-web.com", "U+00AD (SOFT HYPHEN)"),
        ("a\ufe0fb.hello-web.com", "U+FE0F"),  # a variation selector
        ("a\u200db.hello-web.com", "U+200D"),  # a joiner out of context (CONTEXTJ)
        ("a\u2488b.hello-web.com", "U+2488"),  # maps to "1." in IDNA 2003: a silent new dot
        ("xn--a.hello-web.com", "not a valid IDNA 2008 A-label"),
    ],
)
def test_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_name(text)
    [reason] = info.value.reasons
    assert reason.field == "name" and says in reason.message


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("bücher.hello-web.com", "xn--bcher-kva.hello-web.com"),
        ("BÜCHER.hello-web.com", "xn--bcher-kva.hello-web.com"),
        ("xn--bcher-kva.hello-web.com", "xn--bcher-kva.hello-web.com"),
        ("XN--BCHER-KVA.hello-web.com", "xn--bcher-kva.hello-web.com"),
        ("faß.de", "xn--fa-hia.de"),  # IDNA 2008 keeps ß (IDNA 2003 made it "fass")
        ("ｅｘａｍｐｌｅ.com", "example.com"),  # full-width letters are the same letters
    ],
)
def test_accepted_as_idna_2008(text: str, want: str) -> None:
    assert normalize_name(text) == want


def test_a_refused_name_never_looks_up_another() -> None:
    """Lookups ignore problems; the refused label must stay in the name, not vanish."""
    for text in ("xn--zz.hello-web.com", "a\u200bb.hello-web.com", "☃.hello-web.com"):
        name, problems = name_problems(text, strict=False)
        assert problems and name not in {"hello-web.com", "ab.hello-web.com"}
