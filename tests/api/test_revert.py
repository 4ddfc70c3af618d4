"""POST /changes/{id}/revert through the real app and database, on both backends."""

from __future__ import annotations

from typing import Any

from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record, seed


def last_change(client: TestClient) -> dict[str, Any]:
    items: list[dict[str, Any]] = client.get("/changes", params={"limit": 1000}).json()["items"]
    return items[-1]


def answer(client: TestClient, name: str) -> list[tuple[str, Any, Any]]:
    items = client.get("/records", params={"name": name}).json()["items"]
    return [(r["type"], r["values"], r["pool"]) for r in items]


def test_revert_update_create_and_delete(admin: TestClient) -> None:
    seed(admin)
    assert admin.post("/records", json=record("www.hello-web.com", ttl=60)).status_code == 201
    created = last_change(admin)
    assert (
        admin.post("/records", json=record("www.hello-web.com", ttl=60, values=["192.0.2.9"])).status_code
        == 200
    )
    updated = last_change(admin)

    r = admin.post(f"/changes/{updated['id']}/revert")
    assert r.status_code == 201, r.text
    change = r.json()
    assert change["action"] == "change.revert" and change["before"]["reverts"] == updated["id"]
    assert change["zones"][0]["removed"] == [["www.hello-web.com", "A", 60, "192.0.2.9"]]
    assert change["zones"][0]["added"] == [["www.hello-web.com", "A", 60, "192.0.2.1"]]
    assert change["zones"][0]["serial"] != change["zones"][0]["prev_serial"]
    assert answer(admin, "www.hello-web.com") == [("A", ["192.0.2.1"], None)]

    # the create is older than the revert, which touched the same name: refused, then forced
    r = admin.post(f"/changes/{created['id']}/revert")
    assert r.status_code == 409, r.text
    message = r.json()["detail"]["message"]
    assert f"{updated['id']} (record.update" in message and f"{change['id']} (change.revert" in message
    assert answer(admin, "www.hello-web.com") == [("A", ["192.0.2.1"], None)]  # nothing written
    r = admin.post(f"/changes/{created['id']}/revert", json={"force": True})
    assert r.status_code == 201, r.text
    assert answer(admin, "www.hello-web.com") == []

    # reverting that revert brings the record back, with its owner
    r = admin.post(f"/changes/{r.json()['id']}/revert")
    assert r.status_code == 201, r.text
    items = admin.get("/records", params={"name": "www.hello-web.com"}).json()["items"]
    assert [(i["values"], i["owner"], i["ttl"]) for i in items] == [(["192.0.2.1"], "ci:pipeline-42", 60)]


def test_revert_of_a_delete_and_nothing_left(admin: TestClient) -> None:
    seed(admin)
    rec = admin.post("/records", json=record("api.hello-web.com", pool="legacy-ingress")).json()
    assert admin.delete(f"/records/{rec['id']}").status_code == 200
    deleted = last_change(admin)
    r = admin.post(f"/changes/{deleted['id']}/revert")
    assert r.status_code == 201, r.text
    assert answer(admin, "api.hello-web.com") == [("A", [], "legacy-ingress")]
    again = admin.post(f"/changes/{deleted['id']}/revert", json={"force": True})
    assert again.status_code == 409 and "nothing to revert" in again.json()["detail"]["message"]


def test_revert_a_pool_move(admin: TestClient) -> None:
    seed(admin)
    admin.post("/records", json=record("www.hello-web.com", pool="istio-ingressgateway"))
    admin.post("/records", json=record("shop.wudebao-web.com", owner="user:bob", pool="istio-ingressgateway"))
    assert admin.patch("/pools/istio-ingressgateway", json={"addresses": ["10.0.0.99"]}).status_code == 200
    moved = last_change(admin)
    r = admin.post(f"/changes/{moved['id']}/revert")
    assert r.status_code == 201, r.text
    change = r.json()
    assert sorted(z["zone"] for z in change["zones"]) == ["hello-web.com", "wudebao-web.com"]
    pool = admin.get("/pools/istio-ingressgateway").json()
    assert pool["addresses"] == ["10.0.0.10", "fd00::10"]


def test_revert_refuses_what_records_no_state(admin: TestClient) -> None:
    seed(admin)
    zone_change = admin.get("/changes").json()["items"][0]
    assert zone_change["action"] == "zone.create"
    r = admin.post(f"/changes/{zone_change['id']}/revert")
    assert r.status_code == 409 and "cannot be reverted" in r.json()["detail"]["message"]
    assert admin.post("/changes/999999/revert").status_code == 404
    assert admin.post("/changes/0/revert").status_code == 422
    assert admin.post("/changes/1/revert", json={"force": "maybe"}).status_code == 422


def test_revert_scope(admin: TestClient, app: Any, store: ZoneStore) -> None:
    seed(admin)
    admin.post("/records", json=record("www.hello-web.com"))
    rec_change = last_change(admin)
    admin.patch("/pools/legacy-ingress", json={"addresses": ["10.0.1.11"]})
    pool_change = last_change(admin)
    read = store.create_token("reader", "read")[1]
    scoped = store.create_token("wudebao", "write", zones=["wudebao-web.com"])[1]
    hello = store.create_token("hello", "write", zones=["hello-web.com"])[1]
    with TestClient(app, headers=bearer(read)) as c:
        assert c.post(f"/changes/{rec_change['id']}/revert").status_code == 403
    with TestClient(app, headers=bearer(scoped)) as c:
        r = c.post(f"/changes/{rec_change['id']}/revert")
        assert r.status_code == 403 and "hello-web.com" in r.json()["detail"]["message"]
    with TestClient(app, headers=bearer(hello)) as c:
        assert c.post(f"/changes/{pool_change['id']}/revert").status_code == 403  # pools: admin only
        assert c.post(f"/changes/{rec_change['id']}/revert").status_code == 201
    assert answer(admin, "www.hello-web.com") == []
