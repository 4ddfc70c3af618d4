"""TSIG (RFC 8945, HMAC-SHA256) against dnspython as the independent implementation."""

from __future__ import annotations

import base64
import contextlib
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.transfer import TsigKey
from dnsd.wire import FormError, read_name
from dnsd.xfr.tsig import (
    BADKEY,
    BADSIG,
    BADTIME,
    TsigError,
    badtime_answer,
    sign_message,
    split_tsig,
    unsigned_error,
    verify_message,
)

SECRET = b"0123456789abcdef0123456789abcdef"
KEY = TsigKey("xfr.example.com", SECRET)
KEYS = {KEY.name: KEY}
KEYRING = dns.tsigkeyring.from_text({"xfr.example.com.": base64.b64encode(SECRET).decode()})


def signed_query(
    name: str = "xfr.example.com.", keyring: object = KEYRING, qtype: str = "AXFR"
) -> dns.message.Message:
    query = dns.message.make_query("example.com", qtype)
    query.use_tsig(keyring, keyname=name, algorithm=dns.tsig.HMAC_SHA256)
    return query


def response(query: dns.message.Message, *records: str) -> bytes:
    message = dns.message.Message(id=query.id)
    message.flags = dns.flags.QR | dns.flags.AA
    message.question = query.question
    for text in records:
        message.answer.append(dns.rrset.from_text(*text.split(None, 4)))
    return message.to_wire()


def test_a_dnspython_signed_request_verifies() -> None:
    query = signed_query()
    wire = query.to_wire()
    verified = verify_message(wire, KEYS, int(time.time()))
    assert verified is not None
    key, record = verified
    assert key is KEY and record.mac == query.mac and record.algorithm == "hmac-sha256"
    split = split_tsig(wire)
    assert split is not None and split[0][2:] == dns.message.make_query("example.com", "AXFR").to_wire()[2:]
    assert split[0][:2] == query.id.to_bytes(2, "big")


def test_unsigned_messages_pass_through() -> None:
    assert verify_message(dns.message.make_query("example.com", "SOA").to_wire(), KEYS, 0) is None


def test_a_multi_message_response_verifies_in_dnspython() -> None:
    query = signed_query()
    now = int(time.time())
    verified = verify_message(query.to_wire(), KEYS, now)
    assert verified is not None
    first, mac = sign_message(response(query, "example.com. 300 IN SOA ns. h. 1 2 3 4 5"), KEY, now,
                              prior_mac=verified[1].mac)  # fmt: skip
    parsed = dns.message.from_wire(first, keyring=KEYRING, request_mac=query.mac, multi=True)
    ctx = parsed.tsig_ctx
    for i in range(3):
        wire, next_mac = sign_message(response(query, f"h{i}.example.com. 60 IN A 192.0.2.{i}"), KEY, now,
                                      prior_mac=mac, timers_only=True)  # fmt: skip
        parsed = dns.message.from_wire(wire, keyring=KEYRING, request_mac=mac, multi=True, tsig_ctx=ctx)
        assert parsed.had_tsig
        ctx, mac = parsed.tsig_ctx, next_mac


def test_a_tampered_response_fails_in_dnspython() -> None:
    query = signed_query()
    now = int(time.time())
    wire, _ = sign_message(
        response(query, "a.example.com. 60 IN A 192.0.2.1"), KEY, now, prior_mac=query.mac or b"x"
    )
    tampered = wire.replace(bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    with pytest.raises(dns.tsig.BadSignature):
        dns.message.from_wire(tampered, keyring=KEYRING, request_mac=query.mac)


def test_bad_signature_unknown_key_and_time() -> None:
    now = int(time.time())
    wire = signed_query().to_wire()
    tampered = bytearray(wire)
    tampered[3] ^= 0x01  # flip the RD bit covered by the MAC
    with pytest.raises(TsigError) as info:
        verify_message(bytes(tampered), KEYS, now)
    assert info.value.error == BADSIG
    other = dns.tsigkeyring.from_text({"other.": base64.b64encode(SECRET).decode()})
    with pytest.raises(TsigError) as info:
        verify_message(signed_query("other.", other).to_wire(), KEYS, now)
    assert info.value.error == BADKEY and info.value.record is not None
    with pytest.raises(TsigError) as info:
        verify_message(wire, KEYS, now + 301)
    assert info.value.error == BADTIME
    wrong_secret = {KEY.name: TsigKey(KEY.name, b"x" * 32)}
    with pytest.raises(TsigError) as info:
        verify_message(wire, wrong_secret, now)
    assert info.value.error == BADSIG


def test_error_answers_are_what_dnspython_expects() -> None:
    query = signed_query()
    wire = query.to_wire()
    now = int(time.time())
    split = split_tsig(wire)
    assert split is not None
    record = split[1]
    notauth = dns.message.make_response(dns.message.from_wire(wire, keyring=KEYRING))
    notauth.set_rcode(dns.rcode.NOTAUTH)
    notauth.tsig = None
    bare = notauth.to_wire()
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.message.from_wire(
            unsigned_error(bare, record, BADKEY, now), keyring=KEYRING, request_mac=query.mac
        )
    with pytest.raises(dns.tsig.PeerBadTime):
        dns.message.from_wire(
            badtime_answer(bare, KEY, record, now + 1000), keyring=KEYRING, request_mac=query.mac
        )


def test_a_tsig_rr_that_is_not_last_is_a_form_error() -> None:
    wire = signed_query().to_wire()
    split = split_tsig(wire)
    assert split is not None
    tsig_rr = wire[len(split[0]) :]
    message = dns.message.make_query("example.com", "SOA", use_edns=0).to_wire()
    # TSIG RR first, then the OPT RR: ARCOUNT 2
    bad = message[:10] + b"\x00\x02" + message[12:29] + tsig_rr + message[29:]
    with pytest.raises(FormError):
        verify_message(bad, KEYS, int(time.time()))


SIGNED = signed_query().to_wire()


@given(st.integers(0, len(SIGNED)), st.lists(st.tuples(st.integers(0, len(SIGNED) - 1), st.integers(0, 255))))
def test_damaged_messages_only_raise_form_or_tsig_errors(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(SIGNED)
    for where, value in flips:
        data[where] = value
    with contextlib.suppress(FormError, TsigError):
        verify_message(bytes(data[:cut]), KEYS, 0)


def test_read_name_follows_pointers() -> None:
    wire = b"\x00" * 12 + b"\x07example\x03com\x00" + b"\x03www\xc0\x0c"
    assert read_name(wire, 12) == ("example.com", 25)
    assert read_name(wire, 25) == ("www.example.com", 31)
    with pytest.raises(FormError):
        read_name(b"\xc0\x00", 0)
