from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.steering.vips import Vip, free_port

ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.fixture
def vip_port() -> int:
    return free_port(ADDRESSES)


@pytest.fixture
def vips(vip_port: int) -> Iterator[list[Vip]]:
    """Three VIPs on one port: 127.0.0.2 and .3 route every host, .4 routes none (404)."""
    started = [
        Vip("127.0.0.2", vip_port).start(),
        Vip("127.0.0.3", vip_port).start(),
        Vip("127.0.0.4", vip_port, routes=set()).start(),
    ]
    yield started
    for vip in started:
        vip.stop()
