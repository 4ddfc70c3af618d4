"""``dnsd serve-dns`` as a process of its own (one process, and SO_REUSEPORT workers)."""

from __future__ import annotations

import pytest

from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, dig
from tests.e2e.live import start_serve_dns, stop, wait_for, write


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_dns_command(zone_store: ZoneStore, db_url: str, workers: int) -> None:
    proc, port = start_serve_dns(db_url, "--workers", str(workers))
    try:
        for _ in range(2 * workers):  # several source ports: the kernel spreads them over workers
            out = dig(port, f"www.{ZONE}")
            assert out.status == "NOERROR" and "aa" in out.flags
            assert sorted(r[4] for r in out.records()) == ["10.0.0.1", "10.0.0.2"]
            assert dig(port, f"www.{ZONE}", "+tcp").status == "NOERROR"
        write(db_url, "put", f"cli.{ZONE}", "A", "10.7.7.7")
        for _ in range(2 * workers):
            wait_for(
                lambda: [r[4] for r in dig(port, f"cli.{ZONE}").records()] == ["10.7.7.7"], what="change"
            )
    finally:
        code = stop(proc)
    assert code == 0
