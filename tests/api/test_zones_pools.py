"""/zones, /pools and /changes through the real app and database, on both backends."""

from __future__ import annotations

import datetime as dt

from dnsd.domain.zones import serial_gt
from tests.api.harness import TestClient, record, seed


def test_zone_crud(admin: TestClient) -> None:
    body = {"name": "Example-Web.COM.", "ns": ["ns1.example-web.com", "ns2.example-web.com"], "refresh": 7200,
            "rname": "ops@example-web.com", "secondaries": ["192.0.2.53"]}  # fmt: skip
    r = admin.post("/zones", json=body)
    assert r.status_code == 201, r.text
    zone = r.json()
    assert (zone["name"], zone["mname"], zone["rname"]) == ("example-web.com", "ns1.example-web.com",
                                                           "ops.example-web.com")  # fmt: skip
    assert zone["refresh"] == 7200 and zone["retry"] == 600 and zone["secondaries"] == ["192.0.2.53"]
    assert admin.post("/zones", json=body).status_code == 409
    assert admin.get("/zones/EXAMPLE-web.com.").json() == zone
    assert [z["name"] for z in admin.get("/zones").json()["items"]] == ["example-web.com"]

    r = admin.patch("/zones/example-web.com", json={"ns": ["ns3.example-web.com"], "minimum": 60})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["ns"] == ["ns3.example-web.com"] and patched["minimum"] == 60
    assert patched["refresh"] == 7200 and serial_gt(patched["serial"], zone["serial"])
    same = admin.patch("/zones/example-web.com", json={"minimum": 60})
    assert same.json()["serial"] == patched["serial"]  # nothing changed, no new serial

    assert admin.post("/records", json=record("www.example-web.com")).status_code == 201
    r = admin.delete("/zones/example-web.com")
    assert r.status_code == 409, r.text
    assert admin.get("/zones/example-web.com").status_code == 200
    assert admin.delete("/zones/example-web.com", params={"force": True}).status_code == 204
    assert admin.get("/zones/example-web.com").status_code == 404
    assert admin.get("/records").json()["total"] == 0
    assert admin.delete("/zones/example-web.com").status_code == 404
    assert admin.patch("/zones/example-web.com", json={"minimum": 5}).status_code == 404


def test_zone_422_lists_every_field(admin: TestClient) -> None:
    body = {"name": "bad_zone..com", "ns": ["ok.example.com", "-bad-.example.com"], "refresh": -1, "ttl": 5}
    r = admin.post("/zones", json=body)
    assert r.status_code == 422, r.text
    locs = [item["loc"] for item in r.json()["detail"]]
    assert ["body", "name"] in locs and ["body", "ns", 1] in locs and ["body", "refresh"] in locs
    assert ["body", "ttl"] not in locs
    assert admin.post("/zones", json={"name": "x.com", "ns": []}).json()["detail"][0]["loc"] == ["body", "ns"]
    assert admin.get("/zones").json()["items"] == []
    assert admin.get("/changes").json()["items"] == []


