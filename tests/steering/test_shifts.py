"""Shifts driven by the leader's driver against real HTTP VIPs (SQLite and PostgreSQL): a shift
to a gateway that does not route the host never passes its first step and rolls back; one that
passes completes and leaves a plain pool; a target turning unhealthy mid-shift rolls back; the
API starts, lists and controls shifts and names the field of bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.health import Probe, make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.targets import Target
from dnsd.domain.zones import make_zone
from dnsd.steering.shifts import ShiftDriver
from dnsd.store.health import ProbeResult
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient
from tests.helpers import put
from tests.steering.vips import Vip

ACTOR = "test:shift"
STEPS = (5, 25, 50, 100)


def setup(store: ZoneStore, port: int, istio: str) -> None:
    store.create_zone(make_zone("example.com", ["ns1.example.com"]), ACTOR)
    store.create_pool(make_pool("legacy", ["127.0.0.2"]), ACTOR)
    check = make_check({"kind": "http", "port": port, "interval": 1, "timeout": 0.5, "fall": 1})
    store.create_pool(make_pool("istio", [istio], check=check), ACTOR)
    put(store, "www.example.com", pool="legacy", owner="ci:web")
    put(store, "api.example.com", pool="legacy", owner="ci:web")


def record(store: ZoneStore, name: str = "www.example.com") -> tuple[str | None, tuple[Target, ...]]:
    [rrset], _ = store.list_rrsets(RecordFilter(name=name))
    return rrset.pool, rrset.targets


def tick(store: ZoneStore) -> None:
    asyncio.run(ShiftDriver(store).tick())


def test_a_gateway_that_does_not_route_the_host_never_passes_step_one(
    store: ZoneStore, vips: list[Vip], vip_port: int
) -> None:
    setup(store, vip_port, istio="127.0.0.4")  # 404s every host
    shift = store.create_shift("istio", STEPS, 0, ACTOR, names=["www.example.com"])
    last = store.last_change_id()
    tick(store)
    done = store.get_shift(shift.id)
    assert done.status == "rolled_back" and done.percent == 0
    assert "www.example.com via 127.0.0.4: HTTP 404" in done.reason
    assert "www.example.com" in vips[2].seen  # probed with the record's Host
    assert record(store) == ("legacy", ())
    assert [c.action for c in store.list_changes(after_id=last)] == ["shift.rolled_back"]
    assert [h["event"] for h in done.history] == ["start", "rolled_back"]


def test_a_shift_that_passes_completes_on_a_plain_pool(
    store: ZoneStore, vips: list[Vip], vip_port: int
) -> None:
    setup(store, vip_port, istio="127.0.0.3")
    shift = store.create_shift("istio", STEPS, 0, ACTOR, pool="legacy")
    assert {r.name for r in shift.records} == {"www.example.com", "api.example.com"}
    last = store.last_change_id()
    seen = []
    for _ in STEPS:
        tick(store)
        seen.append(record(store))
    assert seen == [
        ("legacy", (Target("legacy", 95), Target("istio", 5))),
        ("legacy", (Target("legacy", 75), Target("istio", 25))),
        ("legacy", (Target("legacy", 50), Target("istio", 50))),
        ("istio", ()),  # exactly like a manual move
    ]
    done = store.get_shift(shift.id)
    assert done.status == "completed" and done.percent == 100
    changes = store.list_changes(after_id=last)
    updates = [c for c in changes if c.action == "record.update"]
    assert len(updates) == 2 * len(STEPS)  # one change per record per step
    assert all(c.actor == f"shift/{shift.id}" and c.zones[0].serial for c in updates)
    assert updates[-1].after is not None and updates[-1].after["pool"] == "istio"
    assert changes[-1].action == "shift.completed"
    tick(store)  # nothing left to do
    assert store.get_shift(shift.id).history == done.history


def test_target_unhealthy_during_a_step_rolls_back_to_the_last_good_step(
    store: ZoneStore, vips: list[Vip], vip_port: int
) -> None:
    setup(store, vip_port, istio="127.0.0.3")
    shift = store.create_shift("istio", STEPS, 0, ACTOR, names=["www.example.com"])
    tick(store)
    tick(store)
    assert record(store)[1] == (Target("legacy", 75), Target("istio", 25))
    store.record_health([ProbeResult(Probe("istio", "127.0.0.3", "www.example.com"), False, "HTTP 503")])
    tick(store)
    done = store.get_shift(shift.id)
    assert done.status == "rolled_back" and done.percent == 5
    assert "target unhealthy during the step: www.example.com via 127.0.0.3" in done.reason
    assert record(store)[1] == (Target("legacy", 95), Target("istio", 5))


@pytest.fixture
def client(store: ZoneStore, db_url: str) -> Iterator[TestClient]:
    app: FastAPI = create_app(Settings(database_url=db_url, auth_disabled=True), store)
    with TestClient(app) as client:
        yield client


def test_api_starts_lists_and_controls(store: ZoneStore, client: TestClient, vip_port: int) -> None:
    setup(store, vip_port, istio="127.0.0.3")
    body = {"names": ["WWW.example.com."], "to": "istio", "steps": [10, 100], "every": "10m"}
    created = client.post("/shifts", json=body)
    assert created.status_code == 201, created.text
    shift = created.json()
    assert (shift["status"], shift["to"], shift["every"], shift["percent"]) == ("running", "istio", 600, 0)
    assert shift["records"] == [
        {"zone": "example.com", "name": "www.example.com", "type": "A", "original": {"legacy": 1}}
    ]
    again = client.post("/shifts", json=body)
    assert again.status_code == 409 and "www.example.com/A" in again.text
    assert [s["id"] for s in client.get("/shifts").json()["items"]] == [shift["id"]]
    paused = client.post(f"/shifts/{shift['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    twice = client.post(f"/shifts/{shift['id']}/pause")
    assert twice.status_code in (400, 422) and "action" in twice.text
    assert client.post(f"/shifts/{shift['id']}/resume").json()["status"] == "running"
    aborted = client.post(f"/shifts/{shift['id']}/abort")
    assert aborted.json()["status"] == "aborted"
    history = client.get(f"/shifts/{shift['id']}").json()["history"]
    assert [h["event"] for h in history] == ["start", "pause", "resume", "abort"]
    assert record(store) == ("legacy", ())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"names": ["www.example.com"], "to": "nope"}, "to"),
        ({"names": ["www.example.com"], "to": "istio", "steps": [50, 20, 100]}, "steps"),
        ({"names": ["www.example.com"], "to": "istio", "steps": [5, 50]}, "steps"),
        ({"names": ["www.example.com"], "to": "istio", "every": "soon"}, "every"),
        ({"to": "istio"}, "names"),
        ({"names": ["nothing.example.com"], "to": "istio"}, "names"),
        ({"owner": "ci:nobody", "to": "istio"}, "owner"),
    ],
)
def test_bad_input_names_the_field(
    store: ZoneStore, client: TestClient, vip_port: int, body: dict[str, object], field: str
) -> None:
    setup(store, vip_port, istio="127.0.0.3")
    reply = client.post("/shifts", json=body)
    assert 400 <= reply.status_code < 500, reply.text
    assert field in reply.text, reply.text
    assert store.list_shifts() == []
