"""Property tests against the running server: random bytes over UDP and TCP never crash it,
and a good query still answers after every batch."""

from __future__ import annotations

import socket
import struct

import dns.message
import dns.rcode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import ZONE, ServerThread, tcp, udp

FIXTURE_REUSED = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
VALID = dns.message.make_query(f"www.{ZONE}", "A", use_edns=0).to_wire()


def mutate(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, value in flips:
        out[pos % len(out)] = value
    return bytes(out)


def healthy(port: int) -> None:
    assert udp(port, f"www.{ZONE}").rcode() == dns.rcode.NOERROR
    assert tcp(port, f"www.{ZONE}").rcode() == dns.rcode.NOERROR


datagrams = st.one_of(
    st.binary(max_size=700),
    st.builds(
        mutate, st.just(VALID), st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 255)), max_size=5)
    ),
)


@FIXTURE_REUSED
@given(st.lists(datagrams, min_size=1, max_size=30))
def test_random_datagrams_never_break_the_server(dns_server: ServerThread, batch: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for data in batch:
            sock.sendto(data, ("127.0.0.1", dns_server.port))
    healthy(dns_server.port)


@FIXTURE_REUSED
@given(st.lists(datagrams, min_size=1, max_size=10), st.binary(max_size=300), st.integers(1, 50))
def test_random_tcp_streams_never_break_the_server(
    dns_server: ServerThread, messages: list[bytes], garbage: bytes, chunk: int
) -> None:
    stream = b"".join(struct.pack("!H", len(m)) + m for m in messages) + garbage
    with socket.create_connection(("127.0.0.1", dns_server.port), timeout=5) as sock:
        for i in range(0, len(stream), chunk):
            try:
                sock.sendall(stream[i : i + chunk])
            except OSError:  # the server may close on us; that is allowed
                break
    healthy(dns_server.port)
