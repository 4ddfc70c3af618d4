"""NOTIFY out (RFC 1996) against a real bind9 secondary, signed and unsigned, with retries."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from dataclasses import replace

import dns.flags
import dns.message
import dns.opcode
import dns.rdatatype
import dns.tsigkeyring
import pytest

from dnsd.domain.transfer import TransferAcl, TransferPolicy, TsigKey
from dnsd.domain.zones import Zone
from dnsd.server.notify import Notifier, NotifyResult, send_notify
from dnsd.xfr.notify import (
    FORMERR,
    NOERROR,
    NOTAUTH,
    incoming_notify_rcode,
    notify_query,
    notify_targets,
    parse_target,
)
from tests.xfr.named import Named, free_port

SECRET = base64.b64encode(b"n" * 32).decode()
KEY = TsigKey("notify-key", b"n" * 32)
ZONE = Zone("plain.example", 2024010105, ("ns1.plain.example",), "ns1.plain.example", "h.plain.example",
            secondaries=("127.0.0.1",))  # fmt: skip
KEYS_CONF = f'key "notify-key" {{ algorithm hmac-sha256; secret "{SECRET}"; }};'
ZONES_CONF = """
zone "plain.example" { type secondary; primaries port 1 { 127.0.0.1; }; file "plain.db"; };
zone "keyed.example" { type secondary; primaries port 1 { 127.0.0.2; }; file "keyed.db";
                       allow-notify { key notify-key; }; };
"""


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Named]:
    server = Named(tmp_path_factory.mktemp("named-notify"))
    server.start(ZONES_CONF, KEYS_CONF)
    yield server
    server.stop()


def test_parse_targets() -> None:
    assert parse_target("192.0.2.1") == ("192.0.2.1", 53)
    assert parse_target(" 192.0.2.1:5300 ") == ("192.0.2.1", 5300)
    assert parse_target("2001:db8::1") == ("2001:db8::1", 53)
    assert parse_target("[2001:DB8::1]:5353") == ("2001:db8::1", 5353)
    targets, problems = notify_targets(["192.0.2.1", "ns.example.net", "192.0.2.1:0"])
    assert targets == [("192.0.2.1", 53)] and len(problems) == 2


def test_notify_message_is_what_dnspython_reads() -> None:
    message = dns.message.from_wire(notify_query(ZONE, 4242))
    assert message.id == 4242 and message.opcode() == dns.opcode.NOTIFY
    assert message.flags & dns.flags.AA and not message.flags & dns.flags.QR
    assert (
        message.question[0].name.to_text() == "plain.example."
        and message.question[0].rdtype == dns.rdatatype.SOA
    )
    (soa,) = message.answer[0]
    assert soa.serial == 2024010105 and soa.mname.to_text() == "ns1.plain.example."


def test_incoming_notify_rcodes() -> None:
    zones = {"example.com"}
    assert incoming_notify_rcode(zones, "example.com", 6) == NOERROR
    assert incoming_notify_rcode(zones, "other.example", 6) == NOTAUTH
    assert incoming_notify_rcode(zones, "example.com", 1) == FORMERR


def test_named_accepts_our_notify_and_reads_the_serial(named: Named) -> None:
    result = asyncio.run(send_notify(ZONE, ("127.0.0.1", named.port), timeout=2.0))
    assert result.ok and result.rcode == NOERROR  # (a busy machine may need a retry)
    named.wait_logged("zone plain.example/IN: notify from 127.0.0.1#")  # (the serial is logged once loaded)


def test_signed_notify_is_verified_both_ways(named: Named) -> None:
    keyed = replace(ZONE, name="keyed.example")
    unsigned = asyncio.run(send_notify(keyed, ("127.0.0.1", named.port), timeout=2.0))
    assert unsigned.rcode not in (NOERROR, None)  # named wants the key
    signed = asyncio.run(send_notify(keyed, ("127.0.0.1", named.port), key=KEY, timeout=2.0))
    assert signed.ok, signed  # NOERROR, and named's signed answer verified
    wrong = TsigKey("notify-key", b"x" * 32)
    bad = asyncio.run(send_notify(keyed, ("127.0.0.1", named.port), key=wrong, timeout=2.0))
    assert bad.rcode == NOTAUTH


def test_a_zone_named_does_not_serve_gets_notauth(named: Named) -> None:
    other = replace(ZONE, name="nope.example")
    result = asyncio.run(send_notify(other, ("127.0.0.1", named.port), timeout=2.0))
    assert result.rcode == NOTAUTH and not result.ok


def test_retries_with_backoff_then_gives_up() -> None:
    port = free_port()  # nobody listens
    result = asyncio.run(send_notify(ZONE, ("127.0.0.1", port), timeout=0.05, attempts=3))
    assert result == NotifyResult("plain.example", 2024010105, ("127.0.0.1", port), None, 3, "no answer")


def test_notifier_notifies_every_secondary_and_a_newer_serial_wins(
    named: Named, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="dnsd.notify")
    dead = free_port()
    results: list[NotifyResult] = []

    async def scenario() -> None:
        notifier = Notifier(timeout=0.2, attempts=2, on_result=results.append)
        zone = replace(ZONE, secondaries=(f"127.0.0.1:{named.port}", f"127.0.0.1:{dead}", "not-an-address"))
        notifier.zone_changed(zone)
        notifier.zone_changed(replace(zone, serial=zone.serial + 1))  # replaces the first run
        async with asyncio.timeout(10):
            while len(results) < 2:
                await asyncio.sleep(0.02)
        await notifier.close()

    asyncio.run(scenario())
    assert {(r.serial, r.target[1], r.rcode) for r in results} == {
        (2024010106, named.port, NOERROR),
        (2024010106, dead, None),
    }
    messages = [r.getMessage() for r in caplog.records]
    assert any("NOTIFY plain.example serial 2024010106" in m and "NOERROR" in m for m in messages)
    assert any("failed after 2 attempts" in m for m in messages)
    assert any("'not-an-address' is not an address" in m for m in messages)


def test_the_notify_key_is_the_first_known_key_of_the_zones_acl() -> None:
    other = TsigKey("other-key", b"o" * 32)
    policy = TransferPolicy(
        {KEY.name: KEY, other.name: other},
        {
            ZONE.name: TransferAcl(ZONE.name, ("127.0.0.1/32",), ("gone-key", KEY.name, other.name)),
            "open.example": TransferAcl("open.example", ("127.0.0.1/32",)),
        },
    )
    assert policy.notify_key(ZONE.name) is KEY
    assert policy.notify_key("open.example") is None  # an ACL of networks only: unsigned
    assert policy.notify_key("none.example") is None


async def test_the_notifier_signs_with_the_key_for_the_zone() -> None:
    """Notifier(key_for) signs each NOTIFY with the zone's key (what TransferService passes)."""
    received: list[bytes] = []

    class Secondary(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
            received.append(data)

    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(Secondary, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    notifier = Notifier(lambda zone: KEY if zone == ZONE.name else None, timeout=0.2, attempts=1)
    try:
        notifier.zone_changed(replace(ZONE, secondaries=(f"127.0.0.1:{port}",)))
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.02)
    finally:
        await notifier.close()
        transport.close()
    keyring = dns.tsigkeyring.from_text({"notify-key.": SECRET})
    message = dns.message.from_wire(received[0], keyring=keyring)  # raises unless signed right
    assert message.had_tsig and message.opcode() == dns.opcode.NOTIFY
