"""Store errors an operator meets: an unmigrated or outdated schema, an unreachable database, a
name in no zone, an over-long actor. Each is one clear message and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.errors import InvalidInput, NotFound, StoreUnavailable
from dnsd.store.base import SCHEMA_MISSING, DatabaseUnreachable, SchemaMissing
from dnsd.store.engine import normalize_url
from dnsd.store.migrate import upgrade
from dnsd.store.records import RecordFilter
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient
from tests.cli.conftest import Dnsd
from tests.ops.conftest import ACTOR, open_store, rr, seed_basic

UNREACHABLE = "postgresql://dnsd:hunter2-secret@127.0.0.1:1/dnsd"


def test_unmigrated_database_says_run_migrate(empty_db_url: str) -> None:
    store = open_store(empty_db_url)
    try:
        store.ping()  # the database itself answers
        with pytest.raises(SchemaMissing, match=f"^{SCHEMA_MISSING.replace('`', '.')}"):
            store.list_zones()
        with pytest.raises(SchemaMissing):
            store.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), ACTOR)
        with pytest.raises(SchemaMissing):
            store.load_state()
        with pytest.raises(SchemaMissing):
            store.check_schema()
    finally:
        store.engine.dispose()


def test_outdated_schema_says_run_migrate(empty_db_url: str) -> None:
    """A table from an older schema, lacking columns we read, counts as "outdated"."""
    engine = create_engine(normalize_url(empty_db_url))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE zones (id INTEGER PRIMARY KEY, name VARCHAR(253))"))
    engine.dispose()
    store = open_store(empty_db_url)
    try:
        with pytest.raises(SchemaMissing, match="run `dnsd migrate`"):
            store.list_zones()
        with pytest.raises(SchemaMissing):
            store.list_rrsets(RecordFilter())
        with pytest.raises(SchemaMissing):
            store.check_schema()
    finally:
        store.engine.dispose()


def test_unmigrated_database_through_cli_and_api(empty_db_url: str) -> None:
    run = Dnsd(empty_db_url)("zone", "list", expect=1)
    assert run.err.strip().splitlines() == [run.err.strip()]  # one line, no traceback, no hint
    assert run.err.startswith(f"error: {SCHEMA_MISSING}")
    err = Dnsd(empty_db_url).json("zone", "list", expect=1)
    assert err["error"] == "SchemaMissing" and "hint" not in err
    with TestClient(create_app(Settings(database_url=empty_db_url, auth_disabled=True))) as client:
        for path in ("/zones", "/readyz"):
            r = client.get(path)
            assert r.status_code == 503 and r.json()["detail"]["message"].startswith(SCHEMA_MISSING), path
        assert client.get("/healthz").status_code == 200


def test_migrate_of_an_unreachable_database_is_one_clear_line() -> None:
    with pytest.raises(DatabaseUnreachable) as caught:
        upgrade(UNREACHABLE)
    message = str(caught.value)
    assert isinstance(caught.value, StoreUnavailable) and "\n" not in message
    assert message.startswith("cannot reach the database postgresql://dnsd:***@127.0.0.1:1/dnsd: ")
    assert "hunter2" not in message
    run = Dnsd(UNREACHABLE)("migrate", expect=1)
    assert len(run.err.strip().splitlines()) == 1 and "hunter2" not in run.err
    assert run.err.startswith("error: cannot reach the database postgresql://dnsd:***@127.0.0.1:1/dnsd")


def test_migrate_of_an_unopenable_sqlite_file(tmp_path: pytest.TempPathFactory) -> None:
    url = f"sqlite:///{tmp_path}/no/such/dir/dnsd.db"
    run = Dnsd(url)("migrate", expect=1)
    assert run.err.strip() == f"error: cannot reach the database {url}: unable to open database file"


def test_unknown_zone_names_the_name(store: ZoneStore) -> None:
    store.check_schema()  # a migrated store passes
    seed_basic(store)
    with pytest.raises(NotFound) as caught:
        store.put_rrset(rr("www.x.org"), ACTOR)
    assert str(caught.value) == "no zone of ours contains www.x.org"
    assert (caught.value.kind, caught.value.key, caught.value.field) == ("zone", "www.x.org", "name")


def test_unknown_zone_through_the_api(db_url: str) -> None:
    with TestClient(create_app(Settings(database_url=db_url, auth_disabled=True))) as client:
        body = {"name": "www.x.org", "type": "A", "owner": "ci:a", "values": ["192.0.2.1"]}
        r = client.post("/records", json=body)
    assert r.status_code == 404
    assert r.json()["detail"] == {
        "message": "no zone of ours contains www.x.org", "kind": "zone", "key": "www.x.org", "field": "name"
    }  # fmt: skip


@pytest.mark.parametrize("actor", ["a" * 256, ""])
def test_actor_out_of_bounds_is_invalid_input(store: ZoneStore, actor: str) -> None:
    seed_basic(store)
    before = store.last_change_id()
    with pytest.raises(InvalidInput) as caught:
        store.put_rrset(rr("www.hello-web.com"), actor)
    assert [r.field for r in caught.value.reasons] == ["actor"]
    with pytest.raises(InvalidInput):
        store.create_zone(make_zone("other.org", ["ns1.other.org"]), actor)
    assert store.last_change_id() == before
    assert store.list_rrsets(RecordFilter())[1] == 0
    assert [z.name for z in store.list_zones()] == ["hello-web.com", "wudebao-web.com"]
    store.put_rrset(rr("www.hello-web.com"), "a" * 255)  # the longest allowed
    assert store.list_changes(newest_first=True, limit=1)[0].actor == "a" * 255


def test_newest_first(store: ZoneStore) -> None:
    seed_basic(store)
    for i in range(5):
        store.put_rrset(rr(f"r{i}.hello-web.com", owner=f"ci:{i % 2}"), ACTOR)
    everything = store.list_changes(limit=1000)
    newest = store.list_changes(limit=3, newest_first=True)
    assert [c.id for c in newest] == [c.id for c in everything[::-1][:3]]
    assert [c.subject for c in store.list_changes(owner="ci:0", limit=2, newest_first=True)] == [
        "r4.hello-web.com/A",
        "r2.hello-web.com/A",
    ]
    third = everything[2].id
    assert [c.id for c in store.list_changes(after_id=third, newest_first=True, limit=1000)] == [
        c.id for c in everything[:2:-1]
    ]


def test_cli_changes_shows_the_latest_in_commit_order(db_url: str) -> None:
    store = open_store(db_url)
    try:
        seed_basic(store)
        for i in range(4):
            store.put_rrset(rr(f"r{i}.hello-web.com"), ACTOR)
        ids = [c.id for c in store.list_changes(limit=1000)]
    finally:
        store.engine.dispose()
    shown = Dnsd(db_url).json("changes", "--limit", "3")
    assert [c["id"] for c in shown] == ids[-3:]
    assert [c["subject"] for c in shown] == [f"r{i}.hello-web.com/A" for i in (1, 2, 3)]
