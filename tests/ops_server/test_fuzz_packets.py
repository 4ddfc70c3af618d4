"""Structured malformed packets against a running server over UDP and TCP (bit flips,
truncations, wrong counts, compression loops, huge label lengths, OPT mangling, garbage tails;
see :mod:`tests.ops_server.mutations`). After every batch a good query must still get the right
answer over both transports. ``tests/e2e/test_fuzz.py`` covers random bytes; this covers
mutations of valid queries, which get much further into the parser and the answer path."""

from __future__ import annotations

import logging
import socket
import struct

import dns.rcode
import pytest

from tests.e2e.conftest import ZONE, ServerThread, tcp, udp
from tests.ops_server.mutations import corpus

BATCHES = 10
BATCH = 150
WWW = {"10.0.0.1", "10.0.0.2"}


def answers_correctly(port: int) -> None:
    for response in (udp(port, f"www.{ZONE}"), tcp(port, f"www.{ZONE}")):
        assert response.rcode() == dns.rcode.NOERROR
        assert {rr.to_text() for rrset in response.answer for rr in rrset} == WWW


def send_udp(port: int, packets: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for data in packets:
            sock.sendto(data, ("127.0.0.1", port))


def send_tcp(port: int, packets: list[bytes], lie_about_length: bool) -> None:
    """All ``packets`` framed on one connection; with ``lie_about_length`` some frames claim a
    different length than they have, so the stream desynchronises."""
    frames = []
    for i, data in enumerate(packets):
        length = len(data) + (i % 7 - 3 if lie_about_length else 0)
        frames.append(struct.pack("!H", max(0, length) & 0xFFFF) + data)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(b"".join(frames))
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(3)
            while sock.recv(65535):  # read every answer until the server closes
                pass
        except OSError:  # the server may close or reset a connection carrying garbage
            pass


def test_mutated_packets_over_udp_and_tcp(dns_server: ServerThread, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="dnsd")
    port = dns_server.port
    sent = 0
    for batch_no in range(BATCHES):
        packets = corpus(seed=batch_no, count=BATCH)
        send_udp(port, packets)
        answers_correctly(port)
        send_tcp(port, packets, lie_about_length=batch_no % 2 == 1)
        answers_correctly(port)
        sent += 2 * len(packets)
    udp_stats = dns_server.call(lambda: dns_server.server.stats.udp)  # type: ignore[union-attr]
    assert sent == BATCHES * BATCH * 2
    assert (
        sum(dns_server.call(lambda: (udp_stats.fold(), udp_stats.answered)[1]).values())
        > BATCHES * BATCH // 2
    )
