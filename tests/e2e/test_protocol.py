"""Header, EDNS and transport behaviour end to end: case, TC and TCP retry, pipelining,
half frames, idle timeout, connection caps, and the rcode policy for odd messages."""

from __future__ import annotations

import logging
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import pytest

from dnsd.server.responder import Responder
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import BIG_TXT, MANY_A, ZONE, ServerThread, dig, server_settings, tcp, udp


def raw_udp(port: int, data: bytes, timeout: float = 2.0) -> bytes | None:
    """Send one datagram; the reply, or None when none came within ``timeout``."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(data, ("127.0.0.1", port))
        try:
            return sock.recv(65535)
        except TimeoutError:
            return None


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} of {size} octets")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> bytes:
    (size,) = struct.unpack("!H", recv_exactly(sock, 2))
    return recv_exactly(sock, size)


def frame(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def answers_still(port: int) -> None:
    assert udp(port, f"www.{ZONE}").rcode() == dns.rcode.NOERROR
    assert tcp(port, f"www.{ZONE}").answer


@pytest.mark.own_server  # the first query must be a cache miss
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_0x20_case_is_preserved_miss_and_hit(port: int, transport: str) -> None:
    query = udp if transport == "udp" else tcp
    for name in ("WwW.HeLLo-WeB.CoM", "www.hello-web.com", "WWW.HELLO-WEB.COM", "wWw.hElLo-wEb.cOm"):
        msg = query(port, name)
        assert msg.question[0].name.to_text() == name + "."
        assert msg.answer[0].name.to_text() == name + "."  # compressed against the question
        assert sorted(r.to_text() for r in msg.answer[0]) == ["10.0.0.1", "10.0.0.2"]


def test_0x20_case_seen_by_dig(port: int) -> None:
    out = dig(port, "wWw.Hello-WEB.com")
    assert out.sections["QUESTION"][0].split()[0] == "wWw.Hello-WEB.com."
    assert out.records()[0][0] == "wWw.Hello-WEB.com."


def test_truncated_over_udp_then_whole_over_tcp(port: int) -> None:
    for edns in (None, 0):
        msg = udp(port, f"big.{ZONE}", "TXT", use_edns=edns)
        assert msg.flags & dns.flags.TC and not msg.answer and msg.flags & dns.flags.AA
        full = tcp(port, f"big.{ZONE}", "TXT", use_edns=edns)
        assert not full.flags & dns.flags.TC and len(full.answer[0]) == len(BIG_TXT)
    many = udp(port, f"many.{ZONE}", use_edns=0, payload=4096)
    assert many.flags & dns.flags.TC  # our own cap: 1232
    assert len(tcp(port, f"many.{ZONE}").answer[0]) == len(MANY_A)


def test_dig_retries_over_tcp_after_tc(port: int) -> None:
    out = dig(port, f"many.{ZONE}", "A", "+noedns")
    assert "Truncated, retrying in TCP mode" in out.text
    assert out.status == "NOERROR" and len(out.records()) == len(MANY_A)
    out = dig(port, f"big.{ZONE}", "TXT", "+bufsize=1232")
    assert "Truncated, retrying in TCP mode" in out.text and len(out.records()) == len(BIG_TXT)


def test_pipelined_tcp_queries_all_answered(port: int) -> None:
    names = [f"www.{ZONE}", f"nope.{ZONE}", f"anything.apps.{ZONE}", f"big.{ZONE}", f"chain1.{ZONE}"] * 4
    queries = []
    for i, name in enumerate(names):
        msg = dns.message.make_query(name, "TXT" if name.startswith("big") else "A")
        msg.id = 1000 + i
        queries.append(msg)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"".join(frame(q.to_wire()) for q in queries))  # all at once
        replies = {m.id: m for m in (dns.message.from_wire(read_frame(sock)) for _ in queries)}
    assert sorted(replies) == [q.id for q in queries]
    for query in queries:
        reply = replies[query.id]
        assert reply.question[0].name == query.question[0].name
        expected = dns.rcode.NXDOMAIN if str(query.question[0].name).startswith("nope") else dns.rcode.NOERROR
        assert reply.rcode() == expected
    assert len(replies[1003].answer[0]) == len(BIG_TXT)


def test_tcp_frame_split_across_writes(port: int) -> None:
    data = frame(dns.message.make_query(f"www.{ZONE}", "A").to_wire())
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for i in range(len(data)):
            sock.sendall(data[i : i + 1])
        assert dns.message.from_wire(read_frame(sock)).answer


def test_tcp_half_frame_then_close_leaves_server_healthy(port: int) -> None:
    query = frame(dns.message.make_query(f"www.{ZONE}", "A").to_wire())
    for cut in (1, 2, 10, len(query) - 1):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(query[:cut])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(query + query[:7])  # one whole frame, then half of another
        assert dns.message.from_wire(read_frame(sock)).answer
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(10) == b""  # the server gives up on the half frame when we close
    answers_still(port)


def test_tcp_idle_connection_is_closed(port: int) -> None:
    """tcp_idle_timeout is 2 s in these tests; a silent or half-sent connection is closed."""
    for opening in (b"", b"\x00\x30\x12"):
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            sock.sendall(opening)
            started = time.monotonic()
            assert sock.recv(10) == b""
            assert time.monotonic() - started < 14  # closed by the server, not our own timeout


def test_tcp_connection_cap_per_client(zone_store: ZoneStore, db_url: str) -> None:
    thread = ServerThread(server_settings(db_url, tcp_max_per_client=2), zone_store).start()
    try:
        query = frame(dns.message.make_query(f"www.{ZONE}", "A").to_wire())
        keep = [socket.create_connection(("127.0.0.1", thread.port), timeout=5) for _ in range(2)]
        for sock in keep:
            sock.sendall(query)
            assert dns.message.from_wire(read_frame(sock)).answer
        with (
            socket.create_connection(("127.0.0.1", thread.port), timeout=5) as third,
            pytest.raises((ConnectionError, OSError)),
        ):
            third.sendall(query)
            read_frame(third)
        keep.pop().close()
        deadline = time.monotonic() + 10
        while True:  # the slot frees once the server has seen the close
            try:
                with socket.create_connection(("127.0.0.1", thread.port), timeout=5) as again:
                    again.sendall(query)
                    assert dns.message.from_wire(read_frame(again)).answer
                    break
            except (ConnectionError, OSError):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        keep[0].close()
    finally:
        thread.stop()


def test_edns_answer_and_do_bit(port: int) -> None:
    msg = udp(port, f"www.{ZONE}", use_edns=0, payload=4096, want_dnssec=True)
    assert msg.edns == 0 and msg.payload == 1232 and msg.ednsflags & dns.flags.DO
    plain = udp(port, f"www.{ZONE}")
    assert plain.edns == -1
    cookie = udp(port, f"www.{ZONE}", use_edns=0, options=[dns.edns.GenericOption(10, b"abcdefgh")])
    assert cookie.answer and not cookie.options  # unknown options ignored, not echoed


def test_edns_version_1_gets_badvers(port: int) -> None:
    msg = udp(port, f"www.{ZONE}", use_edns=1)
    assert msg.rcode() == dns.rcode.BADVERS and msg.edns == 0 and not msg.answer
    assert dig(port, f"www.{ZONE}", "+edns=1", "+noednsnegotiation").status == "BADVERS"


def test_two_opts_get_formerr(port: int) -> None:
    data = bytearray(dns.message.make_query(f"www.{ZONE}", "A", use_edns=0).to_wire())
    opt = bytes(data[-11:])
    data[10:12] = struct.pack("!H", 2)
    reply = raw_udp(port, bytes(data) + opt)
    assert reply is not None and dns.message.from_wire(reply).rcode() == dns.rcode.FORMERR


@pytest.mark.parametrize("opcode", [dns.opcode.IQUERY, dns.opcode.STATUS, dns.opcode.UPDATE, 7])
def test_other_opcodes_get_notimp(port: int, opcode: int) -> None:
    msg = dns.message.make_query(ZONE, "SOA")
    msg.set_opcode(opcode)
    reply = dns.query.udp(msg, "127.0.0.1", port=port, timeout=3)
    assert reply.rcode() == dns.rcode.NOTIMP and reply.opcode() == opcode


def test_notify_is_answered_as_a_primary(port: int) -> None:
    # RFC 1996: a NOTIFY for one of our zones needs no action (we are the primary) -> NOERROR
    assert dig(port, ZONE, "SOA", "+opcode=notify").status == "NOERROR"
    assert dig(port, "elsewhere.example", "SOA", "+opcode=notify").status == "NOTAUTH"


def test_handler_exception_gives_servfail_and_a_log_line(
    dns_server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_query: object, _tcp: bool) -> bytes:
        raise RuntimeError("boom")

    assert dns_server.server is not None
    responder: Responder = dns_server.server.responder
    responder.opcode_handlers[dns.opcode.NOTIFY] = broken  # the NOTIFY hook, used as a fault
    msg = dns.message.make_query(ZONE, "SOA")
    msg.set_opcode(dns.opcode.NOTIFY)
    with caplog.at_level(logging.ERROR, logger="dnsd.server"):
        reply = dns.query.udp(msg, "127.0.0.1", port=dns_server.port, timeout=3)
    assert reply.rcode() == dns.rcode.SERVFAIL
    assert any("SERVFAIL" in r.getMessage() and r.exc_info for r in caplog.records)
    answers_still(dns_server.port)


def test_responses_are_dropped_not_answered(port: int) -> None:
    data = bytearray(dns.message.make_query(f"www.{ZONE}", "A").to_wire())
    data[2] |= 0x80  # QR=1
    assert raw_udp(port, bytes(data), timeout=1.0) is None
    assert raw_udp(port, b"\x12\x34\x01\x00\x00", timeout=1.0) is None  # short header
    answers_still(port)


def test_qdcount_other_than_one_is_formerr(port: int) -> None:
    question = dns.message.make_query(f"www.{ZONE}", "A").to_wire()
    for qd, body in ((0, b""), (2, question[12:] * 2)):
        reply = raw_udp(port, question[:4] + struct.pack("!H", qd) + question[6:12] + body)
        assert reply is not None
        msg = dns.message.from_wire(reply)
        assert msg.rcode() == dns.rcode.FORMERR and msg.id == int.from_bytes(question[:2], "big")


def test_non_in_classes_are_refused(port: int) -> None:
    assert dig(port, f"www.{ZONE}", "CH", "A").status == "REFUSED"
    assert dig(port, f"www.{ZONE}", "HS", "A").status == "REFUSED"
    assert dig(port, "version.bind", "CH", "A").status == "REFUSED"


def test_version_bind_and_id_server(port: int) -> None:
    version = dig(port, "version.bind", "CH", "TXT")
    assert version.status == "NOERROR" and version.records() == [
        ["version.bind.", "0", "CH", "TXT", '"dnsd-test"']
    ]
    ident = dig(port, "id.server", "CH", "TXT")
    assert ident.records()[0][4] == '"e2e-1"'


def test_version_bind_refused_when_not_configured(zone_store: ZoneStore, db_url: str) -> None:
    thread = ServerThread(server_settings(db_url, version_bind=None, server_id=None), zone_store).start()
    try:
        assert dig(thread.port, "version.bind", "CH", "TXT").status == "REFUSED"
        assert dig(thread.port, "id.server", "CH", "TXT").status == "REFUSED"
    finally:
        thread.stop()


def test_transfers_refused_for_now(port: int) -> None:
    assert udp(port, ZONE, "AXFR").rcode() == dns.rcode.REFUSED
    assert tcp(port, ZONE, "IXFR").rcode() == dns.rcode.REFUSED


def test_stdlib_event_loop_serves_too(zone_store: ZoneStore, db_url: str) -> None:
    thread = ServerThread(server_settings(db_url), zone_store, use_uvloop=False).start()
    try:
        answers_still(thread.port)
        assert udp(thread.port, "WWW.hello-web.com").question[0].name.to_text() == "WWW.hello-web.com."
        assert tcp(thread.port, f"big.{ZONE}", "TXT").answer
    finally:
        thread.stop()


def test_every_client_gets_its_own_answer_when_some_datagrams_are_dropped(port: int) -> None:
    """Bursts mixing dropped datagrams (QR=1, short) with queries from many sockets: each
    query's answer goes to its own sender, in this burst and in the ones after it."""
    clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(12)]
    try:
        for client in clients:
            client.settimeout(3)
        dropped = bytearray(dns.message.make_query(f"www.{ZONE}", "A").to_wire())
        dropped[2] |= 0x80
        for burst in range(5):
            expected = {}
            for n, client in enumerate(clients):
                if n % 3 == 0:
                    client.sendto(bytes(dropped) if burst % 2 else b"\x00\x01", ("127.0.0.1", port))
                msg = dns.message.make_query(f"www.{ZONE}" if n % 2 else f"mx.{ZONE}", "A")
                msg.id = 100 * burst + n
                expected[n] = msg
                client.sendto(msg.to_wire(), ("127.0.0.1", port))
            for n, client in enumerate(clients):
                reply = dns.message.from_wire(client.recv(4096))
                assert reply.id == expected[n].id and reply.question == expected[n].question
    finally:
        for client in clients:
            client.close()


