"""``POST /records/bulk`` through the real app, the request size limit and the pagination caps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from api.app import create_app
from dnsd.config import Settings
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record, seed

MIB = 1024 * 1024


@pytest.fixture
def app(db_url: str) -> FastAPI:
    return create_app(Settings(database_url=db_url, auth_disabled=False))


@pytest.fixture
def admin(app: FastAPI, store: ZoneStore) -> Iterator[TestClient]:
    with TestClient(app, headers=bearer(store.create_token("admin", "write")[1])) as client:
        seed(client)
        yield client


def state(client: TestClient) -> tuple[int, list[dict[str, Any]], list[Any]]:
    """Changes, zones (serials) and records: what a refused batch must leave alone."""
    changes = client.get("/changes", params={"limit": 1000}).json()["items"]
    zones = client.get("/zones").json()["items"]
    records = client.get("/records", params={"limit": 1000}).json()["items"]
    return len(changes), zones, records


def test_bulk_writes_all_in_one_change(admin: TestClient) -> None:
    assert admin.post("/records", json=record("old.hello-web.com")).status_code == 201
    batch = [
        record("www.hello-web.com", pool="istio-ingressgateway"),
        record("old.hello-web.com"),
        record("mail.wudebao-web.com", type="MX", values=["10 mx.wudebao-web.com."]),
        record("old.hello-web.com", type="TXT", values=['"hello"']),
    ]
    r = admin.post("/records/bulk", json={"records": batch})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["dry_run"], body["created"], body["changed"], body["unchanged"]) == (False, 3, 0, 1)
    assert [(i["index"], i["outcome"], i["name"], i["type"]) for i in body["items"]] == [
        (0, "created", "www.hello-web.com", "A"), (1, "unchanged", "old.hello-web.com", "A"),
        (2, "created", "mail.wudebao-web.com", "MX"), (3, "created", "old.hello-web.com", "TXT"),
    ]  # fmt: skip
    zones = {z["name"]: z["serial"] for z in admin.get("/zones").json()["items"]}
    assert body["serials"] == zones
    changes = admin.get("/changes").json()["items"]
    assert [c["action"] for c in changes[-2:]] == ["record.create", "record.bulk"]
    assert changes[-1]["actor"] == "token:admin" and len(changes[-1]["zones"]) == 2
    for item in body["items"]:
        assert admin.get(f"/records/{item['id']}").json()["zone"] == item["zone"]


def test_422_lists_every_problem_of_every_item_and_writes_nothing(admin: TestClient) -> None:
    before = state(admin)
    batch: list[Any] = [
        record("fine.hello-web.com"),
        {"name": "x.hello-web.com", "type": "A", "owner": "ci:a", "values": ["192.0.2.1"], "tll": 5},
        record("bad..hello-web.com", type="MXX", ttl=-1),
        "not an object",
        record("www.not-ours.org"),
        record("fine.hello-web.com", values=["192.0.2.2"]),
        {"type": "A", "owner": "ci:a", "ttl": "soon"},
    ]
    r = admin.post("/records/bulk", json={"records": batch})
    assert r.status_code == 422, r.text
    locs = [d["loc"] for d in r.json()["detail"]]
    assert locs == [
        ["body", "records", 1, "tll"],
        ["body", "records", 2, "name"], ["body", "records", 2, "type"], ["body", "records", 2, "ttl"],
        ["body", "records", 3],
        ["body", "records", 4, "name"],
        ["body", "records", 5, "name"],
        ["body", "records", 6, "name"], ["body", "records", 6, "ttl"],
    ]  # fmt: skip
    messages = {tuple(d["loc"]): d["msg"] for d in r.json()["detail"]}
    assert messages["body", "records", 4, "name"] == "no zone of ours contains www.not-ours.org"
    assert messages["body", "records", 5, "name"] == "fine.hello-web.com/A is already at records.0"
    assert state(admin) == before


def test_409_lists_each_conflicting_item_and_writes_nothing(admin: TestClient) -> None:
    for name in ("a", "b"):
        body = record(f"{name}.hello-web.com", owner=f"user:{name}")
        assert admin.post("/records", json=body).status_code == 201
    before = state(admin)
    batch = [record("new.hello-web.com"), record("a.hello-web.com"), record("b.hello-web.com", type="TXT",
             values=['"t"'])]  # fmt: skip
    r = admin.post("/records/bulk", json={"records": batch})
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert detail["holder"] == "user:a" and "a.hello-web.com is held by user:a" in detail["message"]
    assert detail["conflicts"] == [
        {"index": 1, "loc": ["body", "records", 1, "name"], "name": "a.hello-web.com", "type": "A",
         "holder": "user:a"},
        {"index": 2, "loc": ["body", "records", 2, "name"], "name": "b.hello-web.com", "type": "TXT",
         "holder": "user:b"},
    ]  # fmt: skip
    assert state(admin) == before


def test_dry_run_and_scope(admin: TestClient, app: FastAPI, store: ZoneStore) -> None:
    before = state(admin)
    batch = [record("x.hello-web.com"), record("y.wudebao-web.com")]
    r = admin.post("/records/bulk", params={"dry_run": "true"}, json={"records": batch})
    assert r.status_code == 200 and r.json()["created"] == 2 and r.json()["dry_run"] is True
    assert [i["id"] for i in r.json()["items"]] == [None, None]
    assert state(admin) == before
    _, scoped = store.create_token("hello-ci", "write", ["hello-web.com"])
    _, reader = store.create_token("reader", "read")
    with TestClient(app, headers=bearer(scoped)) as client:
        assert client.post("/records/bulk", json={"records": batch}).status_code == 403
        assert client.post("/records/bulk", json={"records": batch[:1]}).status_code == 200
    with TestClient(app, headers=bearer(reader)) as client:
        assert client.post("/records/bulk", json={"records": batch[:1]}).status_code == 403
    with TestClient(app) as anonymous:
        assert anonymous.post("/records/bulk", json={"records": batch[:1]}).status_code == 401
    assert [r["name"] for r in admin.get("/records").json()["items"]] == ["x.hello-web.com"]


def test_a_thousand_per_request_and_no_more(admin: TestClient) -> None:
    batch = [record(f"h{i}.hello-web.com") for i in range(1000)]
    r = admin.post("/records/bulk", json={"records": batch})
    assert r.status_code == 200 and r.json()["created"] == 1000
    assert admin.get("/records", params={"limit": 1}).json()["total"] == 1000
    before = state(admin)
    r = admin.post("/records/bulk", json={"records": [*batch, record("one-more.hello-web.com")]})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "loc": ["body", "records"],
            "msg": "at most 1000 records per request, got 1001",
            "type": "value_error",
        }
    ]
    assert state(admin) == before


def test_body_over_one_mebibyte_is_413_and_writes_nothing(admin: TestClient) -> None:
    before = state(admin)
    txt = '"' + "x" * 250 + '"'
    batch = [record(f"t{i}.hello-web.com", type="TXT", values=[txt] * 4) for i in range(1100)]
    r = admin.post("/records/bulk", json={"records": batch})
    assert r.status_code == 413 and "larger than 1048576 bytes" in r.json()["detail"]["message"]
    payload = r.request.content
    assert len(payload) > MIB

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for i in range(0, len(payload), 64 * 1024):
            yield payload[i : i + 64 * 1024]

    r = admin.post("/records/bulk", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert state(admin) == before


@pytest.mark.parametrize("path", ["/records", "/changes"])
def test_pagination_is_capped(admin: TestClient, path: str) -> None:
    assert admin.get(path, params={"limit": 1000}).status_code == 200
    r = admin.get(path, params={"limit": 1001})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
    assert admin.get(path, params={"limit": 0}).status_code == 422
