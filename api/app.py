"""The application factory. Nothing is built at import time: call :func:`create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from api.bodies import BodyLimit, JsonBodies
from api.deps import AppContext, ReadyCheck
from api.errors import install_error_handlers
from api.metrics import RequestCounts, RequestMetrics
from api.metrics import router as metrics_router
from api.routes import bulk, changes, health, k8s, pools, records, shifts, sync, token, views, zones
from api.ui import mount_console
from dnsd import __version__
from dnsd.config import Settings
from dnsd.domain.records import TtlLimits
from dnsd.metrics import make_registry
from dnsd.store.engine import engine_from
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.blocked import BlockedCollector

log = logging.getLogger("dnsd.api")


def create_app(
    settings: Settings,
    store: ZoneStore | None = None,
    ready: ReadyCheck | None = None,
    registry: CollectorRegistry | None = None,
) -> FastAPI:
    """The HTTP API over ``store`` (built from ``settings.database_url`` when not given).

    ``ready`` reports whether the rest of the process (the DNS side's first snapshot) can serve;
    ``/readyz`` answers 503 with its reason while it says no. A store built here is closed
    when the app shuts down; a store passed in stays the caller's. ``/metrics`` exports
    ``registry`` (the DNS side's collectors when serving both) plus the API's request counts.
    """
    owned = store is None
    if store is None:
        limits = TtlLimits(settings.ttl_floor, settings.ttl_ceiling)
        store = ZoneStore(engine_from(settings), limits, settings.serial_policy)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            store.engine.dispose()

    app = FastAPI(
        title="dnsd",
        version=__version__,
        summary="Authoritative DNS for the custom domains of web services",
        lifespan=lifespan,
    )
    app.state.ctx = AppContext(settings, store, ready)
    install_error_handlers(app)
    app.add_middleware(JsonBodies)
    app.add_middleware(BodyLimit)
    counts = RequestCounts()
    app.state.registry = registry if registry is not None else make_registry()
    app.state.registry.register(counts)
    app.state.registry.register(BlockedCollector(SyncStatusStore(store.engine)))
    app.add_middleware(RequestMetrics, counts=counts)
    for module in (bulk, records, zones, pools, views, changes, shifts, sync, k8s, token, health):
        app.include_router(module.router)
    app.include_router(metrics_router)
    mount_console(app)
    if settings.auth_disabled:
        log.warning(
            "AUTHENTICATION IS DISABLED (dev mode): anyone who reaches this API may change every "
            "zone, pool and record, acting as %r. Use this for a local demo only.",
            "dev",
        )
    return app
