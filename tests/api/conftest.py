"""Fixtures for the HTTP API: the real app on the real database (both backends) and tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.app import create_app
from dnsd.config import Settings
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, auth_disabled=False)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The app with no credentials; ``with`` runs its lifespan (and closes its store at the end)."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def admin_token(store: ZoneStore) -> str:
    return store.create_token("admin", "write")[1]


@pytest.fixture
def admin(app: FastAPI, admin_token: str) -> Iterator[TestClient]:
    """A client carrying an admin token (write scope, no zone list)."""
    with TestClient(app, headers=bearer(admin_token)) as c:
        yield c
