"""The shortcuts a large zone file takes (plain names, plain IPv4 addresses) give exactly what
the full rules give, for anything: they only skip work when the answer is already known."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.names import full_name_problems, name_problems
from dnsd.domain.rdata import Address, parse_rdata
from tests.domain.strategies import hostnames

NAME_CHARS = "abcxyz019-_*.ABZ\u00e9 \\\n"
names = st.one_of(
    hostnames(),
    hostnames().map(lambda n: n + "."),
    hostnames().map(lambda n: "*." + n),
    st.text(NAME_CHARS, max_size=30),
    st.sampled_from(
        ["xn--nxasmq6b.test", "xn--bad.test", "a" * 63 + ".t", "a" * 64 + ".t", "x." * 127 + "t"]
    ),
)


@given(names, st.booleans(), st.booleans())
def test_name_shortcut_changes_nothing(text: str, wildcard: bool, strict: bool) -> None:
    assert name_problems(text, wildcard=wildcard, strict=strict) == full_name_problems(
        text, wildcard=wildcard, strict=strict
    )


def test_plain_names_take_the_shortcut_and_long_ones_do_not() -> None:
    assert name_problems("host1.Million.test.") == ("host1.million.test", [])
    assert name_problems("*.a.b", wildcard=False)[1] == ["wildcard '*' is not allowed here"]
    long = ".".join(["abcdefghi"] * 26)  # 259 octets: every label plain, the name too long
    assert name_problems(long)[1] == [f"name is {len(long)} octets, longer than 253"]


octets = st.integers(0, 999).map(str) | st.sampled_from(["00", "01", "007", "1e1", "\u0661", ""])


@given(st.lists(octets, min_size=3, max_size=5).map(".".join) | st.text("0123456789. \n", max_size=16))
def test_ipv4_shortcut_changes_nothing(text: str) -> None:
    try:
        parsed = ipaddress.ip_address(text.strip())
        expected: Address | None = Address(parsed.compressed) if parsed.version == 4 else None
    except ValueError:
        expected = None
    try:
        got: Address | None = parse_rdata("A", text)  # type: ignore[assignment]
    except ValueError:
        got = None
    assert got == expected
