"""Fixtures of the server-side console tests: the app (authentication on) and seeded tokens."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from api.app import create_app
from dnsd.config import Settings
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record, seed


@pytest.fixture
def app(db_url: str) -> FastAPI:
    return create_app(Settings(database_url=db_url, auth_disabled=False))


@pytest.fixture
def seeded(app: FastAPI, store: ZoneStore) -> dict[str, str]:
    admin = store.create_token("admin", "write")[1]
    with TestClient(app, headers=bearer(admin)) as c:
        seed(c)
        assert (
            c.post("/records", json=record("www.hello-web.com", pool="istio-ingressgateway")).status_code
            == 201
        )
        assert c.post("/records", json=record("shop.wudebao-web.com", owner="user:bob")).status_code == 201
    return {
        "admin": admin,
        "read": store.create_token("reader", "read")[1],
        "wudebao": store.create_token("wudebao", "write", zones=["wudebao-web.com"])[1],
    }
