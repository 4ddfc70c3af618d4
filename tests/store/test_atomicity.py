"""A change that fails part-way writes nothing: no rows, no serial bump, no change row.

The failure is real, not simulated: a trigger in the database refuses the ``change_zones`` row
of one zone, which the store inserts last, after the record rows and the serial bump.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from dnsd.domain.pools import Pool
from dnsd.domain.zones import Zone
from dnsd.store.engine import normalize_url
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import ACTOR, ZONE, ZONE2, put

POOL = "istio-ingressgateway"


def _install(engine: Engine, zone: str) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_zone BEFORE INSERT ON change_zones "
                    f"WHEN NEW.zone = '{zone}' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION refuse_zone() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by test trigger'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_zone BEFORE INSERT ON change_zones FOR EACH ROW "
                f"WHEN (NEW.zone = '{zone}') EXECUTE FUNCTION refuse_zone()"
            )
        )


def _remove(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS refuse_zone"))
        else:  # the PostgreSQL database is shared by the session's tests: leave it clean
            conn.execute(text("DROP TRIGGER IF EXISTS refuse_zone ON change_zones"))
            conn.execute(text("DROP FUNCTION IF EXISTS refuse_zone()"))


class Refuse:
    """``refuse(zone)`` makes the database fail any change that touches ``zone``; ``lift()`` ends it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, zone: str) -> None:
        _install(self.engine, zone)

    def lift(self) -> None:
        _remove(self.engine)


@pytest.fixture
def refuse(db_url: str) -> Iterator[Refuse]:
    engine = create_engine(normalize_url(db_url))
    yield Refuse(engine)
    _remove(engine)
    engine.dispose()


def state(store: ZoneStore) -> tuple[int, dict[str, int], list[str], list[Pool]]:
    rrsets, _ = store.list_rrsets(RecordFilter(), limit=1000)
    return (
        store.last_change_id(),
        {z.name: z.serial for z in store.list_zones()},
        [repr(r) for r in rrsets],
        store.list_pools(),
    )


def test_failed_put_leaves_no_record_no_serial_no_change(
    store: ZoneStore, zone: Zone, refuse: Refuse
) -> None:
    put(store, "a.hello-web.com")
    before = state(store)
    refuse(ZONE)
    with pytest.raises(DBAPIError, match="refused by test trigger"):
        put(store, "www.hello-web.com")
    with pytest.raises(DBAPIError):
        put(store, "a.hello-web.com", values=["192.0.2.99"])  # a replace, too
    assert state(store) == before


def test_failed_pool_update_bumps_no_zone(
    store: ZoneStore, zone: Zone, zone2: Zone, pool: Pool, refuse: Refuse
) -> None:
    put(store, "www.hello-web.com", pool=POOL)
    put(store, "www.wudebao-web.com", pool=POOL)
    before = state(store)
    refuse(ZONE2)  # hello-web.com's change_zones row goes in first and succeeds; then this fails
    with pytest.raises(DBAPIError):
        store.update_pool(POOL, ACTOR, addresses=["10.0.0.9"])
    assert state(store) == before
    assert store.get_pool(POOL) == pool


def test_failed_delete_keeps_the_record(store: ZoneStore, zone: Zone, refuse: Refuse) -> None:
    rid = put(store, "www.hello-web.com").rrset.id
    assert rid is not None
    before = state(store)
    refuse(ZONE)
    with pytest.raises(DBAPIError):
        store.delete_rrset(rid, ACTOR)
    with pytest.raises(DBAPIError):
        store.delete_zone(ZONE, ACTOR, force=True)
    assert state(store) == before


def test_the_store_works_after_a_failed_change(
    store: ZoneStore, zone: Zone, refuse: Refuse, db_url: str
) -> None:
    refuse(ZONE)
    with pytest.raises(DBAPIError):
        put(store, "www.hello-web.com")
    refuse.lift()
    result = put(store, "www.hello-web.com")
    assert result.created
    assert store.get_zone(ZONE).serial == result.serial
    assert store.list_changes()[-1].subject == "www.hello-web.com/A"
