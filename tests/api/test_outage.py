"""A database that is away or hung: the API answers 503 promptly and says no more than that.

The hung database is a real TCP listener that accepts connections and never answers; the
statement timeout is checked on the real PostgreSQL with a lock another real connection holds.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.errors import StoreUnavailable
from dnsd.store.base import WRITE_LOCK_KEY
from dnsd.store.engine import engine_from
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer
from tests.hung_db import FreezableProxy, proxied

UNAVAILABLE = {"detail": {"message": "database unavailable"}}


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A listener that accepts every connection and never sends a byte: a hung PostgreSQL."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def proxy(postgres_database: str) -> Iterator[tuple[FreezableProxy, str]]:
    """The proxy and the URL of the test database through it."""
    with proxied(postgres_database) as pair:
        yield pair


@pytest.mark.postgres
def test_postgres_that_stops_answering_on_open_connections_is_503_promptly(
    proxy: tuple[FreezableProxy, str],
) -> None:
    """The server-side statement_timeout cannot help when the server is stopped; the client's
    deadline (statement timeout + connect timeout) does, and the pool recovers afterwards."""
    relay, url = proxy
    settings = Settings(database_url=url, db_connect_timeout=2, db_statement_timeout=1, auth_disabled=True)
    store = ZoneStore(engine_from(settings))
    try:
        with TestClient(create_app(settings, store=store)) as client:
            assert client.get("/readyz").status_code == 200  # a pooled connection is now open
            relay.frozen.set()
            for path in ("/readyz", "/zones"):
                started = time.monotonic()
                r = client.get(path)
                elapsed = time.monotonic() - started
                assert r.status_code == 503 and r.json() == UNAVAILABLE, r.text
                assert elapsed < 10, f"{path} took {elapsed:.1f} s"
            relay.frozen.clear()
            assert client.get("/readyz").status_code == 200  # dead connections were discarded
    finally:
        store.engine.dispose()


def test_refused_postgres_503_names_no_host_or_port(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql://dnsd@127.0.0.1:{closed_port}/test"
    with TestClient(create_app(Settings(database_url=url))) as client:
        for path in ("/zones", "/readyz", "/records"):
            r = client.get(path, headers=bearer("dnsd_x"))
            assert r.status_code == 503, r.text
            assert r.json() == UNAVAILABLE
            assert str(closed_port) not in r.text and "127.0.0.1" not in r.text
    assert f"port {closed_port}" in caplog.text  # the operator still learns what failed


def test_hung_postgres_answers_503_within_the_connect_timeout(hung_port: int) -> None:
    settings = Settings(database_url=f"postgresql://dnsd@127.0.0.1:{hung_port}/test", db_connect_timeout=2)
    with TestClient(create_app(settings)) as client:
        for path in ("/readyz", "/zones"):
            started = time.monotonic()
            r = client.get(path, headers=bearer("dnsd_x"))
            elapsed = time.monotonic() - started
            assert r.status_code == 503 and r.json() == UNAVAILABLE, r.text
            assert elapsed < 6, f"{path} took {elapsed:.1f} s"
        assert client.get("/healthz").status_code == 200


def test_connect_timeout_is_configurable_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNSD_DB_CONNECT_TIMEOUT", "7")
    monkeypatch.setenv("DNSD_DB_STATEMENT_TIMEOUT", "1.5")
    settings = Settings()
    assert (settings.db_connect_timeout, settings.db_statement_timeout) == (7, 1.5)


@pytest.mark.postgres
def test_statement_timeout_frees_a_writer_stuck_behind_a_lock(postgres_database: str) -> None:
    """Another real connection holds the store's write lock; a write gives up after the limit."""
    holder = create_engine(postgres_database.replace("postgresql://", "postgresql+psycopg://", 1))
    store = ZoneStore(engine_from(Settings(database_url=postgres_database, db_statement_timeout=1)))
    try:
        with holder.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": WRITE_LOCK_KEY})
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="statement timeout"):
                store.create_zone(make_zone("stuck.example", ["ns1.stuck.example"]), "test")
            assert time.monotonic() - started < 4
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": WRITE_LOCK_KEY})
        with store.read() as session:  # the same pool serves again once the lock is gone
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        store.engine.dispose()
        holder.dispose()


@pytest.mark.postgres
def test_statement_timeout_bounds_a_slow_statement(postgres_database: str) -> None:
    store = ZoneStore(engine_from(Settings(database_url=postgres_database, db_statement_timeout=1)))
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable), store.read() as session:
            session.execute(text("SELECT pg_sleep(10)"))
        assert time.monotonic() - started < 4
    finally:
        store.engine.dispose()
