"""The ECS option on the wire (RFC 7871): malformed options get FORMERR (section 6), the echo
keeps family, source prefix and address (7.2.1), and an answer that no longer fits the
client's UDP size with the option is truncated with it."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from dnsd import wire
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from tests.e2e.conftest import ServerThread
from tests.views.harness import ZONE, ecs_option, query, serve, server

MANY = [f"10.7.{i // 256}.{i % 256}" for i in range(60)]


@pytest.fixture(scope="module")
def server_thread(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[ServerThread]:
    with server(tmp_path_factory.mktemp("ecs"), sqlite_template, ecs_trusted="127.0.0.0/8") as thread:
        records = [make_rrset(f"www.{ZONE}", "A", 300, "ci:ecs", pool="p"),
                   make_rrset(f"many.{ZONE}", "A", 300, "ci:ecs", MANY)]  # fmt: skip
        serve(thread, records, [make_pool("p", ["10.0.0.1"])])
        yield thread


def raw_query(option: bytes, name: str = f"www.{ZONE}") -> bytes:
    """A query with one OPT record carrying ``option`` (code, length and data as given)."""
    question = (
        b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00" + struct.pack("!HH", 1, 1)
    )
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(option)) + option
    return struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 1) + question + opt


def ecs(family: int, source: int, scope: int, address: bytes) -> bytes:
    body = struct.pack("!HBB", family, source, scope) + address
    return struct.pack("!HH", 8, len(body)) + body


def ask(port: int, message: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(message, ("127.0.0.1", port))
        return sock.recv(4096)


@pytest.mark.parametrize(
    "option",
    [ecs(3, 24, 0, b"\x0a\x01\x02"),  # unknown family
     ecs(1, 33, 0, b"\x0a\x01\x02\x03\x04"),  # source prefix over 32
     ecs(1, 24, 0, b"\x0a\x01\x02\x03"),  # one octet too many for /24
     ecs(1, 24, 0, b"\x0a\x01"),  # one octet too few
     ecs(1, 20, 0, b"\x0a\x01\x1f"),  # bits set beyond /20
     ecs(2, 129, 0, b"\x20" * 17),
     struct.pack("!HH", 8, 3) + b"\x00\x01\x18",  # shorter than the fixed part
     ecs(1, 24, 0, b"\x0a\x01\x02") + ecs(1, 24, 0, b"\x0a\x01\x02"),  # two ECS options
     struct.pack("!HH", 8, 9) + b"\x00\x01\x18\x00\x0a"],  # option longer than the OPT data
)  # fmt: skip
def test_malformed_ecs_is_formerr(server_thread: ServerThread, option: bytes) -> None:
    with pytest.raises(wire.FormError):
        wire.parse_query(raw_query(option))
    response = ask(server_thread.port, raw_query(option))
    assert response[:2] == b"\x12\x34"
    assert response[3] & 0x0F == wire.FORMERR


def test_well_formed_ecs_and_other_options_are_answered(server_thread: ServerThread) -> None:
    cookie = struct.pack("!HH", 10, 8) + b"\x01" * 8
    for option in (ecs(1, 20, 0, b"\x0a\x01\x10"), ecs(2, 56, 0, b"\x20\x01\x0d\xb8\x00\x00\x01"),
                   ecs(1, 0, 0, b""), cookie + ecs(1, 24, 0, b"\x0a\x01\x02"), cookie):  # fmt: skip
        response = dns.message.from_wire(ask(server_thread.port, raw_query(option)))
        assert response.rcode() == dns.rcode.NOERROR
        assert [r.address for r in response.answer[0]] == ["10.0.0.1"]
        sent = dns.message.from_wire(raw_query(option))
        sent_ecs = ecs_option(sent)
        got = ecs_option(response)
        if sent_ecs is None:
            assert got is None
        else:
            assert got is not None
            assert (got.family, got.srclen, got.address, got.scopelen) == (
                sent_ecs.family, sent_ecs.srclen, sent_ecs.address, 0,
            )  # fmt: skip


def test_scope_in_the_query_is_ignored(server_thread: ServerThread) -> None:
    response = dns.message.from_wire(ask(server_thread.port, raw_query(ecs(1, 24, 24, b"\x0a\x01\x02"))))
    assert response.rcode() == dns.rcode.NOERROR
    option = ecs_option(response)
    assert option is not None and option.scopelen == 0


def test_an_answer_too_large_with_the_option_is_truncated_with_it(server_thread: ServerThread) -> None:
    plain = dns.message.make_query(f"many.{ZONE}", "A", use_edns=0, payload=1232)
    size = len(dns.query.udp(plain, "127.0.0.1", port=server_thread.port, timeout=3).to_wire())
    # a payload that fits the answer without ECS but not with it
    message = dns.message.make_query(
        f"many.{ZONE}", "A", use_edns=0, payload=size + 5, options=[dns.edns.ECSOption("10.1.2.0", 24)]
    )
    response = dns.query.udp(message, "127.0.0.1", port=server_thread.port, timeout=3)
    assert response.flags & dns.flags.TC
    assert not response.answer
    assert ecs_option(response) is not None
    over_tcp = query(server_thread.port, f"many.{ZONE}", ecs=("10.1.2.0", 24), tcp=True)
    assert len(over_tcp.answer[0]) == 60
    assert ecs_option(over_tcp) is not None
