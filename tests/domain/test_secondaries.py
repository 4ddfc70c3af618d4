"""Secondaries are address[:port]; IPv6 takes brackets when a port follows."""

from __future__ import annotations

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.secondaries import check_secondaries, parse_secondary


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("192.0.2.1", ("192.0.2.1", 53)),
        (" 192.0.2.1:5300 ", ("192.0.2.1", 5300)),
        ("2001:DB8::1", ("2001:db8::1", 53)),
        ("::1", ("::1", 53)),
        ("[2001:db8::1]", ("2001:db8::1", 53)),
        ("[2001:db8::1]:65535", ("2001:db8::1", 65535)),
    ],
)
def test_good_secondaries(text: str, target: tuple[str, int]) -> None:
    assert parse_secondary(text) == target


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("; rm -rf /", "not an IPv4 or IPv6 address"),
        ("ns1.example.net", "not an IPv4 or IPv6 address"),
        ("192.0.2.1:0", "port '0'"),
        ("192.0.2.1:65536", "port '65536'"),
        ("192.0.2.1:+53", "port '+53'"),
        ("192.0.2.1:", "port ''"),
        ("[192.0.2.1]:53", "IPv6 addresses only"),
        ("[2001:db8::1]53", "[address]:port"),
        ("[2001:db8::1", "[address]:port"),
        ("2001:db8::1:53x", "not an IPv4 or IPv6 address"),
        ("fe80::1%eth0", "scope"),
        ("192.0.2.1:٥٣", "port"),
    ],
)
def test_bad_secondaries(text: str, says: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_secondary(text)
    assert says in str(info.value)


def test_check_names_every_bad_entry_and_repeats() -> None:
    with pytest.raises(InvalidInput) as info:
        check_secondaries(["10.0.0.1:53", "", "; rm -rf /", "::1", "10.0.0.1", 7])
    assert [r.field for r in info.value.reasons] == [
        "secondaries.1", "secondaries.2", "secondaries.4", "secondaries.5"
    ]  # fmt: skip
    assert "repeats secondaries.0" in info.value.reasons[2].message
    assert check_secondaries([" 10.0.0.1:53 ", "::1"]) == ("10.0.0.1:53", "::1")
