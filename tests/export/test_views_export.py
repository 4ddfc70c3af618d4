"""``dnsd export --views``: one zone file per (zone, view) that named-checkzone accepts, each with
that view's members, and a named.conf fragment that named-checkconf accepts and a real named
serves: clients of each view's networks (or signing with its key) get that view's answers."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.tsigkeyring
from sqlalchemy import text
from sqlalchemy.orm import Session

from dnsd.domain.records import make_rrset
from dnsd.domain.transfer import TsigKey
from dnsd.export.named_views import render_views_conf
from dnsd.store.tables import MemberHealthRow
from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore
from tests.export.zones import named_checkzone
from tests.helpers import dnsd_env, run_dnsd
from tests.views_demo import INTERNAL, ISTIO_V4, VIEWS, ZONE, create_views_demo
from tests.xfr.named import Named

SECRET = "a2V5LWZvci10aGUtZGMtYS12aWV3LTAxMjM0NTY3ODk="


def a_records(text: str, owner: str) -> list[str]:
    """The A addresses of ``owner`` (relative) in a rendered zone file."""
    return sorted(
        line.split()[-1] for line in text.splitlines() if line.split()[:1] == [owner] and " A " in line
    )


def ask_named(port: int, query: dns.message.Message, source: str) -> dns.message.Message:
    """``query`` to named over TCP from ``source``, retried for a while: on a loaded machine
    named may log "running" a moment before its TCP listener answers."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return dns.query.tcp(query, "127.0.0.1", port=port, source=source, timeout=5)
        except (OSError, dns.exception.Timeout):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def named_checkconf(path: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("named-checkconf")
    assert binary is not None, "named-checkconf (bind9-utils) is required"
    return subprocess.run([binary, str(path)], capture_output=True, text=True, timeout=60, check=False)


def test_fragment_puts_keys_first_and_default_last() -> None:
    keys = [TsigKey("xfr-a", b"k" * 32, view="dc-a"), TsigKey("xfr-b", b"k" * 32, view="dc-b"),
            TsigKey("plain", b"k" * 32)]  # fmt: skip
    conf = render_views_conf(Path("/z"), ["a.example"], VIEWS, keys)
    assert conf.index('view "dc-a"') < conf.index('view "dc-b"') < conf.index('view "default"')
    assert 'match-clients { key "xfr-a"; !key "xfr-b"; 127.0.10.0/24; 10.1.0.0/16; };' in conf
    assert "match-clients { any; };" in conf
    assert 'allow-transfer { key "xfr-b"; };' in conf and "plain" not in conf
    assert 'file "/z/dc-b/a.example.zone";' in conf
    assert 'view "public"' not in conf  # no key bound to it: nobody could match it


def test_export_views_files_and_conf(store: ZoneStore, db_url: str, tmp_path: Path) -> None:
    create_views_demo(store)
    TransferOps(store.engine).add_tsig_key("xfr-dc-a", "test", SECRET, view="dc-a")
    out = tmp_path / "views"
    done = run_dnsd(("export", "--views", str(out)), dnsd_env(db_url))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    for view in ("dc-a", "dc-b", "public", "default"):
        path = out / view / f"{ZONE}.zone"
        assert str(path) in lines
        check = named_checkzone(ZONE, path)
        assert check.returncode == 0, check.stdout + check.stderr
        text = path.read_text()
        assert a_records(text, "api") == sorted(ISTIO_V4[view]), view
        assert a_records(text, "legacy") == ["10.30.0.10"]  # no members of its own: default's
        assert a_records(text, INTERNAL[0]) == ([INTERNAL[1]] if view == "dc-a" else [])  # dc-a only
    conf = out / "named.conf"
    check = named_checkconf(conf)
    assert check.returncode == 0, check.stdout + check.stderr
    keys = (out / "keys.conf").read_text()
    assert SECRET in keys and (out / "keys.conf").stat().st_mode & 0o077 == 0
    assert SECRET not in conf.read_text()
    again = run_dnsd(("export", "--views", str(out)), dnsd_env(db_url))
    assert set(again.stdout.split()[::2]) == {"unchanged"}
    store.put_rrset(make_rrset(f"new.{ZONE}", "A", 60, "user:test", ["192.0.2.7"]), "test")
    log = tmp_path / "reloads.log"
    command = f"sh -c 'echo {{zone}} {{view}} >> {log}'"
    assert run_dnsd(("export", "--views", str(out), "--command", command), dnsd_env(db_url)).returncode == 0
    assert sorted(log.read_text().split("\n")[:-1]) == [
        f"{ZONE} {v}" for v in ("dc-a", "dc-b", "default", "public")
    ]


def test_named_serves_the_exported_views(store: ZoneStore, db_url: str, tmp_path: Path) -> None:
    create_views_demo(store)
    TransferOps(store.engine).add_tsig_key("xfr-dc-a", "test", SECRET, view="dc-a")
    out = tmp_path / "views"
    assert run_dnsd(("export", "--views", str(out)), dnsd_env(db_url)).returncode == 0
    named = Named(tmp_path / "named")
    try:
        named.start(f'include "{out / "named.conf"}";')
        for source, view in (("127.0.10.7", "dc-a"), ("127.0.20.7", "dc-b"), ("127.0.0.1", "default")):
            query = dns.message.make_query(f"api.{ZONE}", "A")
            answer = ask_named(named.port, query, source)
            assert sorted(r.address for r in answer.answer[0]) == sorted(ISTIO_V4[view]), view
        signed = dns.message.make_query(f"api.{ZONE}", "A")
        signed.use_tsig(dns.tsigkeyring.from_text({"xfr-dc-a": SECRET}), "xfr-dc-a", algorithm="hmac-sha256")
        answer = ask_named(named.port, signed, "127.0.20.7")
        assert [r.address for r in answer.answer[0]] == ISTIO_V4["dc-a"]  # the key wins
        keyring = dns.tsigkeyring.from_text({"xfr-dc-a": SECRET})
        messages = list(dns.query.xfr("127.0.0.1", ZONE, port=named.port, keyring=keyring, keyname="xfr-dc-a",
                                      keyalgorithm="hmac-sha256", relativize=False))  # fmt: skip
        api = [r for m in messages for r in m.answer if r.name.to_text() == f"api.{ZONE}." and r.rdtype == 1]
        assert [r.address for r in api[0]] == ISTIO_V4["dc-a"]
    finally:
        named.stop()


def test_export_views_carries_the_healthy_members(store: ZoneStore, db_url: str, tmp_path: Path) -> None:
    create_views_demo(store)
    pool_id = (
        store.engine.connect()
        .execute(text("SELECT id FROM pools WHERE name = 'istio-ingressgateway'"))
        .scalar_one()
    )
    with Session(store.engine) as session, session.begin():  # what the health checker writes
        session.add(MemberHealthRow(pool_id=pool_id, address="10.2.0.11", host="", state="down"))
        session.add(MemberHealthRow(pool_id=pool_id, address="10.1.0.10", host="", state="down"))
    out = tmp_path / "views"
    assert run_dnsd(("export", "--views", str(out)), dnsd_env(db_url)).returncode == 0
    read = {v: a_records((out / v / f"{ZONE}.zone").read_text(), "api") for v in ("dc-a", "dc-b", "default")}
    assert read["dc-b"] == ["10.2.0.10"]  # the member down is left out
    assert read["dc-a"] == ["10.1.0.10"]  # its only member is down: fail open, it stays
    assert read["default"] == sorted(ISTIO_V4["default"])
