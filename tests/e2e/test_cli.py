"""``dnsd serve-dns`` as a process of its own (one process, and SO_REUSEPORT workers)."""

from __future__ import annotations

import socket
import time

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


def test_workers_send_one_notify_per_change(zone_store: ZoneStore, db_url: str) -> None:
    """With --workers 2 only worker 0 sends NOTIFY: one packet per change for the group (each
    worker sent its own before)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as secondary:
        secondary.bind(("127.0.0.1", 0))
        secondary.settimeout(0.2)
        zone_store.update_zone(ZONE, "test", secondaries=[f"127.0.0.1:{secondary.getsockname()[1]}"])
        proc, port = start_serve_dns(db_url, "--workers", "2")
        try:
            for _ in range(4):  # both workers are serving (several source ports reach both)
                assert dig(port, f"www.{ZONE}").status == "NOERROR"
            write(db_url, "put", f"notify.{ZONE}", "A", "10.7.7.8")
            senders: list[tuple[str, int]] = []
            deadline = time.monotonic() + 4.0  # an answered NOTIFY is not repeated; retries start at 1 s
            while time.monotonic() < deadline:
                try:
                    data, sender = secondary.recvfrom(4096)
                except TimeoutError:
                    continue
                assert (data[2] >> 3) & 0xF == 4  # opcode NOTIFY
                senders.append(sender)
                secondary.sendto(data[:2] + bytes([data[2] | 0x84, 0]) + data[4:], sender)  # NOERROR
        finally:
            code = stop(proc)
    assert len(senders) == 1, senders
    assert code == 0