def test_datagram_larger_than_the_receive_buffer_gets_formerr(port: int) -> None:
    msg = dns.message.make_query(
        f"www.{ZONE}", "A", use_edns=0, options=[dns.edns.GenericOption(65001, b"x" * 5000)]
    )
    data = msg.to_wire(max_size=65535)
    assert len(data) > 4096
    reply = raw_udp(port, data)
    assert reply is not None
    answer = dns.message.from_wire(reply)
    assert answer.rcode() == dns.rcode.FORMERR and answer.id == msg.id
    answers_still(port)


def test_plain_udp_loop_serves_the_same(zone_store: ZoneStore, db_url: str) -> None:
    """The portable recvfrom/sendto loop (used where recvmmsg is missing) behaves the same."""
    thread = ServerThread(server_settings(db_url), zone_store, batched_udp=False).start()
    try:
        port = thread.port
        assert type(thread.server._udp[0]).__name__ == "UdpServer"  # type: ignore[union-attr]
        test_0x20_case_is_preserved_miss_and_hit(port, "udp")
        test_truncated_over_udp_then_whole_over_tcp(port)
        test_responses_are_dropped_not_answered(port)
        test_every_client_gets_its_own_answer_when_some_datagrams_are_dropped(port)
        test_datagram_larger_than_the_receive_buffer_gets_formerr(port)
        test_edns_version_1_gets_badvers(port)
    finally:
        thread.stop()
