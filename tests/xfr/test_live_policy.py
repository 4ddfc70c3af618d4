"""A running server follows transfer-policy changes from the feed: keys and ACLs added while it
serves take effect without a restart (read in the feed's round, installed with its snapshot)."""

from __future__ import annotations

import base64
import time

import dns.message
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring

from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ServerThread, server_settings
from tests.export.zones import create_demo

ZONE = "hello-web.com"
SECRET = base64.b64encode(b"live-policy-key-0123456789abcdef").decode()


def axfr_rcode(port: int, signed: bool) -> int:
    query = dns.message.make_query(ZONE, "AXFR")
    if signed:
        keyring = dns.tsigkeyring.from_text({"live-key.": SECRET})
        query.use_tsig(keyring, keyname="live-key.", algorithm=dns.tsig.HMAC_SHA256)
    try:
        return int(dns.query.tcp(query, "127.0.0.1", port=port, timeout=3).rcode())
    except dns.tsig.PeerBadKey:  # the key is not known (yet): NOTAUTH with BADKEY
        return int(dns.rcode.NOTAUTH)


def wait_for_rcode(port: int, signed: bool, rcode: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while axfr_rcode(port, signed) != rcode:
        assert time.monotonic() < deadline, f"AXFR never answered {dns.rcode.to_text(rcode)}"
        time.sleep(0.05)


def test_acl_and_key_changes_reach_a_running_server(store: ZoneStore, db_url: str) -> None:
    create_demo(store, ZONE)
    server = ServerThread(server_settings(db_url), store).start()
    try:
        port = server.port
        assert axfr_rcode(port, signed=False) == dns.rcode.REFUSED  # no ACL yet
        ops = TransferOps(store.engine)
        ops.add_tsig_key("live-key", "test", SECRET)
        ops.set_transfer_acl(ZONE, "test", ["127.0.0.1/32"], ["live-key"])
        wait_for_rcode(port, signed=True, rcode=dns.rcode.NOERROR)
        assert axfr_rcode(port, signed=False) == dns.rcode.REFUSED  # the ACL wants the key
        ops.clear_transfer_acl(ZONE, "test")
        wait_for_rcode(port, signed=True, rcode=dns.rcode.REFUSED)
    finally:
        server.stop()
