"""`dnsd k8s apply --server` through the real HTTP API, and the API's /k8s routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.plan import Problem
from dnsd.domain.records import make_rrset
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, live_server
from tests.k8s.conftest import MANIFESTS, dnsd

MAPPING = {"kind": "gateway", "key": "istio=ingressgateway", "pool": "istio-ingressgateway"}


@pytest.fixture
def api_url(db_url: str, seeded: ZoneStore) -> Iterator[str]:
    with live_server(create_app(Settings(database_url=db_url))) as url:
        yield url


def names(store: ZoneStore) -> set[tuple[str, str, str]]:
    items, _ = store.list_rrsets(RecordFilter(), limit=1000)
    return {(r.name, r.rtype, r.owner) for r in items}


def test_apply_through_the_api(db_url: str, seeded: ZoneStore, api_url: str) -> None:
    _, admin = seeded.create_token("platform", "write")
    _, ci = seeded.create_token("ci-hello", "write", zones=["hello-web.com", "wudebao-web.com"])
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        assert client.post("/k8s/mappings", json=MAPPING, headers=bearer(admin)).status_code == 200
    server = ("--server", api_url, "--token", ci)
    dry = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--dry-run", *server)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert names(seeded) == set()
    applied = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), *server)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Plan: 4 to create" in applied.stdout
    assert {(n, t) for n, t, _ in names(seeded)} == {
        (n, t) for n in ("www.hello-web.com", "www.wudebao-web.com") for t in ("A", "AAAA")
    }
    again = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), *server)
    assert again.returncode == 0 and "4 unchanged" in again.stdout
    assert [c.actor for c in seeded.list_changes() if c.action == "record.create"] == ["token:ci-hello"] * 4


def test_apply_through_the_api_reports_a_409_holder(db_url: str, seeded: ZoneStore, api_url: str) -> None:
    seeded.put_rrset(make_rrset("www.hello-web.com", "A", 60, "user:alice", ["10.7.7.7"]), "test")
    _, token = seeded.create_token("ci", "write")
    mapping = MANIFESTS.parent / "mapping.yaml"
    result = dnsd(
        db_url, "k8s", "apply", "-f", str(MANIFESTS / "hello-web"), "--mapping", str(mapping),
        "--server", api_url, "--token", token,
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        "! conflict k8s:default/virtualservice/hello-web www.hello-web.com: name: held by user:alice"
        in result.stdout
    )
    assert ("www.hello-web.com", "A", "user:alice") in names(seeded)


def test_apply_with_a_bad_token_fails_clearly(db_url: str, seeded: ZoneStore, api_url: str) -> None:
    result = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--server", api_url, "--token", "nope")
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr


def test_k8s_routes(db_url: str, seeded: ZoneStore) -> None:
    _, admin = seeded.create_token("platform", "write")
    _, reader = seeded.create_token("viewer", "read")
    K8sOps(seeded.engine).replace_problems(
        ["k8s:"], [Problem("k8s:a/service/x", "name", "held by user:b", "x.hello-web.com", "user:b")]
    )
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        assert client.post("/k8s/mappings", json=MAPPING, headers=bearer(reader)).status_code == 403
        unknown = client.post("/k8s/mappings", json={**MAPPING, "pool": "nope"}, headers=bearer(admin))
        assert unknown.status_code == 404
        bad = client.post(
            "/k8s/mappings", json={"kind": "gateway", "key": "x", "pool": "P!"}, headers=bearer(admin)
        )
        assert bad.status_code == 422
        assert {tuple(d["loc"][-1:]) for d in bad.json()["detail"]} == {("key",), ("pool",)}
        assert client.post("/k8s/mappings", json=MAPPING, headers=bearer(admin)).json() == MAPPING
        assert client.get("/k8s/mappings", headers=bearer(reader)).json() == {"items": [MAPPING]}
        problems = client.get("/k8s/problems", headers=bearer(reader)).json()["items"]
        assert [(p["kind"], p["holder"]) for p in problems] == [("conflict", "user:b")]
        params = {"kind": "gateway", "key": "istio=ingressgateway"}
        assert client.delete("/k8s/mappings", params=params, headers=bearer(admin)).status_code == 204
        assert client.delete("/k8s/mappings", params=params, headers=bearer(admin)).status_code == 404
        assert client.get("/k8s/mappings", headers=bearer(reader)).json() == {"items": []}
