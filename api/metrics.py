"""``GET /metrics`` and the count of API requests by method, route template and status."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

router = APIRouter(tags=["health"])


class RequestCounts(Collector):
    """Requests by (method, route template, status); unmatched paths count as ``unmatched`` so
    a scanner cannot create a label per random URL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self.counts[(method, route, str(status))] += 1

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "dnsd_api_requests", "HTTP API requests", labels=["method", "route", "status"]
        )
        with self._lock:
            items = sorted(self.counts.items())
        for key, value in items:
            family.add_metric(list(key), value)
        yield family


class RequestMetrics:
    """ASGI middleware feeding :class:`RequestCounts` (outermost, so 413s are counted too)."""

    def __init__(self, app: ASGIApp, counts: RequestCounts) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.counts.add(scope["method"], template, status)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text format: the API's counters, and the DNS side's when in the same process.
    ``async`` so it runs on the event loop, which is also the DNS side's: reads never race it."""
    registry: CollectorRegistry = request.app.state.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
