"""Issue 2's "Done when", through the real app and database: zones and pools, a record on a
pool, the record listed with its owner, and one pool change bumping every affected zone."""

from __future__ import annotations

import json
import subprocess

from fastapi import FastAPI

from dnsd.domain.zones import serial_gt
from tests.api.harness import DEADLINE, TestClient, live_server, record, seed


def serial(client: TestClient, zone: str) -> int:
    r = client.get(f"/zones/{zone}")
    assert r.status_code == 200, r.text
    value: int = r.json()["serial"]
    return value


def test_record_on_pool_then_pool_move_is_one_change(admin: TestClient) -> None:
    seed(admin)
    assert (
        admin.post("/zones", json={"name": "legacy-web.com", "ns": ["ns1.legacy-web.com"]}).status_code == 201
    )
    before = serial(admin, "hello-web.com")

    owner = "k8s:default/service/hello-web"
    body = {
        "name": "www.hello-web.com",
        "type": "A",
        "pool": "istio-ingressgateway",
        "ttl": 60,
        "owner": owner,
    }
    r = admin.post("/records", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["changed"] is True and created["zone"] == "hello-web.com"
    assert created["pool"] == "istio-ingressgateway" and created["values"] == []
    assert serial_gt(created["serial"], before) and created["serial"] == serial(admin, "hello-web.com")
    r = admin.post("/records", json=record("www.wudebao-web.com", pool="istio-ingressgateway"))
    assert r.status_code == 201, r.text
    r = admin.post("/records", json=record("www.legacy-web.com", pool="legacy-ingress"))
    assert r.status_code == 201, r.text

    listed = admin.get("/records", params={"name": "www.hello-web.com"}).json()
    assert listed["total"] == 1
    assert listed["items"][0] == {k: v for k, v in created.items() if k not in ("serial", "changed")}
    assert listed["items"][0]["owner"] == owner

    serials = {z: serial(admin, z) for z in ("hello-web.com", "wudebao-web.com", "legacy-web.com")}
    last_id = admin.get("/changes", params={"limit": 1000}).json()["items"][-1]["id"]
    r = admin.patch("/pools/istio-ingressgateway", json={"addresses": ["10.0.0.20", "fd00::20"]})
    assert r.status_code == 200, r.text
    assert r.json()["addresses"] == ["10.0.0.20", "fd00::20"]

    changes = admin.get("/changes", params={"after_id": last_id}).json()["items"]
    assert len(changes) == 1
    change = changes[0]
    assert change["action"] == "pool.update" and change["actor"] == "token:admin"
    assert [z["zone"] for z in change["zones"]] == ["hello-web.com", "wudebao-web.com"]
    for zc in change["zones"]:
        assert zc["prev_serial"] == serials[zc["zone"]]
        assert serial_gt(zc["serial"], zc["prev_serial"])
        assert zc["serial"] == serial(admin, zc["zone"])
    hello = change["zones"][0]
    assert sorted(hello["removed"]) == [["www.hello-web.com", "A", 60, "10.0.0.10"]]
    assert sorted(hello["added"]) == [["www.hello-web.com", "A", 60, "10.0.0.20"]]
    assert serial(admin, "legacy-web.com") == serials["legacy-web.com"]  # not on the moved pool


def test_the_issue_curl_command_as_typed(app: FastAPI, admin: TestClient, admin_token: str) -> None:
    """The README's call, by real curl against a real server: curl sends a form content type
    for ``-d`` unless told otherwise, and the API still reads the body as JSON."""
    seed(admin)
    body = ('{"name":"www.hello-web.com","type":"A","pool":"istio-ingressgateway","ttl":60,'
            '"owner":"k8s:default/service/hello-web"}')  # fmt: skip
    with live_server(app) as url:
        auth = f"Authorization: Bearer {admin_token}"
        command = ["curl", "-sS", "-X", "POST", f"{url}/records", "-H", auth, "-d", body]
        command += ["-w", "\\n%{http_code}"]  # the status on a line of its own
        out = subprocess.run(command, capture_output=True, text=True, timeout=DEADLINE, check=True).stdout
    text, status = out.rsplit("\n", 1)
    assert status == "201", out
    assert json.loads(text)["pool"] == "istio-ingressgateway"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = admin.post("/records", content=b"name=x", headers=form)
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"
