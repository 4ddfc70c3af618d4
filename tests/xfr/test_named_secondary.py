"""A real bind9 ``named`` as secondary of dnsd, with a TSIG key: it transfers the zone, a record
changed through the API reaches it by a NOTIFY signed with that key + IXFR within seconds, and
transfers without the key are refused. ``dig AXFR`` / ``dig IXFR=serial`` against dnsd answer as
the RFCs require."""

from __future__ import annotations

import base64
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import pytest

from api.app import create_app
from dnsd import metrics
from dnsd.config import Settings
from dnsd.domain.records import make_rrset
from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer
from tests.e2e.conftest import ServerThread, server_settings
from tests.export.zones import create_demo
from tests.xfr.named import Named

ZONE = "hello-web.com"
SECRET = base64.b64encode(b"secondary-key-0123456789abcdef!!").decode()
DEADLINE = 15.0


@dataclass
class Setup:
    store: ZoneStore
    dnsd: ServerThread
    named: Named
    settings: Settings


def named_zone_conf(dnsd_port: int) -> str:
    return f"""
zone "{ZONE}" {{
    type secondary;
    primaries port {dnsd_port} {{ 127.0.0.1 key "xfr-key"; }};
    file "{ZONE}.db";
}};
"""


@pytest.fixture
def setup(store: ZoneStore, db_url: str, tmp_path: Path) -> Iterator[Setup]:
    create_demo(store, ZONE)
    ops = TransferOps(store.engine)
    ops.add_tsig_key("xfr-key", "test", SECRET)
    ops.set_transfer_acl(ZONE, "test", ["127.0.0.1/32"], ["xfr-key"])
    named = Named(tmp_path / "named")
    store.update_zone(ZONE, "test", secondaries=[f"127.0.0.1:{named.port}"])
    settings = server_settings(db_url)
    dnsd = ServerThread(settings, store).start()
    try:
        named.start(
            named_zone_conf(dnsd.port), f'key "xfr-key" {{ algorithm hmac-sha256; secret "{SECRET}"; }};'
        )
        yield Setup(store, dnsd, named, settings)
    finally:
        named.stop()
        dnsd.stop()


def ask(port: int, name: str, rtype: str) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rtype), "127.0.0.1", port=port, timeout=2)


def wait_for(check: Callable[[], bool], timeout: float = DEADLINE) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.02)
    return time.monotonic() - start


def serial_at(port: int) -> int | None:
    answer = ask(port, ZONE, "SOA")
    return answer.answer[0][0].serial if answer.rcode() == dns.rcode.NOERROR and answer.answer else None


def test_named_secondary_follows_dnsd(setup: Setup) -> None:
    named, store = setup.named, setup.store
    transfers, notifies = Counter(metrics.OUTCOMES.transfers), Counter(metrics.OUTCOMES.notifies)
    named.wait_logged(f"transfer of '{ZONE}/IN' from 127.0.0.1#{setup.dnsd.port}: Transfer completed")
    wait_for(lambda: serial_at(named.port) == store.get_zone(ZONE).serial)
    www = ask(named.port, f"api.{ZONE}", "A")
    assert sorted(r.address for r in www.answer[0]) == ["10.20.0.10", "10.20.0.11"]

    token = store.create_token("ci", "write")[1]
    with TestClient(create_app(setup.settings), headers=bearer(token)) as api:
        start = time.monotonic()
        r = api.post("/records", json={"name": f"new.{ZONE}", "type": "A", "values": ["192.0.2.77"],
                                       "owner": "ci:pipeline-1"})  # fmt: skip
        assert r.status_code == 201, r.text
        committed = time.monotonic() - start

        def seen() -> bool:
            answer = ask(named.port, f"new.{ZONE}", "A")
            return bool(answer.answer) and answer.answer[0][0].address == "192.0.2.77"

        wait_for(seen)
        elapsed = time.monotonic() - start
    # the figure for the record (run with -s); bind9's serial-query-rate limiter adds up to 0.5 s
    print(f"\nAPI change -> answer at the secondary: {elapsed * 1000:.0f} ms (API {committed * 1000:.0f} ms)")
    log = named.logged()
    assert re.search(rf"zone {re.escape(ZONE)}/IN: notify from 127\.0\.0\.1#\d+: serial \d+", log)
    # the NOTIFY was signed with the zone's transfer key, which named verified (and named's signed
    # answer verified at dnsd, or the NOTIFY would not count as acked below)
    assert f"received notify for zone '{ZONE}': TSIG 'xfr-key'" in log, log[-2000:]
    serial = store.get_zone(ZONE).serial
    assert serial_at(named.port) == serial
    # the last step came by IXFR: current SOA, old SOA, new SOA, the new A, current SOA
    last_transfer = log.split(f"transferred serial {serial}")[-1]
    assert "Transfer completed: 1 messages, 5 records" in last_transfer, log[-2000:]
    # and the /metrics outcome counters saw the transfers and the NOTIFY named acknowledged
    assert metrics.OUTCOMES.transfers[("ixfr", "ok")] > transfers[("ixfr", "ok")]
    assert metrics.OUTCOMES.notifies[("sent", "acked")] > notifies[("sent", "acked")]


