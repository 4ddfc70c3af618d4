"""A small Kubernetes API server for tests: list and watch of Services, Ingresses and Istio
Gateways/VirtualServices, as the Kubernetes API documents them, so the real ``kubernetes``
client runs unchanged against it.

Follows https://kubernetes.io/docs/reference/using-api/api-concepts/ :

* one ``resourceVersion`` counter for every object (as etcd's revision); a list returns
  ``metadata.resourceVersion`` of the collection;
* ``?watch=true&resourceVersion=RV`` streams, chunked, one JSON event per line
  (``ADDED``/``MODIFIED``/``DELETED`` with the full object; ``BOOKMARK`` with only
  ``metadata.resourceVersion`` when ``allowWatchBookmarks=true``); a ``resourceVersion`` older
  than the compacted history gets one ``ERROR`` event holding a ``Status`` with code 410;
  ``timeoutSeconds`` ends the stream;
* namespaced paths (``/namespaces/{ns}/...``) see only their namespace.

Test controls: :meth:`apply`, :meth:`delete`, :meth:`bookmark`, :meth:`compact`,
:meth:`block_watches` / :meth:`unblock_watches` (close streams and answer new watches 503),
``stall_lists`` (lists hang without an answer, as an overloaded API server's do, until
``release_lists``), and ``requests`` (every path and query seen).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ISTIO = "networking.istio.io"


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core group
    version: str
    plural: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def prefix(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"


SERVICES = Resource("", "v1", "services", "Service")
INGRESSES = Resource("networking.k8s.io", "v1", "ingresses", "Ingress")


def istio(plural: str, version: str) -> Resource:
    return Resource(
        ISTIO, version, plural, {"gateways": "Gateway", "virtualservices": "VirtualService"}[plural]
    )


def status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
    }  # fmt: skip


class FakeApiServer:
    """Serve ``resources`` (Istio at ``istio_versions`` only) on 127.0.0.1, an ephemeral port."""

    def __init__(self, istio_versions: tuple[str, ...] = ("v1",)) -> None:
        self.resources = [SERVICES, INGRESSES] + [
            istio(p, v) for v in istio_versions for p in ("gateways", "virtualservices")
        ]
        self.revision = 100
        self.compacted = 0  # watches from an older resourceVersion get 410 Gone
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (plural, ns, name)
        self.history: list[tuple[int, str, str, dict[str, Any]]] = []  # (rv, plural, type, object)
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.blocked = False
        self.lists_released = threading.Event()
        self.lists_released.set()
        self.generation = 0  # bumped to end every open stream
        self.cond = threading.Condition()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.lists_released.set()
        with self.cond:
            self.generation += 1
            self.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- test controls ------------------------------------------------------------------

    def _resource(self, kind: str) -> Resource:
        return next(r for r in reversed(self.resources) if r.kind == kind)

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Create or replace an object (``kind``, ``metadata.name``, optional namespace)."""
        res = self._resource(doc["kind"])
        with self.cond:
            self.revision += 1
            obj = copy.deepcopy(doc)
            obj["apiVersion"] = res.api_version
            meta = obj.setdefault("metadata", {})
            meta.setdefault("namespace", "default")
            key = (res.plural, meta["namespace"], meta["name"])
            old = self.objects.get(key)
            meta["uid"] = old["metadata"]["uid"] if old else f"uid-{self.revision}"
            meta["creationTimestamp"] = (
                old["metadata"]["creationTimestamp"]
                if old
                else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            )
            meta["resourceVersion"] = str(self.revision)
            self.objects[key] = obj
            self.history.append((self.revision, res.plural, "MODIFIED" if old else "ADDED", obj))
            self.cond.notify_all()
            return obj

    def delete(self, kind: str, name: str, namespace: str = "default") -> None:
        res = self._resource(kind)
        with self.cond:
            obj = self.objects.pop((res.plural, namespace, name))
            self.revision += 1
            gone = copy.deepcopy(obj)
            gone["metadata"]["resourceVersion"] = str(self.revision)
            self.history.append((self.revision, res.plural, "DELETED", gone))
            self.cond.notify_all()

    def bookmark(self) -> int:
        """Advance the revision (as other objects' writes would) and send every open
        bookmark-enabled watch a BOOKMARK at it; returns that resourceVersion."""
        with self.cond:
            self.revision += 1
            self.history.append((self.revision, "*", "BOOKMARK", {}))
            self.cond.notify_all()
            return self.revision

    def compact(self) -> None:
        """Forget the history: watches from any earlier resourceVersion now get 410 Gone."""
        with self.cond:
            self.compacted = self.revision
            self.history.clear()

    def stall_lists(self) -> None:
        """List requests get no answer until :meth:`release_lists` (or the server stops)."""
        self.lists_released.clear()

    def release_lists(self) -> None:
        self.lists_released.set()

    def block_watches(self) -> None:
        """End every open stream; answer new watch requests 503 until unblocked."""
        with self.cond:
            self.blocked = True
            self.generation += 1
            self.cond.notify_all()

    def unblock_watches(self) -> None:
        with self.cond:
            self.blocked = False

    def watch_requests(self, plural: str) -> list[dict[str, list[str]]]:
        return [q for path, q in self.requests if path.endswith("/" + plural) and q.get("watch")]

    # --- serving ------------------------------------------------------------------------

    def route(self, path: str) -> tuple[Resource, str | None] | None:
        for res in self.resources:
            pattern = re.escape(res.prefix) + r"(?:/namespaces/([^/]+))?/" + res.plural
            match = re.fullmatch(pattern, path)
            if match:
                return res, match.group(1)
        return None

    def list_body(self, res: Resource, namespace: str | None) -> dict[str, Any]:
        with self.cond:
            items = [
                self._list_item(res, obj)
                for (plural, ns, _), obj in sorted(self.objects.items())
                if plural == res.plural and namespace in (None, ns)
            ]
            return {
                "kind": f"{res.kind}List", "apiVersion": res.api_version,
                "metadata": {"resourceVersion": str(self.revision)}, "items": items,
            }  # fmt: skip

    @staticmethod
    def _list_item(res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        # Built-in lists omit kind/apiVersion on items; custom resource lists keep them.
        if res.group == ISTIO:
            return obj
        return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}

    def events(
        self, res: Resource, namespace: str | None, since: int, bookmarks: bool, deadline: float
    ) -> Iterator[dict[str, Any]]:
        """The watch stream from ``since`` until ``deadline`` or the stream is ended."""
        with self.cond:
            if since < self.compacted:
                message = f"too old resource version: {since} ({self.compacted})"
                yield {"type": "ERROR", "object": status(410, "Expired", message)}
                return
            generation, cursor = self.generation, since
            if since == 0:  # "any version": synthetic ADDED for what exists, then live
                cursor = self.revision
                initial = [
                    o for (p, ns, _), o in sorted(self.objects.items())
                    if p == res.plural and namespace in (None, ns)
                ]  # fmt: skip
            else:
                initial = []
        for obj in initial:
            yield {"type": "ADDED", "object": obj}
        while True:
            with self.cond:
                pending = [h for h in self.history if h[0] > cursor]
                if not pending:
                    self.cond.wait(timeout=max(0.0, min(0.5, deadline - time.monotonic())))
                if generation != self.generation or time.monotonic() >= deadline:
                    return
                pending = [h for h in self.history if h[0] > cursor]
            for rv, plural, kind, obj in pending:
                cursor = rv
                if kind == "BOOKMARK":
                    if bookmarks:
                        meta = {"resourceVersion": str(rv)}
                        yield {
                            "type": "BOOKMARK",
                            "object": {"kind": res.kind, "apiVersion": res.api_version, "metadata": meta},
                        }
                elif plural == res.plural and namespace in (None, obj["metadata"]["namespace"]):
                    yield {"type": kind, "object": obj}


def _handler(server: FakeApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            server.requests.append((url.path, query))
            routed = server.route(url.path)
            if routed is None:
                self._json(404, status(404, "NotFound", "the server could not find the requested resource"))
                return
            res, namespace = routed
            if query.get("watch", ["false"])[0] not in ("true", "1"):
                server.lists_released.wait(60)
                self._json(200, server.list_body(res, namespace))
                return
            if server.blocked:
                self._json(503, status(503, "ServiceUnavailable", "watches are blocked by the test"))
                return
            self._stream(res, namespace, query)

        def _stream(self, res: Resource, namespace: str | None, query: dict[str, list[str]]) -> None:
            since = int(query.get("resourceVersion", ["0"])[0] or 0)
            timeout = float(query.get("timeoutSeconds", ["1800"])[0])
            bookmarks = query.get("allowWatchBookmarks", ["false"])[0] == "true"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for event in server.events(res, namespace, since, bookmarks, time.monotonic() + timeout):
                    line = json.dumps(event).encode() + b"\n"
                    self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    return Handler
