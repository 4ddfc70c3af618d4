"""SQLite: wake the feed follower soon after any connection commits.

PostgreSQL tells the follower about a commit (LISTEN/NOTIFY, :mod:`dnsd.server.listen`). SQLite
has no such channel, so the follower would learn of a change only at its next poll
(``feed_poll_interval``, 0.1 s: 64 ms median from an API write to the answer,
``python -m bench.latency_scale``). ``PRAGMA data_version`` on a connection of our own changes
whenever another connection, in this process or another, commits; asking costs a few
microseconds (SQLite reads the WAL index in shared memory, no disk I/O), so the watcher asks
every :data:`INTERVAL` and wakes the follower when the value moves. Polling stays on as the
safety net: a watcher that cannot open the file only costs latency.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from sqlalchemy.engine import make_url

log = logging.getLogger("dnsd.feed")

INTERVAL = 0.01
"""Seconds between two looks at ``data_version``."""


def sqlite_path(database_url: str) -> str | None:
    """The file of a SQLite URL, or None (another database, or an in-memory one)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


async def watch_sqlite(database_url: str, wake: Callable[[], None], interval: float = INTERVAL) -> None:
    """Call ``wake()`` whenever the database at ``database_url`` has a new commit (checked every
    ``interval`` seconds) until cancelled; returns at once for anything but a SQLite file."""
    path = sqlite_path(database_url)
    if path is None:
        return
    try:
        # timeout 0: this runs on the DNS event loop, which must never wait for a lock (a
        # locked moment fails, is logged at debug level, and the next look or the poll covers it)
        conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        log.warning("cannot watch %s for commits (%s); polling only", path, exc)
        return
    try:
        seen = None
        while True:
            try:
                version = conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:  # locked or gone for a moment: the poll covers it
                log.debug("PRAGMA data_version failed: %s", exc)
            else:
                if seen is not None and version != seen:
                    wake()
                seen = version
            await asyncio.sleep(interval)
    finally:
        conn.close()
