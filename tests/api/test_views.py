"""/views, pool members per view and health checks, weighted/view-limited records through the
real app and database, on both backends."""

from __future__ import annotations

from typing import Any

from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record, seed

DC_A = {"name": "dc-a", "networks": ["10.1.0.0/16", "10.11.0.0/16"], "description": "data center A"}


def locs(response: Any) -> list[list[str | int]]:
    assert response.status_code == 422, response.text
    return [item["loc"] for item in response.json()["detail"]]


def test_view_crud_with_audit_log(admin: TestClient) -> None:
    r = admin.post("/views", json=DC_A)
    assert r.status_code == 201, r.text
    assert r.json() == DC_A
    assert admin.post("/views", json=DC_A).status_code == 409
    assert admin.post("/views", json={"name": "dc-b", "networks": ["10.2.3.4/16"]}).status_code == 201
    assert [v["name"] for v in admin.get("/views").json()["items"]] == ["dc-a", "dc-b"]
    assert admin.get("/views/DC-B").json() == {"name": "dc-b", "networks": ["10.2.0.0/16"], "description": ""}

    r = admin.patch("/views/dc-b", json={"networks": ["10.2.0.0/16", "10.12.0.0/16"]})
    assert r.status_code == 200, r.text
    assert r.json()["networks"] == ["10.2.0.0/16", "10.12.0.0/16"]
    assert admin.patch("/views/dc-b", json={"description": "B"}).json()["description"] == "B"
    assert admin.delete("/views/dc-b").status_code == 204
    assert admin.get("/views/dc-b").status_code == 404
    assert admin.delete("/views/dc-b").status_code == 404
    assert admin.patch("/views/nope", json={"description": "x"}).status_code == 404

    changes = admin.get("/changes").json()["items"]
    actions = [(c["action"], c["subject"]) for c in changes]
    assert actions == [
        ("view.create", "dc-a"), ("view.create", "dc-b"), ("view.update", "dc-b"),
        ("view.update", "dc-b"), ("view.delete", "dc-b"),
    ]  # fmt: skip
    assert changes[0]["actor"] == "token:admin" and changes[0]["after"]["networks"] == DC_A["networks"]


def test_view_422_names_field_and_overlap(admin: TestClient) -> None:
    assert admin.post("/views", json=DC_A).status_code == 201
    r = admin.post("/views", json={"name": "office", "networks": ["192.0.2.0/24", "10.1.5.0/24", "nonsense"]})
    assert sorted(map(str, locs(r))) == sorted(map(str, [["body", "networks"], ["body", "networks", 2]]))
    messages = " ".join(item["msg"] for item in r.json()["detail"])
    assert "10.1.5.0/24" in messages and "10.1.0.0/16" in messages and "'dc-a'" in messages
    assert ["body", "name"] in locs(
        admin.post("/views", json={"name": "default", "networks": ["10.9.0.0/16"]})
    )
    assert ["body", "networks"] in locs(admin.post("/views", json={"name": "empty", "networks": []}))
    r = admin.patch("/views/dc-a", json={"networks": ["10.1.0.0/16", "10.1.2.0/24"]})
    assert ["body", "networks"] in locs(r) and "10.1.2.0/24" in r.text
    assert admin.get("/views/dc-a").json()["networks"] == DC_A["networks"]  # nothing half-written
    assert [c["action"] for c in admin.get("/changes").json()["items"]] == ["view.create"]


def test_views_need_an_admin_token(admin: TestClient, client: TestClient, store: ZoneStore) -> None:
    seed(admin)
    zoned = store.create_token("ci", "write", zones=["hello-web.com"])[1]
    reader = store.create_token("ro", "read")[1]
    assert admin.post("/views", json=DC_A).status_code == 201
    for secret in (zoned, reader):
        headers = bearer(secret)
        assert client.get("/views", headers=headers).status_code == 200
        assert (
            client.post(
                "/views", json={"name": "x", "networks": ["10.7.0.0/16"]}, headers=headers
            ).status_code
            == 403
        )
        assert client.patch("/views/dc-a", json={"description": "x"}, headers=headers).status_code == 403
        assert client.delete("/views/dc-a", headers=headers).status_code == 403
        assert (
            client.patch(
                "/pools/legacy-ingress", json={"members": {"dc-a": ["10.1.0.9"]}}, headers=headers
            ).status_code
            == 403
        )
    assert client.get("/views").status_code == 401
    assert admin.get("/views/dc-a").json() == DC_A
    # a zone-scoped token may still limit its records to a view
    r = client.post("/records", json=record("ci.hello-web.com", views=["dc-a"]), headers=bearer(zoned))
    assert r.status_code == 201 and r.json()["views"] == ["dc-a"], r.text


