"""Probes, the 503 when the database is away, the body size limit, and the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.bodies import MAX_BODY
from dnsd.config import Settings
from dnsd.store.engine import make_engine
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, record, seed


@pytest.fixture
def away(tmp_path: Path) -> Iterator[TestClient]:
    """A dev-mode app whose database cannot be opened (its directory does not exist)."""
    url = f"sqlite:///{tmp_path}/missing/dnsd.db"
    with TestClient(create_app(Settings(database_url=url, auth_disabled=True))) as client:
        yield client


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_readyz_follows_the_ready_callback(db_url: str) -> None:
    state = {"ok": False}
    engine = make_engine(db_url)
    app = create_app(
        Settings(database_url="sqlite:////nonexistent/never-used.db"),
        store=ZoneStore(engine),
        ready=lambda: (state["ok"], "no DNS snapshot loaded yet"),
    )
    with TestClient(app) as client:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json() == {"detail": {"message": "no DNS snapshot loaded yet"}}
        assert client.get("/healthz").status_code == 200
        state["ok"] = True
        assert client.get("/readyz").status_code == 200
    engine.dispose()


def test_database_away_is_503_but_process_is_healthy(
    away: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    assert away.get("/healthz").status_code == 200
    r = away.get("/readyz")
    assert r.status_code == 503 and r.json() == {"detail": {"message": "database unavailable"}}
    assert "unable to open database" in caplog.text  # the detail is the operator's, in the log
    for response in (away.get("/records"), away.post("/records", json=record("www.hello-web.com"))):
        assert response.status_code == 503, response.text
        assert response.json()["detail"]["message"]


def test_unreachable_database_with_auth_is_503(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing/dnsd.db"
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/records", headers={"Authorization": "Bearer x"}).status_code == 503


def test_body_over_one_mebibyte_is_413_and_writes_nothing(admin: TestClient) -> None:
    seed(admin)
    big = record("big.hello-web.com", type="TXT", values=["x" * 200] * (MAX_BODY // 200))
    r = admin.post("/records", json=big)
    assert r.status_code == 413, r.text
    assert str(MAX_BODY) in r.json()["detail"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        data = json.dumps(big).encode()
        for i in range(0, len(data), 64 * 1024):
            yield data[i : i + 64 * 1024]

    r = admin.post("/records", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert admin.get("/records").json()["total"] == 0

    # Just under the limit the body reaches the route (and the domain judges it).
    padded = record("big.hello-web.com", type="TXT", values=["y"])
    padded["owner"] = "ci:" + "p" * (MAX_BODY - len(json.dumps(padded)) - 10)
    assert len(json.dumps(padded)) < MAX_BODY
    r = admin.post("/records", json=padded)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "owner"]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for path in ("/records", "/records/{record_id}", "/zones", "/zones/{name}", "/pools", "/pools/{name}",
                 "/changes", "/healthz", "/readyz"):  # fmt: skip
        assert path in doc["paths"], path
    post = doc["paths"]["/records"]["post"]
    assert {"200", "201", "401", "403", "404", "409", "422", "503"} <= set(post["responses"])
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200
