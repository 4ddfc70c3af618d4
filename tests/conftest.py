"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL is the server at ``DNSD_TEST_POSTGRES_URL`` (default: the local one with trust auth).
Each pytest session makes its own database there and drops it at the end, so concurrent runs
do not meet. Where it cannot be reached the PostgreSQL half is skipped with the reason, unless
``DNSD_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text

from dnsd.store.engine import make_engine, normalize_url
from dnsd.store.migrate import upgrade
from dnsd.store.schema import metadata
from dnsd.store.zonestore import ZoneStore

# Properties check logic, not speed: on a loaded machine (two test processes on two cores)
# input generation and examples are slower, which must not fail a test.
settings.register_profile("dnsd", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("dnsd")

PG_ADMIN_URL = os.environ.get("DNSD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("DNSD_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# Where the store is not the subject (the CLI's parsing and printing, DNS on the wire, the k8s
# controller, DNSPod sync, the exporter), ``db_url`` runs on SQLite only: its PostgreSQL half
# is deselected. Everything else, and the store, the change feed, dump/restore, bulk, the API,
# transfers and the sync status store everywhere, keeps both backends.
SQLITE_ONLY = (
    "cli/",
    "k8s/",
    "serve/",
    "ops_server/",
    "e2e/test_answers.py",
    "e2e/test_protocol.py",
    "e2e/test_fuzz.py",
    "e2e/test_cli.py",
    "export/test_cli.py",
    "export/test_watch.py",
    "export/test_views_export.py",
    "sync/test_cli_sync.py",
    "sync/test_sync_dnspod.py",
    "sync/test_plan.py",
    "sync/test_watch.py",
    "sync/test_api_sync.py",
    "sync/test_status_and_scale.py::test_api_calls_of_a_sync_of_1000_records",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL half of ``db_url`` under :data:`SQLITE_ONLY` (paths under tests/,
    or a path and a test name)."""
    keep, dropped = [], []
    for item in items:
        where = item.nodeid.removeprefix("tests/")  # a path under tests/, then ::name[params]
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db_url") == "postgres"
        (dropped if on_postgres and where.startswith(SQLITE_ONLY) else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A migrated database of our own on the PostgreSQL server, dropped at the end."""
    admin_url = normalize_url(PG_ADMIN_URL)
    name = f"dnsd_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach it means "no PostgreSQL here"
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
        if REQUIRE_PG:
            pytest.fail(f"{message} (DNSD_REQUIRE_POSTGRES=1 forbids skipping)")
        pytest.skip(message)
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """URL of an empty, migrated database: a copied SQLite file, or the truncated PG database."""
    if request.param == "sqlite":
        path = tmp_path / "dnsd.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    _truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def store(db_url: str) -> Iterator[ZoneStore]:
    engine = make_engine(db_url)
    yield ZoneStore(engine)
    engine.dispose()
