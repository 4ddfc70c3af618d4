"""Real HTTP servers on loopback addresses acting as VIPs (127.0.0.x, one port for all).

A :class:`Vip` answers ``GET`` with 200 for the hosts it routes and 404 for any other Host,
like an Istio ingressgateway without a VirtualService for the host; ``routes=None`` routes
every host (a legacy ingress). :meth:`Vip.stop` closes its socket, so probes get refused.
"""

from __future__ import annotations

import random
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port(addresses: list[str]) -> int:
    """A TCP port free on every one of ``addresses``."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for address in addresses:
                sock = socket.socket()
                socks.append(sock)
                sock.bind((address, port))
            return port
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no common free port")


class Vip:
    def __init__(self, address: str, port: int, routes: set[str] | None = None) -> None:
        self.address, self.port, self.routes = address, port, routes
        self.seen: list[str] = []  # Host headers received
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Vip:
        vip = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                vip.seen.append(host)
                routed = vip.routes is None or host in vip.routes
                self.send_response(200 if routed else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((self.address, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
