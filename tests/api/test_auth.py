"""Bearer tokens and scopes: 401 without a valid token, 403 outside scope, dev mode."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from api.app import create_app
from dnsd.config import Settings
from dnsd.store.engine import normalize_url
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record, seed


@pytest.fixture
def seeded(admin: TestClient) -> TestClient:
    seed(admin)
    assert (
        admin.post("/zones", json={"name": "sub.hello-web.com", "ns": ["ns1.hello-web.com"]}).status_code
        == 201
    )
    return admin


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def writes_of_everything(client: TestClient, record_id: int) -> dict[str, int]:
    """Status of one attempt at every kind of change (each would succeed for an admin)."""
    return {
        "post record": client.post("/records", json=record("new.hello-web.com")).status_code,
        "patch record": client.patch(f"/records/{record_id}", json={"ttl": 7}).status_code,
        "delete record": client.delete(f"/records/{record_id}").status_code,
        "delete by name": client.delete("/records", params={"name": "www.hello-web.com"}).status_code,
        "post zone": client.post("/zones", json={"name": "z.com", "ns": ["ns.z.com"]}).status_code,
        "patch zone": client.patch("/zones/hello-web.com", json={"minimum": 5}).status_code,
        "delete zone": client.delete("/zones/wudebao-web.com").status_code,
        "post pool": client.post("/pools", json={"name": "p", "addresses": ["10.1.1.1"]}).status_code,
        "patch pool": client.patch("/pools/legacy-ingress", json={"addresses": ["10.1.1.2"]}).status_code,
        "delete pool": client.delete("/pools/legacy-ingress").status_code,
    }


def reads(client: TestClient) -> dict[str, int]:
    paths = ("/records", "/records/1", "/zones", "/zones/hello-web.com", "/pools", "/pools/legacy-ingress",
             "/changes")  # fmt: skip
    return {path: client.get(path).status_code for path in paths}


def test_no_or_bad_token_is_401_and_writes_nothing(
    seeded: TestClient, anon: TestClient, store: ZoneStore
) -> None:
    rid = seeded.post("/records", json=record("www.hello-web.com")).json()["id"]
    changes = len(seeded.get("/changes").json()["items"])
    _, revoked = store.create_token("old", "write")
    store.revoke_token("old")
    for headers in ({}, bearer("dnsd_not-a-token"), bearer(revoked), {"Authorization": "Basic dXNlcjpwdw=="}):
        anon.headers.clear()
        anon.headers.update(headers)
        assert set(reads(anon).values()) == {401}
        assert set(writes_of_everything(anon, rid).values()) == {401}
        r = anon.get("/records")
        assert r.headers["www-authenticate"] == "Bearer"
        assert "token" in r.json()["detail"]["message"]
    assert len(seeded.get("/changes").json()["items"]) == changes
    assert anon.get("/healthz").status_code == 200 and anon.get("/readyz").status_code == 200


def test_read_token_reads_but_never_writes(seeded: TestClient, anon: TestClient, store: ZoneStore) -> None:
    rid = seeded.post("/records", json=record("www.hello-web.com")).json()["id"]
    changes = len(seeded.get("/changes").json()["items"])
    anon.headers.update(bearer(store.create_token("viewer", "read")[1]))
    assert set(reads(anon).values()) == {200}
    denied = writes_of_everything(anon, rid)
    assert set(denied.values()) == {403}, denied
    assert "read-only" in anon.post("/records", json=record("x.hello-web.com")).json()["detail"]["message"]
    assert len(seeded.get("/changes").json()["items"]) == changes


def test_zone_scoped_write_token(seeded: TestClient, anon: TestClient, store: ZoneStore) -> None:
    anon.headers.update(bearer(store.create_token("ci", "write", ["Hello-Web.com"])[1]))
    other = seeded.post("/records", json=record("www.wudebao-web.com")).json()["id"]

    r = anon.post("/records", json=record("pr-1.hello-web.com"))
    assert r.status_code == 201, r.text
    mine = r.json()["id"]
    assert anon.patch(f"/records/{mine}", json={"ttl": 30}).status_code == 200
    change = seeded.get("/changes", params={"owner": "ci:pipeline-42"}).json()["items"][-1]
    assert change["actor"] == "token:ci" and change["subject"] == "pr-1.hello-web.com/A"

    # Outside its zone, including a sub-zone of it (longest match), and anything admin-only.
    assert anon.post("/records", json=record("pr-1.wudebao-web.com")).status_code == 403
    assert anon.post("/records", json=record("pr-1.sub.hello-web.com")).status_code == 403
    assert anon.patch(f"/records/{other}", json={"ttl": 30}).status_code == 403
    assert anon.delete(f"/records/{other}").status_code == 403
    assert anon.delete("/records", params={"name": "www.wudebao-web.com"}).status_code == 403
    assert anon.post("/zones", json={"name": "z.com", "ns": ["ns.z.com"]}).status_code == 403
    assert anon.patch("/pools/legacy-ingress", json={"addresses": ["10.1.1.2"]}).status_code == 403
    assert anon.delete("/zones/hello-web.com", params={"force": True}).status_code == 403
    assert seeded.get(f"/records/{other}").json()["ttl"] == 300
    assert seeded.get("/zones/hello-web.com").status_code == 200

    # A name in no zone: the store's 404 says which zone is missing.
    assert anon.post("/records", json=record("www.elsewhere.org")).status_code == 404
    assert anon.delete("/records", params={"name": "pr-1.hello-web.com"}).status_code == 200
    assert set(reads(anon).values()) == {200}


def test_dev_mode_needs_no_token_and_warns(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dnsd.api"):
        app = create_app(Settings(database_url=db_url, auth_disabled=True))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "dnsd.api"]
    assert len(warnings) == 1 and "AUTHENTICATION IS DISABLED" in warnings[0].getMessage()
    with TestClient(app) as client:
        seed(client)
        assert client.post("/records", json=record("www.hello-web.com")).status_code == 201
        actors = {c["actor"] for c in client.get("/changes").json()["items"]}
        assert actors == {"dev"}


def test_no_warning_with_auth(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dnsd.api"):
        create_app(Settings(database_url=db_url, auth_disabled=False))
    assert [r for r in caplog.records if r.name == "dnsd.api"] == []


def test_expired_token_is_401_naming_the_expiry(anon: TestClient, store: ZoneStore, db_url: str) -> None:
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    _, secret = store.create_token("ci", "write", expires_at=when)
    anon.headers.update(bearer(secret))
    r = anon.get("/token")
    assert r.status_code == 200, r.text
    assert r.json() == {"name": "ci", "scope": "write", "zones": [], "created_at": r.json()["created_at"],
                        "expires_at": when.isoformat().replace("+00:00", "Z")}  # fmt: skip
    assert anon.get("/zones").status_code == 200
    engine = create_engine(normalize_url(db_url))
    with engine.begin() as conn:  # the expiry passes
        conn.execute(text("UPDATE api_tokens SET expires_at = :t"), {"t": dt.datetime(2026, 1, 2, 3, 4, 5)})
    engine.dispose()
    for r in (
        anon.get("/zones"),
        anon.get("/token"),
        anon.post("/records", json=record("www.hello-web.com")),
    ):
        assert r.status_code == 401, r.text
        assert r.json() == {"detail": {"message": "token ci expired at 2026-01-02T03:04:05Z"}}


def test_own_token_in_dev_mode_is_the_dev_admin(db_url: str) -> None:
    with TestClient(create_app(Settings(database_url=db_url, auth_disabled=True))) as dev:
        assert dev.get("/token").json() == {
            "name": "dev", "scope": "write", "zones": [], "created_at": None, "expires_at": None
        }  # fmt: skip
