"""Engine setup for SQLite (embedded default) and PostgreSQL (production).

SQLite gets WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions
so two writers queue instead of failing on lock upgrade. Nothing connects until first use.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from dnsd.store.deadline import install_deadline

if TYPE_CHECKING:  # the store imports no settings machinery (tests/store/test_imports.py)
    from dnsd.config import Settings

WRITE_OPTION = "dnsd_write"
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def masked_url(url: str) -> str:
    """``url`` with any password masked, fit to print or log."""
    return _PASSWORD.sub(r"\1***@", url)


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def postgres_connect_args(connect_timeout: float, statement_timeout: float) -> dict[str, Any]:
    """libpq options that bound how long a PostgreSQL that hangs can hold a caller.

    ``connect_timeout`` covers a server that accepts TCP and never answers (libpq counts whole
    seconds, at least 2); ``statement_timeout`` makes the server cancel a statement (a lock
    wait included) that runs longer; ``tcp_user_timeout`` drops a connection whose data stays
    unacknowledged (the host went away mid-session). 0 turns a limit off.
    """
    args: dict[str, Any] = {}
    if connect_timeout > 0:
        args["connect_timeout"] = max(2, math.ceil(connect_timeout))
        args["tcp_user_timeout"] = math.ceil(connect_timeout * 1000)
    if statement_timeout > 0:
        args["options"] = f"-c statement_timeout={math.ceil(statement_timeout * 1000)}"
    return args


def make_engine(
    url: str,
    *,
    connect_timeout: float = 0,
    statement_timeout: float = 0,
    **kwargs: Any,
) -> Engine:
    """Create (but do not connect) the engine for ``url``.

    On PostgreSQL, connecting and each statement are bounded by the two timeouts (seconds, 0
    for none; see :func:`postgres_connect_args`), and so is the wait for a pooled connection,
    so a hung database makes callers fail (:class:`StoreUnavailable`) instead of waiting
    forever; with a statement timeout, a client-side deadline a little past it also covers a
    server that stops answering on an open connection (:mod:`dnsd.store.deadline`). SQLite
    waits up to 30 s for another writer's lock, as before.
    """
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_hooks(engine)
        return engine
    connect_args = postgres_connect_args(connect_timeout, statement_timeout) | kwargs.pop("connect_args", {})
    if connect_timeout > 0:
        kwargs.setdefault("pool_timeout", connect_timeout + statement_timeout)
    if statement_timeout <= 0:
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    # past the server's statement_timeout with room to spare: only a server that answers
    # nothing at all (not even the cancel) is cut off by the client
    install_deadline(engine, statement_timeout + max(connect_timeout, 2.0))
    return engine


def engine_from(settings: Settings, *, statement_timeout: bool = True) -> Engine:
    """:func:`make_engine` for ``settings.database_url`` with the settings' timeouts: what the
    serving processes use. Operator commands pass ``statement_timeout=False`` (a long import or
    restore is not a hang, and whoever runs it sees it run)."""
    return make_engine(
        settings.database_url,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout if statement_timeout else 0,
    )
