"""Health checks end to end: ``dnsd serve`` probes real HTTP servers on loopback VIPs and the
real DNS answer (UDP) follows. Issue 14's "done when" for health."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnsd.domain.health import make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.zones import make_zone
from dnsd.store.engine import make_engine
from dnsd.store.zonestore import ZoneStore
from tests.helpers import put, wait_for
from tests.steering.serving import ServeProc
from tests.steering.vips import Vip

ACTOR = "test:steering"
INTERVAL, FALL = 0.5, 2
ALL = {"127.0.0.2", "127.0.0.3", "127.0.0.4"}


@pytest.fixture
def store(db_url: str) -> Iterator[ZoneStore]:
    engine = make_engine(db_url)
    yield ZoneStore(engine)
    engine.dispose()


def setup(store: ZoneStore, port: int) -> None:
    store.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), ACTOR)
    check = make_check(
        {"kind": "http", "port": port, "path": "/healthz", "interval": INTERVAL, "timeout": 0.3,
         "rise": 1, "fall": FALL}
    )  # fmt: skip
    store.create_pool(make_pool("istio", sorted(ALL), check=check), ACTOR)
    put(store, "www.hello-web.com", pool="istio", ttl=30)


def test_dead_and_unrouting_members_leave_the_answer(
    store: ZoneStore, db_url: str, vips: list[Vip], vip_port: int, tmp_path: Path
) -> None:
    setup(store, vip_port)
    served = ServeProc(db_url, tmp_path / "serve.log")
    try:
        # 127.0.0.4 answers TCP but 404s the host: route-aware, it leaves the answer
        routed = {"127.0.0.2", "127.0.0.3"}
        wait_for(lambda: served.addresses("www.hello-web.com") == routed, "404 member out")
        assert "www.hello-web.com" in vips[2].seen  # it was asked with the record's Host
        assert "HTTP 404" in served.logs()

        vips[0].stop()
        stopped = time.monotonic()
        wait_for(lambda: served.addresses("www.hello-web.com") == {"127.0.0.3"}, "stopped member out", 10)
        elapsed = time.monotonic() - stopped
        assert elapsed <= INTERVAL * FALL + 1.0, elapsed

        change = [c for c in store.list_changes(limit=1000) if c.action == "health.down"][-1]
        assert change.subject == "istio/127.0.0.2/www.hello-web.com" and change.actor == "health"
        assert change.zones[0].removed == (("www.hello-web.com", "A", 30, "127.0.0.2"),)

        vips[1].stop()  # nothing healthy is left: fail open, all answered, loudly
        wait_for(lambda: served.addresses("www.hello-web.com") == ALL, "fail open", 10)
        wait_for(lambda: "no healthy member for www.hello-web.com" in served.logs(), "the WARNING")
        assert "WARNING" in served.logs()

        vips[0].start()  # back (rise 1): only the healthy one answers again
        wait_for(lambda: served.addresses("www.hello-web.com") == {"127.0.0.2"}, "member back", 10)
        assert [c.action for c in store.list_changes(limit=1000)][-1] == "health.up"
    finally:
        served.close()
