"""Response rate limiting: the limiter's arithmetic, then bursts against a running server
(limited with the right slip share over UDP; exempt networks and TCP never limited)."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.rcode
import pytest

from dnsd.server.rrl import DROP, PASS, SLIP, RateLimiter, key_of_address, network_of, slip_reply
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, ServerThread, server_settings

BURST = 200
RATE = 20


def test_limiter_passes_the_rate_then_slips_every_nth() -> None:
    limiter = RateLimiter(rate=10, slip=3)
    limiter.new_batch(100.0)
    verdicts = [limiter.check(key_of_address("192.0.2.7")) for _ in range(40)]
    assert verdicts[:10] == [PASS] * 10
    assert verdicts[10:].count(SLIP) == 10 and verdicts[10:].count(DROP) == 20
    assert limiter.check(key_of_address("192.0.3.7")) == PASS  # another /24
    assert limiter.check(key_of_address("192.0.2.200")) == DROP  # the same /24
    limiter.new_batch(101.0)  # a new second
    assert limiter.check(key_of_address("192.0.2.7")) == PASS


def test_limiter_prefixes_and_exemptions() -> None:
    assert str(network_of(key_of_address("198.51.100.9"))) == "198.51.100.0/24"
    assert str(network_of(key_of_address("2001:db8:1:2ff::1"))) == "2001:db8:1:200::/56"
    limiter = RateLimiter(rate=1, slip=0, exempt=["10.0.0.0/8", "2001:db8::/32"])
    limiter.new_batch(5.0)
    for host in ("10.1.2.3", "2001:db8:1::1"):
        assert [limiter.check(key_of_address(host)) for _ in range(5)] == [PASS] * 5
    assert [limiter.check(key_of_address("2001:db9::1")) for _ in range(3)] == [PASS, DROP, DROP]
    with pytest.raises(ValueError):
        limiter.configure(1, 2, ["not-a-network"])


def test_slip_reply_echoes_the_question_with_tc() -> None:
    query = dns.message.make_query(f"WWW.{ZONE}", "AAAA", use_edns=0)
    reply = slip_reply(query.to_wire())
    assert reply is not None
    message = dns.message.from_wire(reply)
    assert message.id == query.id and message.flags & dns.flags.TC and message.flags & dns.flags.QR
    assert message.question == query.question and not message.answer
    assert slip_reply(b"\x00" * 11) is None and slip_reply(reply) is None  # too short; a response


def burst(port: int, count: int) -> Iterator[dns.message.Message | None]:
    """Send ``count`` queries back to back from one socket; the replies (None for each lost one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(1.0)
        for i in range(count):
            sock.sendto(dns.message.make_query(f"www.{ZONE}", "A", id=i).to_wire(), ("127.0.0.1", port))
        replies = 0
        try:
            while replies < count:
                yield dns.message.from_wire(sock.recv(4096))
                replies += 1
        except TimeoutError:
            yield from [None] * (count - replies)


def started(db_url: str, store: ZoneStore, **settings: object) -> ServerThread:
    return ServerThread(server_settings(db_url, **settings), store).start()


@pytest.fixture
def limited_server(zone_store: ZoneStore, db_url: str) -> Iterator[ServerThread]:
    thread = started(db_url, zone_store, rrl_responses_per_second=RATE, rrl_slip=2)
    yield thread
    thread.stop()


def test_a_burst_is_limited_with_the_slip_share(limited_server: ServerThread) -> None:
    replies = list(burst(limited_server.port, BURST))
    full = [r for r in replies if r is not None and r.answer]
    truncated = [r for r in replies if r is not None and r.flags & dns.flags.TC]
    assert all(not r.answer and r.rcode() == dns.rcode.NOERROR for r in truncated)
    limited = BURST - len(full)
    windows = len(full) // RATE + (len(full) % RATE > 0)  # each new second allows RATE more
    assert RATE <= len(full) <= 3 * RATE
    assert limited // 2 - windows <= len(truncated) <= limited // 2 + windows  # slip 2: half get TC
    udp = limited_server.call(lambda: limited_server.server.stats.udp)  # type: ignore[union-attr]
    assert udp.slipped == len(truncated) and udp.limited == limited - len(truncated)


def test_an_exempt_network_is_not_limited(zone_store: ZoneStore, db_url: str) -> None:
    thread = started(db_url, zone_store, rrl_responses_per_second=RATE, rrl_exempt="10.0.0.0/8, 127.0.0.0/8")
    try:
        replies = list(burst(thread.port, BURST))
    finally:
        thread.stop()
    assert all(r is not None and r.answer for r in replies)


def test_tcp_is_never_limited(limited_server: ServerThread) -> None:
    queries = [dns.message.make_query(f"www.{ZONE}", "A", id=i).to_wire() for i in range(BURST)]
    stream = b"".join(struct.pack("!H", len(q)) + q for q in queries)
    with socket.create_connection(("127.0.0.1", limited_server.port), timeout=5) as sock:
        sock.sendall(stream)
        data = b""
        answers = 0
        while answers < BURST:
            chunk = sock.recv(65535)
            assert chunk
            data += chunk
            while len(data) >= 2 and len(data) >= 2 + struct.unpack("!H", data[:2])[0]:
                size = struct.unpack("!H", data[:2])[0]
                message = dns.message.from_wire(data[2 : 2 + size])
                assert message.answer and not message.flags & dns.flags.TC
                data, answers = data[2 + size :], answers + 1
    assert answers == BURST
