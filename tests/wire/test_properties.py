"""Property tests: arbitrary bytes only ever raise FormError; valid queries round-trip."""

from __future__ import annotations

import dns.message
import dns.name
from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd import wire
from dnsd.answer import Answer
from dnsd.domain.rdata import Address
from dnsd.domain.snapshot import RRsetData
from dnsd.server.cache import body_of, cache_key, splice
from dnsd.server.responder import Responder


def _parse_or_form_error(data: bytes) -> wire.Query | None:
    try:
        return wire.parse_query(data)
    except wire.FormError:
        return None


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_only_raise_form_error(data: bytes) -> None:
    _parse_or_form_error(data)
    wire.header_error(data, wire.FORMERR)


VALID = dns.message.make_query("www.hello-web.com", "A", use_edns=0).to_wire()


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=6), st.integers(0, 10)
)
def test_mutated_queries_only_raise_form_error(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(VALID)
    for pos, value in flips:
        data[pos] = value
    query = _parse_or_form_error(bytes(data[: len(data) - cut]))
    if query is not None:
        wire.error_response(query, wire.SERVFAIL)


labels = st.binary(min_size=1, max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(labels, min_size=1, max_size=6), st.integers(1, 65535), st.booleans(), st.integers(0, 0xFFFF))
def test_parse_reads_what_dnspython_wrote(parts: list[bytes], rdtype: int, edns: bool, qid: int) -> None:
    name = dns.name.Name([*parts, b""])
    msg = dns.message.make_query(name, rdtype, use_edns=0 if edns else None)
    msg.id = qid
    query = wire.parse_query(msg.to_wire())
    assert query.id == qid and query.qtype == rdtype and query.edns == edns
    assert wire.name_labels(query.qname) == tuple(p.lower() for p in parts)
    assert query.question.startswith(name.to_wire())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abcXYZ-09", min_size=1, max_size=8), min_size=1, max_size=4), st.booleans())
def test_cached_body_spliced_equals_fresh_encoding(parts: list[str], edns: bool) -> None:
    """What the cache sends for a case variant is exactly what the full path would send."""
    name = ".".join(parts) + ".hello-web.com"
    first = dns.message.make_query(name.lower(), "A", use_edns=0 if edns else None).to_wire()
    variant = dns.message.make_query(name, "A", use_edns=0 if edns else None).to_wire()
    answer = Answer(0, True, (RRsetData(name.lower(), "A", 60, (Address("10.0.0.1"),)),))
    q1, q2 = wire.parse_query(first), wire.parse_query(variant)
    assert cache_key(first, q1) == cache_key(variant, q2) == first[2:]
    body = body_of(wire.encode_response(q1, answer), q1)
    assert splice(variant, body, 12 + len(q2.question)) == wire.encode_response(q2, answer)
    if variant[2:] == first[2:]:  # already lower case: the hot path's one concatenation
        assert variant[:2] + body == wire.encode_response(q2, answer)


def test_responder_drops_what_policy_says() -> None:
    from dnsd.domain.snapshot import Snapshot
    from dnsd.server.holder import SnapshotHolder

    responder = Responder(SnapshotHolder(Snapshot({})))
    assert responder.respond(b"\x00" * 11) is None
    reply = bytearray(VALID)
    reply[2] |= 0x80
    assert responder.respond(bytes(reply)) is None
