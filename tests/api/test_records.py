"""POST/GET/PATCH/DELETE /records through the real app and database, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from dnsd.domain.zones import serial_gt
from tests.api.harness import TestClient, record, seed


@pytest.fixture
def seeded(admin: TestClient) -> TestClient:
    seed(admin)
    return admin


def change_count(client: TestClient) -> int:
    return len(client.get("/changes", params={"limit": 1000}).json()["items"])


def locs(response: Any) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


def test_same_content_again_is_a_noop(seeded: TestClient) -> None:
    body = record("www.hello-web.com", pool="istio-ingressgateway", ttl=60)
    first = seeded.post("/records", json=body)
    assert first.status_code == 201, first.text
    changes = change_count(seeded)
    again = seeded.post("/records", json={**body, "name": "WWW.Hello-Web.com."})
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "changed": False}
    assert change_count(seeded) == changes


def test_same_owner_new_content_replaces_with_new_serial(seeded: TestClient) -> None:
    first = seeded.post("/records", json=record("api.hello-web.com", values=["192.0.2.1"])).json()
    r = seeded.post("/records", json=record("api.hello-web.com", values=["192.0.2.2", "192.0.2.3"], ttl=30))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["changed"] is True and body["id"] == first["id"]
    assert body["values"] == ["192.0.2.2", "192.0.2.3"] and body["ttl"] == 30
    assert serial_gt(body["serial"], first["serial"])
    assert seeded.get("/records", params={"name": "api.hello-web.com"}).json()["total"] == 1


def test_other_owner_gets_409_naming_holder_and_nothing_changes(seeded: TestClient) -> None:
    assert seeded.post("/records", json=record("shop.hello-web.com", owner="user:alice")).status_code == 201
    changes = change_count(seeded)
    for body in (
        record("shop.hello-web.com", owner="user:bob", values=["192.0.2.9"]),
        record("shop.hello-web.com", owner="user:bob", type="TXT", values=["hello"]),
    ):
        r = seeded.post("/records", json=body)
        assert r.status_code == 409, r.text
        assert r.json()["detail"]["holder"] == "user:alice"
        assert "user:alice" in r.json()["detail"]["message"]
    assert change_count(seeded) == changes
    items = seeded.get("/records", params={"name": "shop.hello-web.com"}).json()["items"]
    assert [(i["type"], i["owner"], i["values"]) for i in items] == [("A", "user:alice", ["192.0.2.1"])]


def test_422_lists_every_bad_field_and_writes_nothing(seeded: TestClient) -> None:
    changes = change_count(seeded)
    body = {"name": "bad..hello-web.com", "type": "A", "ttl": -5, "owner": "nobody",
            "values": ["192.0.2.1", "not-an-address", "192.0.2.1"]}  # fmt: skip
    r = seeded.post("/records", json=body)
    assert r.status_code == 422, r.text
    assert locs(r) == [["body", "name"], ["body", "ttl"], ["body", "owner"], ["body", "values", 1],
                       ["body", "values", 2]]  # fmt: skip
    assert all(item["type"] == "value_error" and item["msg"] for item in r.json()["detail"])
    assert "duplicate" in r.json()["detail"][4]["msg"]
    assert change_count(seeded) == changes
    assert seeded.get("/records").json()["total"] == 0


BAD_BODIES: list[tuple[dict[str, Any], list[list[Any]]]] = [
    (record("a.hello-web.com", ttl="soon"), [["body", "ttl"]]),
    ({"name": "a.hello-web.com", "type": "A"}, [["body", "owner"]]),
    (record("a.hello-web.com", values="192.0.2.1"), [["body", "values"]]),
    (record("a.hello-web.com", colour="blue"), [["body", "colour"]]),
    (record("a.hello-web.com", values=["192.0.2.1"], pool="legacy-ingress"), [["body", "pool"]]),
    (record("a.hello-web.com", type="TXT", pool="legacy-ingress"), [["body", "pool"]]),
    (record("a.hello-web.com", type="SPF", values=["x"]), [["body", "type"]]),
    (record("a.hello-web.com", values=[]), [["body", "values"]]),
    (record("hello-web.com", type="CNAME", values=["x.example.com."]), [["body", "name"]]),
    (record("a.hello-web.com", ttl=86400 * 365), [["body", "ttl"]]),  # over the settings' ceiling
]


def test_422_names_the_field(seeded: TestClient) -> None:
    for body, expected in BAD_BODIES:
        r = seeded.post("/records", json=body)
        assert r.status_code == 422, (body, r.text)
        assert locs(r) == expected, body
    assert seeded.get("/records").json()["total"] == 0


def test_cname_beside_other_data_is_refused(seeded: TestClient) -> None:
    assert seeded.post("/records", json=record("c.hello-web.com")).status_code == 201
    r = seeded.post("/records", json=record("c.hello-web.com", type="CNAME", values=["www.example.com."]))
    assert r.status_code == 422 and locs(r) == [["body", "type"]]


def test_unknown_zone_or_pool_is_404(seeded: TestClient) -> None:
    r = seeded.post("/records", json=record("www.not-ours.org"))
    assert r.status_code == 404, r.text
    assert r.json()["detail"]["kind"] == "zone"
    r = seeded.post("/records", json=record("www.hello-web.com", pool="no-such-pool"))
    assert r.status_code == 404, r.text
    assert r.json()["detail"] | {"message": ""} == {"message": "", "kind": "pool", "key": "no-such-pool",
                                                  "field": "pool"}  # fmt: skip
    assert seeded.get("/records/999999").status_code == 404
    assert seeded.patch("/records/999999", json={"ttl": 5}).status_code == 404
    assert seeded.delete("/records/999999").status_code == 404
    assert seeded.get("/records").json()["total"] == 0


def test_literal_values_of_several_types(seeded: TestClient) -> None:
    cases = [
        ("hello-web.com", "MX", ["10 mx1.hello-web.com", "20 mx2.hello-web.com."]),
        ("_sip._tcp.hello-web.com", "SRV", ["10 5 5060 sip.hello-web.com."]),
        ("hello-web.com", "TXT", ['"v=spf1 -all"']),
        ("*.apps.hello-web.com", "AAAA", ["2001:DB8::1"]),
        ("blog.hello-web.com", "CNAME", ["www.hello-web.com."]),
        ("hello-web.com", "CAA", ['0 issue "letsencrypt.org"']),
    ]
    for name, rtype, values in cases:
        r = seeded.post("/records", json=record(name, type=rtype, values=values))
        assert r.status_code == 201, (rtype, r.text)
        assert r.json()["type"] == rtype and len(r.json()["values"]) == len(values)
    aaaa = seeded.get("/records", params={"type": "aaaa"}).json()["items"]
    assert [(i["name"], i["values"]) for i in aaaa] == [("*.apps.hello-web.com", ["2001:db8::1"])]


def test_get_patch_delete_by_id(seeded: TestClient) -> None:
    created = seeded.post("/records", json=record("w.hello-web.com", pool="istio-ingressgateway")).json()
    rid = created["id"]
    assert seeded.get(f"/records/{rid}").json()["pool"] == "istio-ingressgateway"

    r = seeded.patch(f"/records/{rid}", json={"ttl": 120})
    assert r.status_code == 200, r.text
    assert r.json()["ttl"] == 120 and r.json()["pool"] == "istio-ingressgateway"
    assert serial_gt(r.json()["serial"], created["serial"])
    r = seeded.patch(f"/records/{rid}", json={"values": ["198.51.100.7"]})
    assert (r.json()["pool"], r.json()["values"]) == (None, ["198.51.100.7"])
    r = seeded.patch(f"/records/{rid}", json={"ttl": -1, "values": ["x"]})
    assert r.status_code == 422 and locs(r) == [["body", "ttl"], ["body", "values", 0]]
    assert seeded.get(f"/records/{rid}").json()["ttl"] == 120

    r = seeded.delete(f"/records/{rid}", params={"owner": "user:somebody-else"})
    assert r.status_code == 409 and r.json()["detail"]["holder"] == "ci:pipeline-42"
    r = seeded.delete(f"/records/{rid}")
    assert r.status_code == 200, r.text
    assert [d["id"] for d in r.json()["deleted"]] == [rid]
    assert seeded.get(f"/records/{rid}").status_code == 404


def test_list_filters_and_pagination(seeded: TestClient) -> None:
    names = [f"n{i:02d}.hello-web.com" for i in range(7)]
    for i, name in enumerate(names):
        body = record(name, owner=f"ci:job-{i % 2}", **({"pool": "legacy-ingress"} if i < 3 else {}))
        assert seeded.post("/records", json=body).status_code == 201
    assert seeded.post("/records", json=record("x.wudebao-web.com")).status_code == 201

    pages = [seeded.get("/records", params={"zone": "hello-web.com", "limit": 3, "offset": o}).json()
             for o in (0, 3, 6)]  # fmt: skip
    assert [p["total"] for p in pages] == [7, 7, 7]
    assert [(p["limit"], p["offset"]) for p in pages] == [(3, 0), (3, 3), (3, 6)]
    assert [i["name"] for p in pages for i in p["items"]] == names
    default = seeded.get("/records").json()
    assert (default["limit"], default["offset"], default["total"]) == (100, 0, 8)

    def names_for(**params: Any) -> list[str]:
        return [i["name"] for i in seeded.get("/records", params=params).json()["items"]]

    assert names_for(owner="ci:job-1") == names[1::2]
    assert names_for(pool="LEGACY-ingress") == names[:3]
    assert names_for(zone="WUDEBAO-WEB.COM.") == ["x.wudebao-web.com"]
    assert names_for(name="n03.hello-web.com", type="A") == ["n03.hello-web.com"]
    assert names_for(type="TXT") == []
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        r = seeded.get("/records", params=bad)
        assert r.status_code == 422 and locs(r) == [["query", next(iter(bad))]]
    assert seeded.get("/records", params={"limit": 1000}).status_code == 200


def test_teardown_delete_by_name(seeded: TestClient) -> None:
    name = "pr-42.hello-web.com"
    for rtype, values in (("A", ["192.0.2.4"]), ("TXT", ["ci"]), ("AAAA", ["2001:db8::4"])):
        assert seeded.post("/records", json=record(name, type=rtype, values=values)).status_code == 201
    changes = change_count(seeded)

    r = seeded.delete("/records", params={"name": name, "owner": "ci:someone-else"})
    assert r.status_code == 409 and r.json()["detail"]["holder"] == "ci:pipeline-42"
    assert seeded.get("/records", params={"name": name}).json()["total"] == 3
    assert change_count(seeded) == changes

    r = seeded.delete("/records", params={"name": "PR-42.hello-web.com.", "type": "txt"})
    assert r.status_code == 200, r.text
    assert [d["type"] for d in r.json()["deleted"]] == ["TXT"]
    r = seeded.delete("/records", params={"name": name, "owner": "ci:pipeline-42"})
    assert r.status_code == 200, r.text
    assert sorted(d["type"] for d in r.json()["deleted"]) == ["A", "AAAA"]
    assert seeded.get("/records", params={"name": name}).json()["total"] == 0
    assert seeded.delete("/records", params={"name": name}).status_code == 404

    r = seeded.delete("/records", params={"name": "bad..name"})
    assert r.status_code == 422 and locs(r) == [["query", "name"]]