def test_transfers_need_the_key(setup: Setup) -> None:
    port = setup.dnsd.port
    refused = dns.query.tcp(dns.message.make_query(ZONE, "AXFR"), "127.0.0.1", port=port, timeout=3)
    assert refused.rcode() == dns.rcode.REFUSED and not refused.answer
    dig = ["dig", "@127.0.0.1", "-p", str(port), "+time=3", "+tries=1"]
    out = subprocess.run([*dig, ZONE, "AXFR"], capture_output=True, text=True, timeout=30, check=False).stdout
    assert "Transfer failed" in out
    wrong = f"hmac-sha256:xfr-key:{base64.b64encode(b'x' * 32).decode()}"
    out = subprocess.run([*dig, "-y", wrong, ZONE, "AXFR"], capture_output=True, text=True, timeout=30,
                         check=False).stdout  # fmt: skip
    assert "Transfer failed" in out or "NOTAUTH" in out or "tsig" in out.lower(), out


def test_dig_axfr_and_ixfr_against_dnsd(setup: Setup) -> None:
    port, store = setup.dnsd.port, setup.store
    key = ["-y", f"hmac-sha256:xfr-key:{SECRET}"]
    dig = ["dig", "@127.0.0.1", "-p", str(port), "+time=3", "+tries=1", "+nocmd", "+nostats", *key]

    def run(*args: str) -> list[list[str]]:
        out = subprocess.run([*dig, *args], capture_output=True, text=True, timeout=30, check=False).stdout
        assert "Transfer failed" not in out, out
        return [line.split() for line in out.splitlines() if line and not line.startswith(";")]

    axfr = run(ZONE, "AXFR")
    types = [r[3] for r in axfr if r[3] != "TSIG"]
    assert types[0] == types[-1] == "SOA" and types.count("SOA") == 2 and len(types) > 10
    old = store.get_zone(ZONE).serial
    store.put_rrset(make_rrset(f"x.{ZONE}", "TXT", 60, "user:test", ['"ixfr"']), "test")
    new = store.get_zone(ZONE).serial
    wait_for(lambda: serial_at(port) == new)
    ixfr = [r for r in run(ZONE, f"IXFR={old}") if r[3] != "TSIG"]
    assert [(r[3], r[6] if r[3] == "SOA" else r[4]) for r in ixfr] == [
        ("SOA", str(new)), ("SOA", str(old)), ("SOA", str(new)), ("TXT", '"ixfr"'), ("SOA", str(new))
    ]  # fmt: skip
    current = [r for r in run(ZONE, f"IXFR={new}") if r[3] != "TSIG"]
    assert [(r[3], r[6]) for r in current] == [("SOA", str(new))]


def test_signed_ordinary_queries_get_signed_answers(setup: Setup) -> None:
    keyring = dns.tsigkeyring.from_text({"xfr-key.": SECRET})
    query = dns.message.make_query(ZONE, "SOA")
    query.use_tsig(keyring, keyname="xfr-key.", algorithm=dns.tsig.HMAC_SHA256)
    answer = dns.query.udp(query, "127.0.0.1", port=setup.dnsd.port, timeout=3)  # verifies the TSIG
    assert answer.had_tsig and answer.answer[0][0].serial == setup.store.get_zone(ZONE).serial
    stranger = dns.tsigkeyring.from_text({"stranger.": SECRET})
    query = dns.message.make_query(ZONE, "SOA")
    query.use_tsig(stranger, keyname="stranger.", algorithm=dns.tsig.HMAC_SHA256)
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.query.udp(query, "127.0.0.1", port=setup.dnsd.port, timeout=3)


def test_ixfr_over_udp_is_the_soa(setup: Setup) -> None:
    query = dns.message.make_query(ZONE, "IXFR")
    query.authority.append(dns.rrset.from_text(f"{ZONE}.", 0, "IN", "SOA", "ns. h. 1 0 0 0 0"))
    answer = dns.query.udp(query, "127.0.0.1", port=setup.dnsd.port, timeout=3)
    assert answer.rcode() == dns.rcode.NOERROR
    assert [r.rdtype for r in answer.answer] == [dns.rdatatype.SOA]
    assert answer.answer[0][0].serial == setup.store.get_zone(ZONE).serial
