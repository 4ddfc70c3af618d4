"""Bad input the API once answered with 500: integers past BIGINT, non-UTF-8 bodies, JSON NaN.

Each must be a 4xx naming the field, write nothing, and leave the connection usable.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from tests.api.harness import TestClient, bearer, live_server, record, seed

TOO_BIG = 2**63  # one past the largest SQL BIGINT
BIG_ZONE = {"name": "big.example", "ns": ["ns1.big.example"]}


@pytest.fixture
def seeded(admin: TestClient) -> TestClient:
    seed(admin)
    return admin


def locs(response: Any) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


@pytest.mark.parametrize(
    ("method", "path", "loc"),
    [
        ("GET", f"/records/{TOO_BIG}", ["path", "record_id"]),
        ("PATCH", f"/records/{TOO_BIG}", ["path", "record_id"]),
        ("DELETE", f"/records/{TOO_BIG}", ["path", "record_id"]),
        ("GET", f"/records?offset={TOO_BIG}", ["query", "offset"]),
        ("GET", f"/changes?after_id={TOO_BIG}", ["query", "after_id"]),
        ("GET", f"/records?limit={TOO_BIG}", ["query", "limit"]),
    ],
)
def test_integers_past_bigint_are_422_naming_the_parameter(
    seeded: TestClient, method: str, path: str, loc: list[str]
) -> None:
    r = seeded.request(method, path, json={"ttl": 60} if method == "PATCH" else None)
    assert r.status_code == 422, r.text
    assert locs(r) == [loc]
    assert "less than or equal to" in r.json()["detail"][0]["msg"]


def test_largest_ids_are_a_plain_not_found(seeded: TestClient) -> None:
    """Record ids are SQL INTEGER (PostgreSQL: 32 bits); offsets and change ids BIGINT."""
    assert seeded.get(f"/records/{2**31 - 1}").status_code == 404
    assert locs(seeded.get(f"/records/{2**31}")) == [["path", "record_id"]]
    assert seeded.get(f"/records?offset={TOO_BIG - 1}").json()["items"] == []
    assert seeded.get(f"/changes?after_id={TOO_BIG - 1}").json()["items"] == []


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/records", record("www.hello-web.com", ttl=TOO_BIG), ["body", "ttl"]),
        (
            "/zones",
            {"name": "big.example", "ns": ["ns1.big.example"], "refresh": TOO_BIG},
            ["body", "refresh"],
        ),
        ("/zones", {"name": "big.example", "ns": ["ns1.big.example"], "ttl": -TOO_BIG - 1}, ["body", "ttl"]),
    ],
)
def test_body_integers_past_bigint_are_422(seeded: TestClient, path: str, body: Any, loc: list[str]) -> None:
    r = seeded.post(path, json=body)
    assert r.status_code == 422, r.text
    assert loc in locs(r)


def test_connection_survives_an_oversized_id(app: FastAPI, admin_token: str) -> None:
    """The 500 once reset the keep-alive connection: the next request on it failed."""
    with live_server(app) as url:
        conn = http.client.HTTPConnection(urlsplit(url).netloc, timeout=10)
        try:
            for path, status in (
                (f"/records/{TOO_BIG}", 422),
                ("/records", 200),
                (f"/records/{TOO_BIG}", 422),
            ):
                conn.request("GET", path, headers=bearer(admin_token))
                response = conn.getresponse()
                response.read()
                assert response.status == status, path
        finally:
            conn.close()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json"])
def test_non_utf8_body_is_422_saying_so(seeded: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = seeded.post("/zones", content=b'\xff\xfe{"name": 1}', headers=headers)
    assert r.status_code == 422, r.text
    [item] = r.json()["detail"]
    assert item["loc"] == ["body"]
    assert "not UTF-8" in item["msg"] and "byte 0" in item["msg"]
    assert seeded.get("/zones").json()["items"][0]["name"] == "hello-web.com"  # nothing new


def test_body_without_content_type_is_read_as_json(seeded: TestClient) -> None:
    body = json.dumps(record("www.hello-web.com")).encode()
    r = seeded.post("/records", content=body, headers={"Content-Type": ""})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("text", "loc", "shown"),
    [
        ('{"name": "www.hello-web.com", "type": "A", "ttl": NaN, "owner": "user:a", "values": ["192.0.2.1"]}',
         ["body", "ttl"], "NaN"),
        ('{"name": Infinity, "type": "A", "owner": "user:a", "values": ["192.0.2.1"]}',
         ["body", "name"], "Infinity"),
        ('{"name": "www.hello-web.com", "type": "A", "owner": "user:a", "values": [-Infinity]}',
         ["body", "values", 0], "-Infinity"),
    ],
)  # fmt: skip
def test_json_nan_and_infinity_are_422_naming_the_field(
    seeded: TestClient, text: str, loc: list[Any], shown: str
) -> None:
    r = seeded.post("/records", content=text.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    [item] = r.json()["detail"]
    assert item["loc"] == loc
    assert item["input"] == shown
    assert seeded.get("/records").json()["total"] == 0


def test_bad_secondaries_are_422_naming_each_entry(seeded: TestClient) -> None:
    changes = len(seeded.get("/changes").json()["items"])
    body = {**BIG_ZONE, "secondaries": ["10.0.0.1:53", "", "; rm -rf /", "::1"]}
    r = seeded.post("/zones", json=body)
    assert r.status_code == 422, r.text
    assert locs(r) == [["body", "secondaries", 1], ["body", "secondaries", 2]]
    assert "address[:port]" in r.json()["detail"][1]["msg"]
    r = seeded.patch("/zones/hello-web.com", json={"secondaries": ["2001:db8::1:5300"]})
    assert r.status_code == 200, r.text  # an IPv6 address without brackets has no port
    r = seeded.patch("/zones/hello-web.com", json={"secondaries": ["192.0.2.1:99999", "[2001:db8::1]:5300"]})
    assert r.status_code == 422 and locs(r) == [["body", "secondaries", 0]]
    assert seeded.get("/zones/hello-web.com").json()["secondaries"] == ["2001:db8::1:5300"]
    assert seeded.get("/zones/big.example").status_code == 404
    assert len(seeded.get("/changes").json()["items"]) == changes + 1
    good = {**BIG_ZONE, "secondaries": ["10.0.0.1:53", "::1", "[2001:db8::53]:5300"]}
    assert seeded.post("/zones", json=good).json()["secondaries"] == good["secondaries"]


@pytest.mark.parametrize("name", ["☃.hello-web.com", "xn--zz.hello-web.com", "a\u200bb.hello-web.com"])
def test_names_idna_2008_refuses_are_422_and_never_stored(seeded: TestClient, name: str) -> None:
    r = seeded.post("/records", json=record(name))
    assert r.status_code == 422, r.text
    assert locs(r) == [["body", "name"]]
    assert seeded.get("/records").json()["total"] == 0
    r = seeded.post("/records", json=record("bücher.hello-web.com"))
    assert r.status_code == 201 and r.json()["name"] == "xn--bcher-kva.hello-web.com"
