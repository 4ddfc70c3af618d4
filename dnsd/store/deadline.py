"""A client-side deadline for PostgreSQL: a server that stops answering cannot hold a caller.

``statement_timeout`` is enforced by the server, so it does nothing when the server itself hangs
(stopped, swapping, its disk stuck) while its kernel still accepts our bytes: a query on an
open, pooled connection would then wait forever. Here every statement, and the liveness ping
each pooled connection gets when it is checked out, runs under a deadline; one watchdog thread
shuts down the socket of a connection that passes it. The driver's blocked read then fails at
once ("server closed the connection"), SQLAlchemy discards the connection, and the store
reports :class:`~dnsd.domain.errors.StoreUnavailable` (503). The deadline is set above the
server's own ``statement_timeout``, so a statement that is merely slow is cancelled by the
server first and the watchdog acts only on a server that no longer answers at all.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

log = logging.getLogger("dnsd.store")


class Watchdog:
    """Deadlines for DB-API connections, checked by one daemon thread started on first use."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._armed: dict[int, tuple[float, Any]] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, dbapi_conn: Any) -> None:
        with self._cond:
            self._armed[id(dbapi_conn)] = (time.monotonic() + self.seconds, dbapi_conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="dnsd-db-deadline", daemon=True)
                self._thread.start()
            self._cond.notify()

    def disarm(self, dbapi_conn: Any) -> None:
        with self._cond:
            self._armed.pop(id(dbapi_conn), None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [conn for deadline, conn in self._armed.values() if deadline <= now]
                for conn in due:
                    del self._armed[id(conn)]
                if not due:
                    nearest = min((d for d, _ in self._armed.values()), default=now + 60)
                    self._cond.wait(max(nearest - now, 0.01))
            for conn in due:
                sever(conn, self.seconds)


def sever(dbapi_conn: Any, seconds: float) -> None:
    """Shut down the connection's socket so the read blocked on it fails now."""
    try:
        with socket.socket(fileno=dbapi_conn.fileno()) as sock:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.detach()  # the driver owns the descriptor; it closes it itself
    except Exception as exc:  # noqa: BLE001 - closed meanwhile (the driver raises its own error): nothing waits
        log.debug("could not shut down a database connection past its deadline: %s", exc)
        return
    log.warning("the database did not answer within %.1f s: connection closed", seconds)


def install_deadline(engine: Engine, seconds: float) -> None:
    """Run every statement of ``engine`` and a ping at every pool checkout under ``seconds``."""
    watchdog = Watchdog(seconds)

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: Any, _cursor: Any, _statement: Any, _params: Any, _context: Any, _many: Any) -> None:
        watchdog.arm(conn.connection.dbapi_connection)

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn: Any, _cursor: Any, _statement: Any, _params: Any, _context: Any, _many: Any) -> None:
        watchdog.disarm(conn.connection.dbapi_connection)

    @event.listens_for(engine, "handle_error")
    def _disarm_on_error(context: Any) -> None:
        if context.connection is not None and context.connection.connection.dbapi_connection is not None:
            watchdog.disarm(context.connection.connection.dbapi_connection)

    @event.listens_for(engine.pool, "checkout")
    def _ping(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        # pool_pre_ping's own ping has no deadline; this one does. DisconnectionError makes the
        # pool discard the connection and open a new one (bounded by connect_timeout).
        watchdog.arm(dbapi_conn)
        try:
            engine.dialect.do_ping(dbapi_conn)  # outside any transaction, as pool_pre_ping does
        except Exception as exc:
            raise DisconnectionError(f"database connection failed its ping: {exc}") from exc
        finally:
            watchdog.disarm(dbapi_conn)
