"""Fixtures of the operations tests: unmigrated databases, a second backend for round trips,
and a store holding a bit of everything."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dnsd.domain.pools import make_pool
from dnsd.domain.records import RRset, make_rrset
from dnsd.store.engine import make_engine, normalize_url
from dnsd.store.schema import metadata
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import Dnsd
from tests.conftest import BACKENDS, PG_ADMIN_URL

ACTOR = "test:ops"
OWNER = "ci:pipeline-42"


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database that exists but was never migrated (SQLite file, or a new PG database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("postgres_database")  # skips (or fails) like the shared fixtures
    admin = create_engine(normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"dnsd_ops_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield normalize_url(PG_ADMIN_URL).rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def new_sqlite_url(tmp_path: Path, sqlite_template: Path) -> Callable[[], str]:
    """Makes more migrated SQLite databases, besides ``db_url``/``store``."""

    def make() -> str:
        path = tmp_path / f"other-{uuid.uuid4().hex[:6]}.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"

    return make


@pytest.fixture
def sqlite_url(new_sqlite_url: Callable[[], str]) -> str:
    return new_sqlite_url()


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The session's PostgreSQL database, emptied (as ``db_url`` does for its PG half)."""
    engine = create_engine(postgres_database)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return postgres_database


def open_store(url: str) -> ZoneStore:
    return ZoneStore(make_engine(url))


def rr(name: str, rtype: str = "A", values: list[str] | None = None, **kw: object) -> RRset:
    """A validated RRset; literal 192.0.2.1 unless ``values`` or ``pool`` is given."""
    pool = kw.get("pool")
    if values is None and pool is None:
        values = ["192.0.2.1"]
    ttl = kw.get("ttl", 300)
    owner = kw.get("owner", OWNER)
    assert isinstance(ttl, int) and isinstance(owner, str) and (pool is None or isinstance(pool, str))
    return make_rrset(name, rtype, ttl, owner, values, pool)


def seed_basic(store: ZoneStore) -> None:
    """Two zones and two pools, as the demo has them."""
    for zone in ("hello-web.com", "wudebao-web.com"):
        store.create_zone(make_zone(zone, [f"ns1.{zone}", f"ns2.{zone}"]), ACTOR)
    store.create_pool(make_pool("istio-ingressgateway", ["10.0.0.10", "fd00::10"]), ACTOR)
    store.create_pool(make_pool("legacy-ingress", ["10.0.1.10"]), ACTOR)


@pytest.fixture
def dnsd(db_url: str) -> Dnsd:
    """The real ``dnsd`` command on ``db_url`` (both backends)."""
    return Dnsd(db_url)
