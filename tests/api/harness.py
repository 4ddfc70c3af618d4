"""What the API tests share besides fixtures: the test client, request helpers, a live server."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.0 prefers the httpx2 package for its TestClient and warns (at import) when it
    # falls back to httpx, which is what the project's venv has; the client works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["DEADLINE", "TestClient", "bearer", "live_server", "record", "seed"]

DEADLINE = 15.0


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def seed(admin: TestClient) -> None:
    """Two zones and the two pools of the demo, through the API."""
    for zone in ("hello-web.com", "wudebao-web.com"):
        r = admin.post("/zones", json={"name": zone, "ns": [f"ns1.{zone}", f"ns2.{zone}"]})
        assert r.status_code == 201, r.text
    pools: dict[str, Any] = {
        "istio-ingressgateway": ["10.0.0.10", "fd00::10"],
        "legacy-ingress": ["10.0.1.10"],
    }
    for name, addresses in pools.items():
        r = admin.post("/pools", json={"name": name, "addresses": addresses})
        assert r.status_code == 201, r.text


def record(name: str, owner: str = "ci:pipeline-42", **fields: Any) -> dict[str, Any]:
    """A POST /records body; literal 192.0.2.1 unless ``values`` or ``pool`` is given."""
    body: dict[str, Any] = {"name": name, "type": "A", "owner": owner, **fields}
    if "values" not in body and "pool" not in body:
        body["values"] = ["192.0.2.1"]
    return body


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (ephemeral port) in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start in time"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(DEADLINE)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop in time"
