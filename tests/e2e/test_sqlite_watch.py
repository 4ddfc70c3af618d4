"""SQLite has no NOTIFY: the server watches ``PRAGMA data_version`` and applies a commit made by
another connection without waiting for its next poll (dnsd/server/watch.py)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import dns.message
import dns.query
import pytest

from dnsd.server.watch import sqlite_path
from dnsd.store.engine import make_engine
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, ServerThread, populate, put, server_settings


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////var/lib/dnsd/dnsd.db", "/var/lib/dnsd/dnsd.db"),
        ("sqlite:///dnsd.db", "dnsd.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql://postgres@127.0.0.1:5432/test", None),
    ],
)
def test_only_a_sqlite_file_is_watched(url: str, path: str | None) -> None:
    assert sqlite_path(url) == path


def _answer(port: int, name: str) -> list[str]:
    reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=1.0)
    return sorted(rdata.to_text() for rrset in reply.answer for rdata in rrset)


def test_a_commit_from_another_process_is_served_before_the_next_poll(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "dnsd.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    server_store, writer = ZoneStore(make_engine(url)), ZoneStore(make_engine(url))
    populate(server_store)
    poll = 60.0  # the follower would not look on its own during this test
    thread = ServerThread(server_settings(url, feed_poll_interval=poll), server_store).start()
    try:
        name = f"watched.{ZONE}"
        assert _answer(thread.port, name) == []
        for i in range(3):  # each commit is seen, not only the first
            put(writer, "watched", "A", [f"10.9.0.{i}"])
            committed = time.monotonic()
            while _answer(thread.port, name) != [f"10.9.0.{i}"]:
                assert time.monotonic() - committed < 5.0, f"commit {i} not served in 5 s (poll: {poll} s)"
                time.sleep(0.005)
    finally:
        thread.stop()
        server_store.engine.dispose()
        writer.engine.dispose()