def test_pool_crud(admin: TestClient) -> None:
    seed(admin)
    body = {"name": "Edge-Pool", "addresses": ["10.9.0.1", "FD00::0:1"], "description": "edge LVS",
            "external_addresses": ["203.0.113.9"]}  # fmt: skip
    r = admin.post("/pools", json=body)
    assert r.status_code == 201, r.text
    assert r.json() == {"name": "edge-pool", "addresses": ["10.9.0.1", "fd00::1"], "description": "edge LVS",
                        "external_addresses": ["203.0.113.9"], "members": {}, "check": None}  # fmt: skip
    assert admin.post("/pools", json=body).status_code == 409
    assert admin.get("/pools/EDGE-POOL").json()["name"] == "edge-pool"
    names = [p["name"] for p in admin.get("/pools").json()["items"]]
    assert names == ["edge-pool", "istio-ingressgateway", "legacy-ingress"]

    r = admin.patch(
        "/pools/edge-pool", json={"addresses": ["10.9.0.1", "nope", "10.9.0.1"], "description": 7}
    )
    assert r.status_code == 422 and [i["loc"] for i in r.json()["detail"]] == [["body", "description"]]
    r = admin.patch("/pools/edge-pool", json={"addresses": ["10.9.0.1", "nope", "10.9.0.1"]})
    assert r.status_code == 422, r.text
    assert [i["loc"] for i in r.json()["detail"]] == [["body", "addresses", 1], ["body", "addresses", 2]]
    r = admin.patch(
        "/pools/edge-pool", json={"addresses": ["10.9.0.2"], "external_addresses": ["203.0.113.10"]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["addresses"] == ["10.9.0.2"] and r.json()["external_addresses"] == ["203.0.113.10"]
    assert r.json()["description"] == "edge LVS"

    assert admin.post("/records", json=record("e.hello-web.com", pool="edge-pool")).status_code == 201
    r = admin.delete("/pools/edge-pool")
    assert r.status_code == 409 and "e.hello-web.com" in r.json()["detail"]["message"]
    assert admin.delete("/records", params={"name": "e.hello-web.com"}).status_code == 200
    assert admin.delete("/pools/edge-pool").status_code == 204
    for call in (admin.get, admin.delete):
        r = call("/pools/edge-pool")
        assert r.status_code == 404 and r.json()["detail"]["kind"] == "pool"
    assert admin.patch("/pools/edge-pool", json={"description": "x"}).status_code == 404


def test_pool_patch_keeping_some_addresses(admin: TestClient) -> None:
    seed(admin)
    r = admin.patch("/pools/istio-ingressgateway", json={"addresses": ["10.0.0.10", "10.0.0.11"]})
    assert r.status_code == 200 and r.json()["addresses"] == ["10.0.0.10", "10.0.0.11"]


def test_pool_patch_description_only(admin: TestClient) -> None:
    seed(admin)
    r = admin.patch("/pools/istio-ingressgateway", json={"description": "moved"})
    assert r.status_code == 200 and r.json()["description"] == "moved"


def test_changes_filters(admin: TestClient) -> None:
    seed(admin)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert admin.post("/records", json=record("a.hello-web.com", owner="user:alice")).status_code == 201
    assert admin.post("/records", json=record("b.wudebao-web.com", owner="user:bob")).status_code == 201
    everything = admin.get("/changes").json()["items"]
    ids = [c["id"] for c in everything]
    assert ids == sorted(ids) and len(ids) == 6  # 2 zones, 2 pools, 2 records

    alice = admin.get("/changes", params={"owner": "user:alice"}).json()["items"]
    assert [(c["action"], c["subject"]) for c in alice] == [("record.create", "a.hello-web.com/A")]
    assert alice[0]["after"]["values"] == ["192.0.2.1"] and alice[0]["before"] is None
    wudebao = admin.get("/changes", params={"zone": "WUDEBAO-web.com"}).json()["items"]
    assert [c["action"] for c in wudebao] == ["zone.create", "record.create"]
    assert admin.get("/changes", params={"after_id": ids[3], "limit": 1}).json()["items"][0]["id"] == ids[4]

    created = dt.datetime.fromisoformat(everything[0]["created_at"])
    assert created.tzinfo is not None and abs(created - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)
    since_start = admin.get("/changes", params={"since": start.isoformat()}).json()["items"]
    assert len(since_start) == 6
    naive_future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(tzinfo=None)
    assert admin.get("/changes", params={"since": naive_future.isoformat()}).json()["items"] == []
    offset_future = dt.datetime.now(dt.timezone(dt.timedelta(hours=-8))) + dt.timedelta(minutes=30)
    assert admin.get("/changes", params={"since": offset_future.isoformat()}).json()["items"] == []
    r = admin.get("/changes", params={"since": "yesterday"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "since"]
