"""Live changes: data changed by another process shows up in DNS within a bounded wait, on
SQLite and PostgreSQL; and serve-stale: an unreachable database does not stop the answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import dns.rcode
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from dnsd.store.engine import make_engine, normalize_url
from dnsd.store.migrate import upgrade
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, ServerThread, populate, server_settings, udp
from tests.e2e.live import wait_for, write


def addresses(port: int, name: str, rtype: str = "A") -> set[str]:
    msg = udp(port, name, rtype)
    return {r.to_text() for rrset in msg.answer for r in rrset if rrset.rdtype in (1, 28)}


def test_record_written_by_another_process_is_answered(dns_server: ServerThread, db_url: str) -> None:
    port = dns_server.port
    assert udp(port, f"new.{ZONE}").rcode() == dns.rcode.NXDOMAIN  # now cached
    write(db_url, "put", f"new.{ZONE}", "A", "10.9.0.1")
    wait_for(lambda: addresses(port, f"new.{ZONE}") == {"10.9.0.1"}, what="new record answered")
    write(db_url, "put", f"new.{ZONE}", "A", "10.9.0.2", "10.9.0.3")
    wait_for(lambda: addresses(port, f"new.{ZONE}") == {"10.9.0.2", "10.9.0.3"}, what="record replaced")
    write(db_url, "delete", f"new.{ZONE}")
    wait_for(lambda: udp(port, f"new.{ZONE}").rcode() == dns.rcode.NXDOMAIN, what="record gone")


def test_pool_change_by_another_process_changes_every_answer(dns_server: ServerThread, db_url: str) -> None:
    port = dns_server.port
    assert addresses(port, f"www.{ZONE}") == {"10.0.0.1", "10.0.0.2"}
    write(db_url, "pool", "istio-ingressgateway", "10.0.0.7", "fd00::7")
    wait_for(lambda: addresses(port, f"www.{ZONE}") == {"10.0.0.7"}, what="pool change answered")
    assert addresses(port, f"www.{ZONE}", "AAAA") == {"fd00::7"}


def test_zone_created_by_another_process(dns_server: ServerThread, db_url: str) -> None:
    port = dns_server.port
    assert udp(port, "fresh.test", "SOA").rcode() == dns.rcode.REFUSED
    write(db_url, "zone", "fresh.test", "ns1.fresh.test")
    wait_for(lambda: udp(port, "fresh.test", "SOA").rcode() == dns.rcode.NOERROR, what="new zone served")
    state = dns_server.server.state if dns_server.server else None
    assert state is not None and state.ready and state.db_ok and state.cursor > 0
    assert state.as_dict()["zones"] == 4


@pytest.fixture
def own_database(db_url: str) -> Iterator[str]:
    """A database only this test uses, so it can be made unreachable: a SQLite file in a
    directory of its own, or a PostgreSQL database of its own (dropped at the end)."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///")).parent / "stale" / "dnsd.db"
        path.parent.mkdir()
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    admin_url = normalize_url(db_url).rsplit("/", 1)[0] + "/postgres"
    name = f"dnsd_stale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Outage:
    """Makes ``url``'s database unreachable and reachable again."""

    def __init__(self, url: str) -> None:
        self.url = url

    def begin(self) -> None:
        if self.url.startswith("sqlite"):
            folder = Path(self.url.removeprefix("sqlite:///")).parent
            folder.rename(folder.with_name("stale-gone"))
            return
        self._pg(False)

    def end(self) -> None:
        if self.url.startswith("sqlite"):
            folder = Path(self.url.removeprefix("sqlite:///")).parent
            folder.with_name("stale-gone").rename(folder)
            return
        self._pg(True)

    def _pg(self, allow: bool) -> None:
        base, name = self.url.rsplit("/", 1)
        admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}'))
            if not allow:
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                    {"n": name},
                )
        admin.dispose()


def test_serve_stale_while_the_database_is_unreachable(own_database: str) -> None:
    # NullPool: every poll opens a fresh connection, as after a database restart.
    engine = make_engine(own_database, poolclass=NullPool)
    store = ZoneStore(engine)
    populate(store)
    thread = ServerThread(server_settings(own_database), store).start()
    outage = Outage(own_database)
    try:
        assert thread.server is not None
        state, port = thread.server.state, thread.port
        assert addresses(port, f"www.{ZONE}") == {"10.0.0.1", "10.0.0.2"}
        outage.begin()
        wait_for(lambda: not state.db_ok, what="database failure noticed")
        assert state.last_error and state.ready
        ready, reason = state.readiness()
        assert ready and "database unreachable" in reason
        for _ in range(3):  # cached, never-asked (full path) and negative answers all keep coming
            assert addresses(port, f"www.{ZONE}") == {"10.0.0.1", "10.0.0.2"}
            assert addresses(port, f"www.{ZONE}", "AAAA") == {"fd00::1"}
            assert udp(port, f"mx.{ZONE}").answer
            assert udp(port, f"nope.{ZONE}").rcode() == dns.rcode.NXDOMAIN
        outage.end()
        wait_for(lambda: state.db_ok, timeout=60, what="database recovery noticed")
        write(own_database, "put", f"after.{ZONE}", "A", "10.9.9.9")
        wait_for(lambda: addresses(port, f"after.{ZONE}") == {"10.9.9.9"}, what="changes flow again")
    finally:
        thread.stop()
        engine.dispose()


def test_record_registered_through_the_api_in_another_process(dns_server: ServerThread, db_url: str) -> None:
    """The issue's acceptance path: POST /records to the API process -> the DNS answer changes."""
    import httpx

    from tests.e2e.live import start_api, stop

    _token, secret = dns_server.store.create_token("e2e-live", "write")
    api, base = start_api(db_url)
    port = dns_server.port
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
            body = {"name": f"api.{ZONE}", "type": "A", "values": ["10.6.0.1"], "owner": "ci:e2e-api"}
            assert client.post("/records", json=body).status_code == 201
            wait_for(lambda: addresses(port, f"api.{ZONE}") == {"10.6.0.1"}, what="API record answered")
            patch = client.patch("/pools/istio-ingressgateway", json={"addresses": ["10.0.0.42"]})
            assert patch.status_code == 200, patch.text
            wait_for(lambda: addresses(port, f"www.{ZONE}") == {"10.0.0.42"}, what="pool change answered")
            deleted = client.delete("/records", params={"name": f"api.{ZONE}", "owner": "ci:e2e-api"})
            assert deleted.status_code == 200, deleted.text
            wait_for(lambda: udp(port, f"api.{ZONE}").rcode() == dns.rcode.NXDOMAIN, what="API delete")
    finally:
        stop(api)


def test_readiness_for_the_api(dns_server: ServerThread) -> None:
    assert dns_server.server is not None
    state = dns_server.server.state
    assert state.readiness() == (True, "ok")
    assert state.as_dict()["ready"] is True and state.as_dict()["db_ok"] is True
