"""A real bind9 ``named`` with two views, each a secondary of dnsd with its own TSIG key: each
view transfers its own copy of the zone (the key's view), clients of each view's networks get
that view's VIPs from named (``dig -b``), and a change reaches both views. dnsd's own AXFR
answers the view of the key, else of the client address, else default."""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.tsigkeyring
import pytest

from dnsd.domain.records import make_rrset
from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ServerThread, server_settings
from tests.views_demo import INTERNAL, ISTIO_V4, ZONE, create_views_demo
from tests.xfr.named import Named

KEYS = {"dc-a": "xfr-dc-a", "dc-b": "xfr-dc-b"}
SECRETS = {view: base64.b64encode(f"secret-of-{view}-0123456789abcdef".encode()).decode() for view in KEYS}
SOURCES = {"dc-a": "127.0.10.5", "dc-b": "127.0.20.5"}
DEADLINE = 20.0


def named_views_conf(dnsd_port: int) -> str:
    blocks = []
    for view, key in KEYS.items():
        other = next(k for v, k in KEYS.items() if v != view)
        network = SOURCES[view].rsplit(".", 1)[0] + ".0/24"
        blocks.append(f"""
view "{view}" {{
    match-clients {{ key "{key}"; !key "{other}"; {network}; }};
    zone "{ZONE}" {{
        type secondary;
        primaries port {dnsd_port} {{ 127.0.0.1 key "{key}"; }};
        file "{view}.db";
    }};
}};""")
    return "\n".join(blocks)


def dig(port: int, source: str, name: str, rtype: str = "A") -> list[str]:
    """``dig -b source``: the answer's rdata, one per line."""
    args = ["dig", "@127.0.0.1", "-p", str(port), "-b", source, "+short", "+time=3", "+tries=3", name, rtype]
    return sorted(
        subprocess.run(args, capture_output=True, text=True, timeout=20, check=False).stdout.split()
    )


def wait_for(check: object, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.05)


@pytest.fixture
def servers(store: ZoneStore, db_url: str, tmp_path: Path) -> Iterator[tuple[ServerThread, Named]]:
    create_views_demo(store)
    ops = TransferOps(store.engine)
    for view, key in KEYS.items():
        ops.add_tsig_key(key, "test", SECRETS[view], view=view)
    ops.set_transfer_acl(ZONE, "test", ["127.0.0.0/8"], [])
    dnsd = ServerThread(server_settings(db_url), store).start()
    named = Named(tmp_path / "named")
    keys = "".join(
        f'key "{k}" {{ algorithm hmac-sha256; secret "{SECRETS[v]}"; }};\n' for v, k in KEYS.items()
    )
    try:
        named.start(named_views_conf(dnsd.port), keys)
        yield dnsd, named
    finally:
        named.stop()
        dnsd.stop()


def test_named_views_transfer_their_own_zone(servers: tuple[ServerThread, Named], store: ZoneStore) -> None:
    named = servers[1]
    for view in KEYS:
        named.wait_logged(f"zone {ZONE}/IN/{view}: transferred serial", timeout=DEADLINE)
    for view, source in SOURCES.items():
        assert dig(named.port, source, f"api.{ZONE}") == sorted(ISTIO_V4[view]), view
        assert dig(named.port, source, f"legacy.{ZONE}") == ["10.30.0.10"]
        internal = [INTERNAL[1]] if view == "dc-a" else []  # limited to dc-a: absent from dc-b's copy
        assert dig(named.port, source, f"{INTERNAL[0]}.{ZONE}") == internal
    # a change reaches both views (the journal is the default view's: each view gets it whole)
    store.put_rrset(make_rrset(f"new.{ZONE}", "A", 60, "user:test", ["192.0.2.77"]), "test")
    for source in SOURCES.values():
        wait_for(lambda s=source: dig(named.port, s, f"new.{ZONE}") == ["192.0.2.77"])  # type: ignore[misc]
    assert dig(named.port, SOURCES["dc-b"], f"api.{ZONE}") == sorted(ISTIO_V4["dc-b"])
    for view in KEYS:  # the second transfer of each view: IXFR asked, the whole zone answered
        assert named.logged().count(f"zone {ZONE}/IN/{view}: transferred serial") >= 2


def axfr_addresses(port: int, source: str, keyname: str | None = None) -> list[str]:
    query = dns.message.make_query(ZONE, "AXFR")
    if keyname is not None:
        view = next(v for v, k in KEYS.items() if k == keyname)
        query.use_tsig(dns.tsigkeyring.from_text({keyname: SECRETS[view]}), keyname, algorithm="hmac-sha256")
    answer = dns.query.tcp(query, "127.0.0.1", port=port, source=source, timeout=5)
    assert answer.rcode() == dns.rcode.NOERROR
    return sorted(r.address for rrset in answer.answer if rrset.name.to_text() == f"api.{ZONE}."
                  and rrset.rdtype == 1 for r in rrset)  # fmt: skip


def test_dnsd_axfr_view_by_key_then_address(servers: tuple[ServerThread, Named]) -> None:
    port = servers[0].port
    assert axfr_addresses(port, "127.0.10.9") == sorted(ISTIO_V4["dc-a"])  # address
    assert axfr_addresses(port, "127.0.20.9") == sorted(ISTIO_V4["dc-b"])
    assert axfr_addresses(port, "127.0.30.9") == sorted(ISTIO_V4["default"])
    assert axfr_addresses(port, "127.0.10.9", "xfr-dc-b") == sorted(ISTIO_V4["dc-b"])  # the key wins
