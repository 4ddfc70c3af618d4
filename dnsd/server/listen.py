"""PostgreSQL LISTEN: wake the feed follower the moment a change commits.

The store runs ``pg_notify('dnsd_changes', id)`` inside every write transaction, so the
notification arrives right after the commit. Polling stays on as the safety net: a lost
connection only costs latency, and after reconnecting we wake the follower once in case a
notification was missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger("dnsd.feed")

CHANNEL = "dnsd_changes"


def libpq_url(database_url: str) -> str | None:
    """The libpq form of a PostgreSQL SQLAlchemy URL, or None for other databases."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
        return None
    return "postgresql://" + rest


async def listen_for_changes(database_url: str, wake: Callable[[], None], max_backoff: float = 30.0) -> None:
    """Call ``wake()`` on every notification on :data:`CHANNEL`; reconnect forever on errors."""
    import psycopg  # only PostgreSQL deployments need it

    url = libpq_url(database_url)
    if url is None:
        return
    delay = 0.5
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                delay = 0.5
                wake()
                async for _notify in conn.notifies():
                    wake()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the database may be down: retry, poll meanwhile
            log.debug("LISTEN %s failed (%s); retrying in %.1fs", CHANNEL, exc, delay)
        await asyncio.sleep(delay)
        delay = min(max_backoff, delay * 2)
