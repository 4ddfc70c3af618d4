"""Parallel writers against a real uvicorn server on 127.0.0.1, on both backends."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from dnsd.domain.zones import serial_gt
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import DEADLINE, bearer, live_server, record

WRITERS = 20


@pytest.fixture
def server(app: FastAPI, admin_token: str, store: ZoneStore) -> Iterator[tuple[str, dict[str, str]]]:
    """The live server's URL and the headers of a write token for hello-web.com (as CI has)."""
    with live_server(app) as url, httpx.Client(base_url=url, headers=bearer(admin_token)) as admin:
        for zone in ("hello-web.com", "wudebao-web.com"):
            assert admin.post("/zones", json={"name": zone, "ns": [f"ns1.{zone}"]}).status_code == 201
        yield url, bearer(store.create_token("ci", "write", ["hello-web.com"])[1])


def post_all(url: str, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body at once: one thread and one connection each, released by one barrier."""
    barrier = threading.Barrier(len(bodies), timeout=DEADLINE)

    def post(body: dict[str, Any]) -> httpx.Response:
        with httpx.Client(base_url=url, headers=headers, timeout=DEADLINE * 4) as client:
            barrier.wait()
            return client.post("/records", json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_parallel_posts_for_different_names(server: tuple[str, dict[str, str]]) -> None:
    url, headers = server
    with httpx.Client(base_url=url, headers=headers) as client:
        start = client.get("/zones/hello-web.com").json()["serial"]
        after_id = client.get("/changes", params={"limit": 1000}).json()["items"][-1]["id"]
    names = [f"svc-{i:02d}.hello-web.com" for i in range(WRITERS)]
    responses = post_all(url, headers, [record(n, values=[f"192.0.2.{i + 1}"]) for i, n in enumerate(names)])

    assert [r.status_code for r in responses] == [201] * WRITERS, [
        r.text for r in responses if r.status_code != 201
    ]
    serials = [r.json()["serial"] for r in responses]
    assert len(set(serials)) == WRITERS  # every write got a serial of its own: no lost update
    with httpx.Client(base_url=url, headers=headers) as client:
        listed = client.get("/records", params={"zone": "hello-web.com", "limit": 1000}).json()
        final = client.get("/zones/hello-web.com").json()["serial"]
        changes = client.get("/changes", params={"zone": "hello-web.com", "after_id": after_id}).json()[
            "items"
        ]
    assert sorted(i["name"] for i in listed["items"]) == names and listed["total"] == WRITERS

    assert len(changes) == WRITERS and {c["action"] for c in changes} == {"record.create"}
    chain = [c["zones"][0] for c in changes]
    assert chain[0]["prev_serial"] == start
    for prev, this in itertools.pairwise(chain):
        assert this["prev_serial"] == prev["serial"]  # each change starts where the last ended
        assert serial_gt(this["serial"], prev["serial"])
    assert chain[-1]["serial"] == final
    assert sorted(serials) == sorted(z["serial"] for z in chain)


def test_same_name_from_two_owners(server: tuple[str, dict[str, str]]) -> None:
    url, headers = server
    for round_ in range(5):
        name = f"race-{round_}.hello-web.com"
        owners = ["ci:pipeline-a", "ci:pipeline-b"]
        responses = post_all(url, headers, [record(name, owner=o, values=["192.0.2.7"]) for o in owners])
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 201).json()["owner"]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["detail"]["holder"] == winner
        with httpx.Client(base_url=url, headers=headers) as client:
            items = client.get("/records", params={"name": name}).json()["items"]
        assert [(i["owner"], i["values"]) for i in items] == [(winner, ["192.0.2.7"])]
