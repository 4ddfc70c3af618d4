"""A real TCP relay to PostgreSQL that can freeze, to test a database that stops answering."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


class FreezableProxy:
    """A TCP relay to the real PostgreSQL that can freeze: it then stops relaying on every open
    connection and accepts new ones without ever answering, as a stopped server would."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = threading.Event()
        self.stop = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port: int = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = [self.server]
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                client = self.server.accept()[0]
            except TimeoutError:
                continue
            self.sockets.append(client)
            if self.frozen.is_set():
                continue  # held open, never answered
            upstream = socket.create_connection(self.target)
            self.sockets.append(upstream)
            thread = threading.Thread(target=self._relay, args=(client, upstream), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        while not self.stop.is_set():
            if self.frozen.is_set():
                time.sleep(0.05)
                continue
            readable, _, _ = select.select(list(peers), [], [], 0.05)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                peers[sock].sendall(data)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(5)
        for sock in self.sockets:
            sock.close()


@contextmanager
def proxied(url: str) -> Iterator[tuple[FreezableProxy, str]]:
    """A proxy in front of the PostgreSQL of ``url``, and ``url`` rewritten to go through it."""
    parts = urlsplit(url)
    relay = FreezableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    netloc = f"{parts.username}@127.0.0.1:{relay.port}" if parts.username else f"127.0.0.1:{relay.port}"
    try:
        yield relay, urlunsplit(parts._replace(netloc=netloc))
    finally:
        relay.close()
