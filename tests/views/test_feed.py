"""The serving snapshot from the store (SQLite and PostgreSQL): ``load_snapshot`` reads views and
member states, and the feed moves every view forward when views, pool members, weighted records
or member health change. Answers are checked through real sockets from loopback sources."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

import pytest
from prometheus_client import generate_latest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.answer import resolve
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.zones import make_zone
from dnsd.metrics import make_registry
from dnsd.server.feed import load_snapshot
from dnsd.server.metrics import DnsCollector
from dnsd.store.tables import MemberHealthRow, PoolRow
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ServerThread, server_settings
from tests.helpers import wait_for
from tests.views.harness import Blaster

ZONE = "feed.example"
OWNER = "ci:feed"
WWW = f"www.{ZONE}"


@pytest.fixture
def steer(store: ZoneStore) -> ZoneStore:
    store.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), "test")
    store.create_zone(make_zone("other.example", ["ns1.other.example"]), "test")
    store.create_view("dc-a", ["127.0.1.0/24"], "test")
    store.create_pool(make_pool("gw", ["10.20.0.1"], view_members={"dc-a": ["10.1.0.1"]}), "test")
    store.create_pool(make_pool("legacy", ["10.30.0.1"]), "test")
    store.put_rrset(make_rrset(WWW, "A", 300, OWNER, pool="gw"), "test")
    store.put_rrset(make_rrset(f"split.{ZONE}", "A", 300, OWNER, targets={"gw": 50, "legacy": 50}), "test")
    store.put_rrset(make_rrset(f"inside.{ZONE}", "A", 300, OWNER, ["10.9.9.9"], views=["dc-a"]), "test")
    store.put_rrset(make_rrset(f"plain.{ZONE}", "A", 300, OWNER, ["10.8.8.8"]), "test")
    return store


def set_state(store: ZoneStore, pool: str, address: str, state: str) -> None:
    """A member state as the health checker stores it (its write path is another branch's)."""
    with Session(store.engine) as session, session.begin():
        pool_id = session.scalar(select(PoolRow.id).where(PoolRow.name == pool))
        row = session.scalar(
            select(MemberHealthRow).where(
                MemberHealthRow.pool_id == pool_id, MemberHealthRow.address == address
            )
        )
        if row is None:
            row = MemberHealthRow(pool_id=pool_id, address=address, host="")
            session.add(row)
        row.state, row.last_change = state, dt.datetime.now(dt.UTC)


def addresses(snapshot_answer: object) -> list[str]:
    return sorted(r.address for rrset in snapshot_answer.answer for r in rrset.rdatas)  # type: ignore[attr-defined]


def test_load_snapshot_reads_views_targets_and_states(steer: ZoneStore) -> None:
    set_state(steer, "legacy", "10.30.0.1", "down")
    snapshot = load_snapshot(steer)
    assert [v.name for v in snapshot.views] == ["dc-a"]
    assert snapshot.health == {("legacy", "10.30.0.1"): "down"}
    assert addresses(resolve(snapshot, WWW, "A")) == ["10.20.0.1"]
    assert addresses(resolve(snapshot.in_view("dc-a"), WWW, "A")) == ["10.1.0.1"]
    assert resolve(snapshot, f"inside.{ZONE}", "A").rcode == 3
    assert addresses(resolve(snapshot.in_view("dc-a"), f"inside.{ZONE}", "A")) == ["10.9.9.9"]
    # legacy is down: the weighted name has one eligible target, gw
    assert addresses(resolve(snapshot, f"split.{ZONE}", "A")) == ["10.20.0.1"]
    # zones without per-view data are shared between views
    assert snapshot.in_view("dc-a").zones["other.example"] is snapshot.zones["other.example"]
    assert snapshot.in_view("dc-a").zones[ZONE] is not snapshot.zones[ZONE]


@pytest.fixture
def server(steer: ZoneStore, db_url: str) -> Iterator[ServerThread]:
    thread = ServerThread(server_settings(db_url), steer).start()
    yield thread
    thread.stop()


def test_the_feed_moves_every_view_forward(
    steer: ZoneStore, server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    blaster = Blaster(server.port)

    def ask(name: str, source: str) -> list[str]:
        return blaster.ask(name, source, check=False)  # the feed catches up: NXDOMAIN first

    assert ask(WWW, "127.0.1.9") == ["10.1.0.1"]
    assert ask(WWW, "127.0.0.9") == ["10.20.0.1"]
    # a pool's member in one view changes: that view's answer follows (default unchanged)
    steer.update_pool("gw", "test", view_members={"dc-a": ["10.1.0.2"]})
    wait_for(lambda: ask(WWW, "127.0.1.9") == ["10.1.0.2"], "dc-a's new member")
    assert ask(WWW, "127.0.0.9") == ["10.20.0.1"]
    # a new view: its clients get the pool's default members until the pool has some for it
    steer.create_view("dc-b", ["127.0.2.0/24"], "test")
    steer.update_pool("gw", "test", view_members={"dc-a": ["10.1.0.2"], "dc-b": ["10.2.0.1"]})
    wait_for(lambda: ask(WWW, "127.0.2.9") == ["10.2.0.1"], "dc-b's member")
    # a record limited to views appears in them only
    steer.put_rrset(make_rrset(f"late.{ZONE}", "A", 300, OWNER, ["10.7.7.7"], views=["dc-b"]), "test")
    wait_for(lambda: ask(f"late.{ZONE}", "127.0.2.9") == ["10.7.7.7"], "the limited record in dc-b")
    assert not ask_nx(server.port, f"late.{ZONE}", "127.0.2.9")
    assert ask_nx(server.port, f"late.{ZONE}", "127.0.1.9")
    # weights change: every client now gets legacy
    steer.put_rrset(make_rrset(f"split.{ZONE}", "A", 300, OWNER, targets={"gw": 0, "legacy": 100}), "test")
    wait_for(
        lambda: all(ask(f"split.{ZONE}", f"127.0.{n}.1") == ["10.30.0.1"] for n in range(3, 40)), "weights"
    )
    # health: legacy's only member goes down; the weighted name fails open (all of legacy),
    # logged; the change that brings it in is any change (here: another zone's record)
    with caplog.at_level(logging.WARNING, logger="dnsd.feed"):
        set_state(steer, "gw", "10.20.0.1", "down")
        steer.put_rrset(make_rrset("x.other.example", "TXT", 300, OWNER, ['"poke"']), "test")
        wait_for(lambda: ask(WWW, "127.0.0.9") == ["10.20.0.1"] and any(
            "fail open" in r.getMessage() and WWW in r.getMessage() for r in caplog.records
        ), "fail open on www")  # fmt: skip
    assert server.server is not None
    metrics = generate_latest(make_registry(DnsCollector(server.server))).decode()
    found = re.search(r"^dnsd_fail_open_total (\S+)$", metrics, re.MULTILINE)
    assert found is not None and float(found.group(1)) >= 1
    set_state(steer, "gw", "10.20.0.1", "up")
    steer.put_rrset(make_rrset(f"split.{ZONE}", "A", 300, OWNER, targets={"gw": 50, "legacy": 50}), "test")
    wait_for(
        lambda: len({tuple(ask(f"split.{ZONE}", f"127.0.{n}.1")) for n in range(3, 60)}) == 2, "a 50/50 split"
    )
    answers = {tuple(ask(f"split.{ZONE}", f"127.0.{n}.1")) for n in range(3, 60)}
    assert answers == {("10.20.0.1",), ("10.30.0.1",)}
    # a view deleted: its clients fall back to default
    steer.update_pool("gw", "test", view_members={"dc-b": []})
    steer.delete_by_name(f"late.{ZONE}", "test", "A")
    steer.delete_view("dc-b", "test")
    wait_for(lambda: ask(WWW, "127.0.2.9") == ["10.20.0.1"], "dc-b gone")


def ask_nx(port: int, name: str, source: str) -> bool:
    import socket

    import dns.message
    import dns.rcode

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(3)
        sock.sendto(dns.message.make_query(name, "A").to_wire(), ("127.0.0.1", port))
        return dns.message.from_wire(sock.recv(4096)).rcode() == dns.rcode.NXDOMAIN
