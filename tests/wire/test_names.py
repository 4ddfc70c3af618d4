"""One name codec: :func:`dnsd.wire.read_name` / :func:`dnsd.wire.encode_name` agree with
dnspython for any labels, and the hot-path name walkers that stay specialised (response
classification in :mod:`dnsd.server.stats`, the RRL slip reply) agree with the codec."""

from __future__ import annotations

import base64
import contextlib
import time

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import dns.tsig
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd import wire
from dnsd.answer import Answer
from dnsd.domain.transfer import TsigKey
from dnsd.server.rrl import slip_reply
from dnsd.server.stats import classify
from dnsd.xfr.tsig import verify_message

labels = st.lists(st.binary(min_size=1, max_size=20), min_size=0, max_size=6)
qtypes = st.sampled_from(["A", "AAAA", "TXT", "MX", "SOA", "NS", "CAA", "SRV", "HTTPS"])


def dns_name(parts: list[bytes]) -> dns.name.Name:
    return dns.name.Name([*parts, b""])


@settings(max_examples=500, deadline=None)
@given(labels, st.integers(0, 40))
def test_read_name_and_encode_name_agree_with_dnspython(parts: list[bytes], pad: int) -> None:
    data = b"\x00" * pad + dns_name(parts).to_wire()
    text, end = wire.read_name(data, pad)
    assert end == len(data)
    assert wire.name_labels(text) == tuple(p.lower() for p in parts)
    assert wire.encode_name(text) == dns_name([p.lower() for p in parts]).to_wire()


@settings(max_examples=300, deadline=None)
@given(labels, labels)
def test_read_name_follows_compression_as_dnspython_writes_it(base: list[bytes], more: list[bytes]) -> None:
    query = dns.message.make_query(dns_name(base), "A")
    query.answer.append(dns.rrset.from_text(dns_name([*more, *base]), 60, "IN", "A", "192.0.2.1"))
    data = query.to_wire()
    qname, end = wire.read_name(data, 12)
    owner, _ = wire.read_name(data, end + 4)
    assert wire.name_labels(qname) == tuple(p.lower() for p in base)
    assert wire.name_labels(owner) == tuple(p.lower() for p in [*more, *base])


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 300))
def test_read_name_on_random_bytes_only_raises_form_error(data: bytes, offset: int) -> None:
    with contextlib.suppress(wire.FormError):
        wire.read_name(data, offset)


def test_read_name_rejects_pointer_loops_and_long_names() -> None:
    with pytest.raises(wire.FormError):
        wire.read_name(b"\xc0\x00", 0)
    four_labels = b"".join(b"\x3f" + bytes([c]) * 63 for c in b"abcd") + b"\x00"  # 257 octets
    with pytest.raises(wire.FormError):
        wire.read_name(four_labels, 0)


def test_the_form_error_is_a_dnsd_error() -> None:
    from dnsd.domain.errors import DnsdError

    assert issubclass(wire.FormError, DnsdError)


@settings(max_examples=300, deadline=None)
@given(labels.filter(lambda p: sum(len(x) + 1 for x in p) < 250), qtypes, st.booleans())
def test_stats_classify_agrees_with_the_codec(parts: list[bytes], qtype: str, edns: bool) -> None:
    data = dns.message.make_query(dns_name(parts), qtype, use_edns=0 if edns else None).to_wire()
    query = wire.parse_query(data)
    for rcode in (0, 3, 5):
        response = wire.encode_response(query, Answer(rcode, True))
        assert classify(response) == (dns.rdatatype.from_text(qtype), rcode)


@settings(max_examples=300, deadline=None)
@given(labels.filter(lambda p: sum(len(x) + 1 for x in p) < 250), qtypes)
def test_rrl_slip_reply_echoes_the_question_the_codec_reads(parts: list[bytes], qtype: str) -> None:
    data = dns.message.make_query(dns_name(parts), qtype).to_wire()
    reply = slip_reply(data)
    assert reply is not None
    assert reply[12:] == wire.parse_query(data).question
    qname, end = wire.read_name(reply, 12)
    assert qname == wire.parse_query(data).qname and end + 4 == len(reply)


def test_tsig_reads_key_names_with_the_codec() -> None:
    """A key name whose label holds a '.' (``weird\\.key.example`` in dnspython's text): the
    ASCII-only TSIG codec read it as three labels and signed over those, so a dnspython-signed
    request failed with BADKEY; through the wire codec it verifies."""
    secret = b"s" * 32
    key_name = dns_name([b"weird.key", b"example"])
    keyring = {key_name: dns.tsig.Key(key_name, base64.b64encode(secret).decode(), dns.tsig.HMAC_SHA256)}
    query = dns.message.make_query("example.com", "SOA")
    query.use_tsig(keyring, keyname=key_name, algorithm=dns.tsig.HMAC_SHA256)
    key = TsigKey("weird\\046key.example", secret)
    verified = verify_message(query.to_wire(), {key.name: key}, int(time.time()))
    assert verified is not None and verified[0] is key