def test_pool_members_per_view_and_check(admin: TestClient) -> None:
    seed(admin)
    assert admin.post("/views", json=DC_A).status_code == 201
    body = {
        "name": "gw", "addresses": ["10.20.0.10"], "external_addresses": ["203.0.113.10"],
        "members": {"DC-A": ["10.1.0.10"]},
        "check": {"kind": "http", "port": 8080, "path": "/healthz", "fall": 2, "expect": "200-299"},
    }  # fmt: skip
    r = admin.post("/pools", json=body)
    assert r.status_code == 201, r.text
    pool = r.json()
    assert pool["members"] == {"dc-a": ["10.1.0.10"]}
    assert pool["check"] == {"kind": "http", "port": 8080, "path": "/healthz", "interval": 10.0,
                             "timeout": 2.0, "rise": 2, "fall": 2, "expect": "200-299"}  # fmt: skip
    shown = admin.get("/pools/gw").json()
    assert shown.pop("health") == [] and shown == pool  # nothing probed yet
    listed = {p["name"]: p for p in admin.get("/pools").json()["items"]}
    assert listed["gw"] == pool and listed["legacy-ingress"]["members"] == {}
    assert listed["legacy-ingress"]["check"] is None

    # PATCH without members/check keeps them; null removes the check
    kept = admin.patch("/pools/gw", json={"description": "gateway"}).json()
    assert kept["members"] == pool["members"] and kept["check"] == pool["check"]
    r = admin.patch("/pools/gw", json={"check": None, "members": {"dc-a": ["10.1.0.11", "10.1.0.12"]}})
    assert r.status_code == 200, r.text
    assert r.json()["check"] is None and r.json()["members"] == {"dc-a": ["10.1.0.11", "10.1.0.12"]}
    r = admin.patch("/pools/gw", json={"check": {"kind": "tcp", "port": 443}, "members": {"dc-a": []}})
    assert r.json()["members"] == {} and r.json()["check"]["kind"] == "tcp"
    actions = [c["action"] for c in admin.get("/changes").json()["items"] if c["subject"] == "gw"]
    assert actions == ["pool.create", "pool.update", "pool.update", "pool.update"]


def test_pool_422_names_member_and_check_fields(admin: TestClient) -> None:
    seed(admin)
    assert admin.post("/views", json=DC_A).status_code == 201
    body = {"name": "gw", "addresses": ["10.20.0.10"],
            "members": {"dc-a": ["not-an-ip"], "public": ["1.2.3.4"]},
            "check": {"kind": "udp", "port": 0, "bogus": 1}}  # fmt: skip
    found = locs(admin.post("/pools", json=body))
    for loc in (["body", "members", "dc-a", 0], ["body", "members", "public"], ["body", "check", "kind"],
                ["body", "check", "port"], ["body", "check", "bogus"]):  # fmt: skip
        assert loc in found, found
    # a view that is not defined
    r = admin.post(
        "/pools", json={"name": "gw", "addresses": ["10.20.0.10"], "members": {"dc-z": ["10.9.9.9"]}}
    )
    assert ["body", "members", 0] in locs(r) and "dc-z" in r.json()["detail"][0]["msg"]
    r = admin.patch("/pools/legacy-ingress", json={"check": {"interval": 1, "timeout": 5}})
    assert ["body", "check", "timeout"] in locs(r)
    assert ["body", "check"] in locs(admin.patch("/pools/legacy-ingress", json={"check": "tcp:80"}))
    assert admin.get("/pools/gw").status_code == 404
    assert admin.get("/pools/legacy-ingress").json()["check"] is None


