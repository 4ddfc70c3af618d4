"""Member state in ``GET /pools/{name}`` and ``dnsd pool show``, and the ``dnsd shift`` commands."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.health import Probe, make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.zones import make_zone
from dnsd.store.health import ProbeResult
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient
from tests.helpers import dnsd_env, put, run_dnsd

ACTOR = "test:detail"


def setup(store: ZoneStore) -> None:
    store.create_zone(make_zone("example.com", ["ns1.example.com"]), ACTOR)
    check = make_check({"kind": "http", "port": 8080, "path": "/healthz", "fall": 1})
    store.create_pool(make_pool("gw", ["10.0.0.1", "10.0.0.2"], check=check), ACTOR)
    store.create_pool(make_pool("legacy", ["10.9.0.1"]), ACTOR)
    put(store, "www.example.com", pool="gw")
    put(store, "old.example.com", pool="legacy")
    store.record_health([
        ProbeResult(Probe("gw", "10.0.0.1", "www.example.com"), False, "HTTP 404 for /healthz"),
        ProbeResult(Probe("gw", "10.0.0.2", "www.example.com"), True),
    ])  # fmt: skip


@pytest.fixture
def client(store: ZoneStore, db_url: str) -> Iterator[TestClient]:
    app: FastAPI = create_app(Settings(database_url=db_url, auth_disabled=True), store)
    with TestClient(app) as client:
        yield client


def test_get_pool_shows_each_member_state(store: ZoneStore, client: TestClient) -> None:
    setup(store)
    body = client.get("/pools/gw").json()
    assert body["check"]["kind"] == "http" and body["check"]["path"] == "/healthz"
    states = {(m["address"], m["host"]): m for m in body["health"]}
    down = states[("10.0.0.1", "www.example.com")]
    assert down["state"] == "down" and down["last_error"] == "HTTP 404 for /healthz"
    assert down["last_check"] and down["last_change"]
    up = states[("10.0.0.2", "www.example.com")]
    assert up["state"] == "up" and up["last_check"] and up["last_change"] is None
    plain = client.get("/pools/legacy").json()
    assert plain["check"] is None and plain["health"] == []


def test_pool_show_prints_member_states(store: ZoneStore, db_url: str) -> None:
    setup(store)
    shown = run_dnsd(["pool", "show", "gw"], dnsd_env(db_url))
    assert shown.returncode == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if x.startswith("10.0.0.1"))
    assert "www.example.com" in line and "down" in line and "HTTP 404" in line
    data = json.loads(run_dnsd(["--json", "pool", "show", "gw"], dnsd_env(db_url)).stdout)
    assert {(m["address"], m["state"]) for m in data["health"]} == {("10.0.0.1", "down"), ("10.0.0.2", "up")}


def test_shift_commands(store: ZoneStore, db_url: str) -> None:
    setup(store)
    env = dnsd_env(db_url)
    started = run_dnsd(["--json", "shift", "start", "old.example.com", "--to", "gw", "--steps", "10,100",
                        "--every", "90s"], env)  # fmt: skip
    assert started.returncode == 0, started.stderr
    shift = json.loads(started.stdout)
    assert (shift["status"], shift["every"], shift["records"]) == ("running", 90.0, ["old.example.com/A"])
    listed = run_dnsd(["shift", "status"], env)
    assert "running" in listed.stdout and "gw" in listed.stdout
    assert run_dnsd(["shift", "pause", str(shift["id"])], env).returncode == 0
    again = run_dnsd(["shift", "pause", str(shift["id"])], env)
    assert again.returncode != 0 and "action" in again.stderr
    aborted = run_dnsd(["shift", "abort", str(shift["id"])], env)
    assert aborted.returncode == 0 and "aborted" in aborted.stdout
    detail = run_dnsd(["shift", "status", str(shift["id"])], env).stdout
    assert "pause" in detail and "abort" in detail
    bad = run_dnsd(["shift", "start", "old.example.com", "--to", "gw", "--steps", "50,20"], env)
    assert bad.returncode != 0 and "steps" in bad.stderr
