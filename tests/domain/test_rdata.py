"""Rdata: parse(to_text(x)) == x for every type, TXT/CAA quoting and escapes, range errors."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.rdata import (
    CAA,
    MX,
    SOA,
    SRV,
    TXT,
    TYPE_CODES,
    Address,
    Rdata,
    Target,
    parse_rdata,
    quote_string,
    split_txt,
)
from tests.domain.strategies import hostnames

u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
targets = hostnames() | st.just("*.wild.example") | st.just("")  # "" is the root: MX 0 . / SRV .
character_strings = st.binary(max_size=255)
caa_tags = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=15)
caa_values = st.text(st.characters(codec="utf-8"), max_size=60)

ipv4 = st.ip_addresses(v=4).map(lambda a: Address(a.compressed))
ipv6 = st.ip_addresses(v=6).map(lambda a: Address(a.compressed))

RDATA: dict[str, st.SearchStrategy[Rdata]] = {
    "A": ipv4,
    "AAAA": ipv6,
    "CNAME": hostnames().map(Target),
    "DNAME": hostnames().map(Target),
    "NS": hostnames().map(Target),
    "PTR": hostnames().map(Target),
    "MX": st.builds(MX, u16, targets),
    "SRV": st.builds(SRV, u16, u16, u16, targets),
    "TXT": st.lists(character_strings, min_size=1, max_size=4).map(lambda s: TXT(tuple(s))),
    "CAA": st.builds(CAA, st.integers(0, 255), caa_tags, caa_values),
    "SOA": st.builds(SOA, hostnames(), hostnames(), u32, u32, u32, u32, u32),
}


def test_every_record_type_and_soa_has_a_round_trip_strategy() -> None:
    assert set(RDATA) >= set(TYPE_CODES) - {"HINFO"}


@pytest.mark.parametrize("rtype", sorted(RDATA))
@given(data=st.data())
def test_parse_of_to_text_is_identity(rtype: str, data: st.DataObject) -> None:
    rdata = data.draw(RDATA[rtype])
    text = rdata.to_text()
    assert parse_rdata(rtype, text) == rdata
    assert parse_rdata(rtype, text).to_text() == text


# -- addresses -----------------------------------------------------------------------------


@given(st.ip_addresses(v=6))
def test_aaaa_is_stored_compressed(addr: ipaddress.IPv6Address) -> None:
    assert parse_rdata("AAAA", addr.exploded.upper()) == Address(addr.compressed)


@pytest.mark.parametrize(
    ("rtype", "text"),
    [
        ("A", "::1"),
        ("A", "256.1.1.1"),
        ("A", "1.2.3"),
        ("A", "01.2.3.4"),
        ("A", "example.com"),
        ("AAAA", "192.0.2.1"),
        ("AAAA", "fe80::1%eth0"),  # a scope belongs to a host's interface, not to DNS data
        ("AAAA", "1::2::3"),
    ],
)
def test_bad_addresses(rtype: str, text: str) -> None:
    with pytest.raises(ValueError, match="address"):
        parse_rdata(rtype, text)


# -- names in rdata ------------------------------------------------------------------------


def test_names_in_rdata_are_canonical_and_printed_absolute() -> None:
    assert parse_rdata("CNAME", "WWW.Example.COM.") == Target("www.example.com")
    assert parse_rdata("MX", "10 Mail.Example.com") == MX(10, "mail.example.com")
    assert parse_rdata("MX", "10 mail.example.com").to_text() == "10 mail.example.com."
    assert parse_rdata("NS", "bücher.de.").to_text() == "xn--bcher-kva.de."


def test_null_mx_and_srv_root_target() -> None:
    assert parse_rdata("MX", "0 .") == MX(0, "")  # RFC 7505: this domain accepts no mail
    assert parse_rdata("MX", "0 .").to_text() == "0 ."
    assert parse_rdata("SRV", "0 0 0 .") == SRV(0, 0, 0, "")  # RFC 2782: service not available


@pytest.mark.parametrize(
    ("rtype", "text"),
    [("CNAME", "a..b"), ("NS", "a b"), ("PTR", ""), ("DNAME", "x" * 64 + ".com"), ("CNAME", ".")],
)
def test_bad_target_names(rtype: str, text: str) -> None:
    with pytest.raises(ValueError):
        parse_rdata(rtype, text)


# -- range errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rtype", "text", "field"),
    [
        ("MX", "65536 mail.example.com", "preference"),
        ("MX", "-1 mail.example.com", "preference"),
        ("MX", "ten mail.example.com", "preference"),
        ("MX", "1_0 mail.example.com", "preference"),
        ("MX", "+10 mail.example.com", "preference"),
        ("MX", "١٠ mail.example.com", "preference"),  # Arabic-Indic digits are not DNS text
        ("SRV", "65536 0 0 t.example.com", "priority"),
        ("SRV", "0 65536 0 t.example.com", "weight"),
        ("SRV", "0 0 65536 t.example.com", "port"),
        ("CAA", "256 issue ca.example", "flags"),
        ("SOA", "a. b. 4294967296 1 1 1 1", "serial"),
        ("SOA", "a. b. 1 1 1 1 -1", "minimum"),
    ],
)
def test_numbers_out_of_range(rtype: str, text: str, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        parse_rdata(rtype, text)


@pytest.mark.parametrize(
    ("rtype", "text"),
    [
        ("MX", "10"),
        ("MX", "10 a.example b.example"),
        ("SRV", "1 2 3"),
        ("SOA", "a. b. 1 2 3 4"),
        ("CAA", "0 issue"),
    ],
)
def test_wrong_number_of_fields(rtype: str, text: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_rdata(rtype, text)


@given(u16, u16, u16)
def test_srv_bounds_are_inclusive(a: int, b: int, c: int) -> None:
    assert parse_rdata("SRV", f"{a} {b} {c} t.example.com") == SRV(a, b, c, "t.example.com")


def test_unsupported_type() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        parse_rdata("LOC", "1 2 3")


# -- TXT -----------------------------------------------------------------------------------


@given(st.binary(max_size=1200))
def test_long_values_are_split_into_255_octet_strings(data: bytes) -> None:
    strings = split_txt(data)
    assert b"".join(strings) == data
    assert all(len(s) <= 255 for s in strings)
    assert all(len(s) == 255 for s in strings[:-1])


@given(st.text(st.characters(codec="utf-8"), max_size=700))
def test_bare_text_is_one_value_split_at_255_octets(text: str) -> None:
    if text.lstrip().startswith('"'):
        return  # quoted text is zone-file syntax, covered below
    rdata = parse_rdata("TXT", text)
    assert isinstance(rdata, TXT)
    assert b"".join(rdata.strings) == text.encode()
    assert parse_rdata("TXT", rdata.to_text()) == rdata


def test_bare_text_over_255_octets() -> None:
    rdata = parse_rdata("TXT", "v=DKIM1; p=" + "A" * 400)
    assert isinstance(rdata, TXT)
    assert [len(s) for s in rdata.strings] == [255, 156]
    assert rdata.to_text().count('"') == 4


@pytest.mark.parametrize(
    ("text", "strings"),
    [
        ('"hello world"', (b"hello world",)),
        ('"a" "b"', (b"a", b"b")),
        ('"say \\"hi\\""', (b'say "hi"',)),
        ('"back\\\\slash"', (b"back\\slash",)),
        ('"\\000\\255"', (b"\x00\xff",)),
        ('"\\065BC"', (b"ABC",)),
        ('""', (b"",)),
        ('"semi;colon" bare', (b"semi;colon", b"bare")),
        ('"caf\\195\\169"', ("café".encode(),)),
    ],
)
def test_quoted_txt(text: str, strings: tuple[bytes, ...]) -> None:
    assert parse_rdata("TXT", text) == TXT(strings)


def test_quote_string_escapes() -> None:
    assert quote_string(b'a"b\\c') == '"a\\"b\\\\c"'
    assert quote_string(b"\x00\x7f\xff") == '"\\000\\127\\255"'
    assert quote_string("é".encode()) == '"\\195\\169"'


@pytest.mark.parametrize("text", ['"unterminated', '"x" "y', '"' + "a" * 256 + '"', '"\\256"'])
def test_bad_quoted_txt(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rdata("TXT", text)


# -- CAA -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("0 issue letsencrypt.org", CAA(0, "issue", "letsencrypt.org")),
        ('0 issue "letsencrypt.org"', CAA(0, "issue", "letsencrypt.org")),
        ("128 ISSUEWILD ;", CAA(128, "issuewild", ";")),
        ('0 iodef "mailto:security@example.com"', CAA(0, "iodef", "mailto:security@example.com")),
        ('0 issue "ca.example; account=\\"x y\\""', CAA(0, "issue", 'ca.example; account="x y"')),
        ('0 issue "caf\\195\\169"', CAA(0, "issue", "café")),
        ('0 issue ""', CAA(0, "issue", "")),
    ],
)
def test_caa(text: str, want: CAA) -> None:
    assert parse_rdata("CAA", text) == want
    assert parse_rdata("CAA", want.to_text()) == want


@pytest.mark.parametrize("text", ["0 is-sue x", "0 " + "a" * 16 + " x", "0 issüe x", '0 issue "x" "y"'])
def test_bad_caa(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rdata("CAA", text)


def test_soa_text() -> None:
    soa = parse_rdata("SOA", "NS1.Example.com. hostmaster.example.com. 2026112600 3600 600 1209600 300")
    assert soa == SOA("ns1.example.com", "hostmaster.example.com", 2026112600, 3600, 600, 1209600, 300)
    assert soa.to_text() == "ns1.example.com. hostmaster.example.com. 2026112600 3600 600 1209600 300"


ALL_TYPES = sorted(RDATA)


@given(st.sampled_from(ALL_TYPES), st.text(max_size=120))
def test_any_text_parses_or_raises_value_error_and_parsed_data_round_trips(rtype: str, text: str) -> None:
    try:
        rdata = parse_rdata(rtype, text)
    except ValueError:
        return
    assert parse_rdata(rtype, rdata.to_text()) == rdata


@given(st.sampled_from(ALL_TYPES), st.lists(st.sampled_from(['"', "\\", " ", "0", "9", "a", ".", "2", ";"])))
def test_quote_and_escape_soup_never_crashes(rtype: str, chars: list[str]) -> None:
    text = "".join(chars)
    try:
        rdata = parse_rdata(rtype, text)
    except ValueError:
        return
    assert parse_rdata(rtype, rdata.to_text()) == rdata