def test_weighted_and_view_limited_records(admin: TestClient) -> None:
    seed(admin)
    assert admin.post("/views", json=DC_A).status_code == 201
    body = record("shop.hello-web.com", targets={"istio-ingressgateway": 10, "legacy-ingress": 90},
                  mode="random", views=["dc-a", "public"])  # fmt: skip
    del body["values"]
    r = admin.post("/records", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["pool"] == "istio-ingressgateway" and out["mode"] == "random"
    assert out["targets"] == {"istio-ingressgateway": 10, "legacy-ingress": 90}
    assert out["views"] == ["dc-a", "public"]
    assert admin.post("/records", json=body).json()["changed"] is False
    got = admin.get(f"/records/{out['id']}").json()
    assert {k: got[k] for k in ("targets", "mode", "views")} == {
        k: out[k] for k in ("targets", "mode", "views")
    }
    for pool in ("istio-ingressgateway", "Legacy-Ingress"):  # the first target, and a later one
        page = admin.get("/records", params={"pool": pool}).json()
        assert [i["name"] for i in page["items"]] == ["shop.hello-web.com"] and page["total"] == 1, pool

    r = admin.patch(
        f"/records/{out['id']}", json={"targets": {"istio-ingressgateway": 50, "legacy-ingress": 50}}
    )
    assert r.json()["targets"] == {"istio-ingressgateway": 50, "legacy-ingress": 50}
    assert r.json()["mode"] == "random" and r.json()["views"] == ["dc-a", "public"]  # kept
    r = admin.patch(f"/records/{out['id']}", json={"views": [], "mode": "hashed"})
    assert r.json()["views"] == [] and r.json()["mode"] == "hashed" and r.json()["changed"]
    r = admin.patch(f"/records/{out['id']}", json={"pool": "legacy-ingress"})
    assert r.json()["targets"] == {} and r.json()["pool"] == "legacy-ingress"
    plain = admin.post("/records", json=record("plain.hello-web.com")).json()
    assert (plain["targets"], plain["mode"], plain["views"]) == ({}, "hashed", [])
    listed = admin.get("/records", params={"name": "plain.hello-web.com"}).json()["items"][0]
    assert listed["targets"] == {} and listed["views"] == []


def test_record_422_names_targets_mode_views(admin: TestClient) -> None:
    seed(admin)
    body = record("shop.hello-web.com", targets={"istio-ingressgateway": 0, "legacy-ingress": -1},
                  mode="roundrobin", views=["dc-z", "Bad_View"])  # fmt: skip
    del body["values"]
    found = locs(admin.post("/records", json=body))
    for loc in (["body", "targets", 1, "weight"], ["body", "mode"], ["body", "views", 1]):
        assert loc in found, found
    both = record("x.hello-web.com", pool="legacy-ingress", targets={"legacy-ingress": 2})
    assert ["body", "targets"] in locs(admin.post("/records", json=both))
    # undefined view, unknown target pool
    body = record("y.hello-web.com", views=["dc-z"])
    assert ["body", "views", 0] in locs(admin.post("/records", json=body))
    body = record("z.hello-web.com", targets={"istio-ingressgateway": 1, "nope": 2})
    del body["values"]
    r = admin.post("/records", json=body)
    assert r.status_code == 404 and r.json()["detail"]["field"] == "targets.1.pool", r.text
    assert admin.get("/records").json()["total"] == 0


def test_a_used_view_cannot_be_deleted(admin: TestClient) -> None:
    seed(admin)
    assert admin.post("/views", json=DC_A).status_code == 201
    assert admin.patch("/pools/legacy-ingress", json={"members": {"dc-a": ["10.1.0.9"]}}).status_code == 200
    r = admin.delete("/views/dc-a")
    assert r.status_code == 409 and "legacy-ingress" in r.json()["detail"]["message"]
    admin.patch("/pools/legacy-ingress", json={"members": {"dc-a": []}})
    assert admin.post("/records", json=record("in.hello-web.com", views=["dc-a"])).status_code == 201
    r = admin.delete("/views/dc-a")
    assert r.status_code == 409 and "in.hello-web.com/A" in r.json()["detail"]["message"]
    admin.delete("/records", params={"name": "in.hello-web.com"})
    assert admin.delete("/views/dc-a").status_code == 204


def test_bulk_records_carry_targets_and_views(admin: TestClient) -> None:
    seed(admin)
    assert admin.post("/views", json=DC_A).status_code == 201
    weighted = {"name": "a.hello-web.com", "type": "A", "owner": "ci:bulk",
                "targets": {"legacy-ingress": 3, "istio-ingressgateway": 1}, "mode": "random"}  # fmt: skip
    limited = record("b.hello-web.com", owner="ci:bulk", views=["dc-a"])
    r = admin.post("/records/bulk", json={"records": [weighted, limited]})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert (
        items[0]["targets"] == {"legacy-ingress": 3, "istio-ingressgateway": 1}
        and items[0]["mode"] == "random"
    )
    assert items[0]["pool"] == "legacy-ingress" and items[1]["views"] == ["dc-a"]
    bad = record("c.hello-web.com", owner="ci:bulk", views=["dc-z"])
    r = admin.post("/records/bulk", json={"records": [bad]})
    assert ["body", "records", 0, "views", 0] in locs(r)
    assert admin.get("/records").json()["total"] == 2
