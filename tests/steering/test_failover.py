"""Leader failover with two real ``dnsd serve`` processes on one store: exactly one runs the
checks (the lease row names it); killed, the other takes over within a few intervals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnsd.domain.health import make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.zones import make_zone
from dnsd.store.engine import make_engine
from dnsd.store.leases import STEERING_LEASE
from dnsd.store.zonestore import ZoneStore
from tests.helpers import put, wait_for
from tests.steering.serving import ServeProc
from tests.steering.vips import Vip

ACTOR = "test:failover"
LEASE_INTERVAL = 1.0


@pytest.fixture
def store(db_url: str) -> Iterator[ZoneStore]:
    engine = make_engine(db_url)
    yield ZoneStore(engine)
    engine.dispose()


def last_check(store: ZoneStore) -> float:
    checks = [m.last_check for m in store.pool_health("gw") if m.last_check is not None]
    return max(c.timestamp() for c in checks) if checks else 0.0


def holder_pid(store: ZoneStore) -> int | None:
    lease = store.get_lease(STEERING_LEASE)
    return int(lease.holder.split(":")[1]) if lease else None


def test_killed_leader_hands_the_checks_over(
    store: ZoneStore, db_url: str, vips: list[Vip], vip_port: int, tmp_path: Path
) -> None:
    store.create_zone(make_zone("example.com", ["ns1.example.com"]), ACTOR)
    check = make_check({"kind": "tcp", "port": vip_port, "interval": 0.3, "timeout": 0.2, "fall": 1})
    store.create_pool(make_pool("gw", ["127.0.0.2", "127.0.0.3"], check=check), ACTOR)
    put(store, "www.example.com", pool="gw")
    first = ServeProc(db_url, tmp_path / "a.log", interval=LEASE_INTERVAL)
    try:
        wait_for(lambda: holder_pid(store) == first.proc.pid, "the first process to lead")
        second = ServeProc(db_url, tmp_path / "b.log", interval=LEASE_INTERVAL)
        try:
            wait_for(lambda: last_check(store) > 0, "a first round")
            time.sleep(LEASE_INTERVAL * 3.5)
            assert holder_pid(store) == first.proc.pid  # the second one does not take a live lease
            assert "is now the leader" not in second.logs()

            first.kill()  # SIGKILL: no chance to give the lease up
            killed = time.time()
            wait_for(lambda: holder_pid(store) == second.proc.pid, "the takeover", 15)
            took = time.time() - killed
            assert took <= LEASE_INTERVAL * 5, took  # lease (3 intervals) + one renewal + slack
            wait_for(lambda: "is now the leader" in second.logs(), "the new leader's log line", 5)
            wait_for(lambda: last_check(store) > killed + 0.1, "checks by the new leader", 5)

            vips[1].stop()  # the new leader sees a member die and takes it out of DNS
            wait_for(lambda: second.addresses("www.example.com") == {"127.0.0.2"}, "member out", 5)
            change = [c for c in store.list_changes(limit=1000) if c.action == "health.down"][-1]
            assert change.subject == "gw/127.0.0.3"
        finally:
            second.close()
    finally:
        first.close()
