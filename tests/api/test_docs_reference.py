"""docs/api.md says what the code does (issue 12 item 13): which endpoints need no token, and
every action the change log records."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from tests.api.harness import TestClient

ROOT = Path(__file__).resolve().parents[2]
API_DOC = (ROOT / "docs" / "api.md").read_text()


def documented_open_paths() -> set[str]:
    found = re.search(r"Every endpoint except (.+?) needs", API_DOC, re.DOTALL)
    assert found, "docs/api.md no longer lists the endpoints without a token"
    return set(re.findall(r"`(/[^`]*)`", found.group(1)))


def get_paths(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """Every GET path without parameters, into included routers too (FastAPI may keep those
    as ``_IncludedRouter`` entries with the ``original_router``)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from get_paths(inner.routes, prefix + route.include_context.prefix)
        elif "GET" in (getattr(route, "methods", None) or ()) and "{" not in route.path:
            yield prefix + route.path


def test_the_endpoints_without_a_token_are_the_documented_ones(app: FastAPI, client: TestClient) -> None:
    paths = set(get_paths(app.routes)) - {"/docs/oauth2-redirect"}  # part of /docs
    assert {"/records", "/zones", "/healthz", "/metrics"} <= paths
    open_paths = {path for path in paths if client.get(path).status_code != 401}
    assert open_paths == documented_open_paths()
    assert "/metrics" in open_paths


def documented_actions() -> set[str]:
    found = re.search(r"^Actions: (.+?)\n\n", API_DOC, re.DOTALL | re.MULTILINE)
    assert found, "docs/api.md no longer lists the change actions"
    actions: set[str] = set()
    for family in re.findall(r"`([a-z0-9_.|]+)`", found.group(1)):
        stem, _, last = family.rpartition(".")
        actions |= {f"{stem}.{verb}" for verb in last.split("|")} if stem else {family}
    return actions


def recorded_actions() -> set[str]:
    """Every ``action`` string the store writes into the change log."""
    actions: set[str] = set()
    for path in (ROOT / "dnsd" / "store").glob("*.py"):
        for line in path.read_text().splitlines():
            if "action=" in line or line.strip().startswith('action="'):
                actions |= set(re.findall(r'"([a-z0-9_]+\.[a-z0-9_.]+)"', line))
    return actions


def test_every_change_action_is_documented() -> None:
    recorded = recorded_actions()
    assert {"record.bulk", "record.create", "pool.update"} <= recorded
    assert recorded <= documented_actions()
