"""TCP transport (RFC 7766): 2-byte length framing, many queries per connection answered as
each frame completes (pipelining), an idle timeout, and caps on connections in total and per
client address. A half-sent frame just waits for the rest or for the idle timeout."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import cast

from dnsd.server.holder import SnapshotHolder
from dnsd.server.responder import Responder

log = logging.getLogger("dnsd.server")


class TcpLimits:
    """Connection accounting shared by every connection of one listener."""

    def __init__(self, idle_timeout: float, max_connections: int, max_per_client: int) -> None:
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.max_per_client = max_per_client
        self.per_client: Counter[str] = Counter()
        self.open: set[DnsTcpProtocol] = set()

    def admit(self, conn: DnsTcpProtocol, client: str) -> bool:
        if len(self.open) >= self.max_connections or self.per_client[client] >= self.max_per_client:
            return False
        self.open.add(conn)
        self.per_client[client] += 1
        return True

    def release(self, conn: DnsTcpProtocol, client: str) -> None:
        if conn in self.open:
            self.open.discard(conn)
            self.per_client[client] -= 1
            if self.per_client[client] <= 0:
                del self.per_client[client]


class DnsTcpProtocol(asyncio.Protocol):
    """One client connection."""

    def __init__(self, holder: SnapshotHolder, responder: Responder, limits: TcpLimits) -> None:
        self.holder = holder
        self.responder = responder
        self.limits = limits
        self.buffer = bytearray()
        self.client = ""
        self.transport: asyncio.Transport | None = None
        self._last = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's is one without subclassing it
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if peer else "?"
        if not self.limits.admit(self, self.client):
            log.warning("refusing TCP connection from %s: connection limit reached", self.client)
            transport.abort()
            return
        self.transport = transport
        loop = asyncio.get_running_loop()
        self._last = loop.time()
        self._timer = loop.call_later(self.limits.idle_timeout, self._check_idle)

    def data_received(self, data: bytes) -> None:
        if self.transport is None:
            return
        self._last = asyncio.get_running_loop().time()
        buffer = self.buffer
        buffer += data
        pos, size = 0, len(buffer)
        while size - pos >= 2:
            length = (buffer[pos] << 8) | buffer[pos + 1]
            if size - pos - 2 < length:
                break
            self._answer(bytes(buffer[pos + 2 : pos + 2 + length]))
            pos += 2 + length
        if pos:
            del buffer[:pos]

    def _answer(self, message: bytes) -> None:
        assert self.transport is not None
        body = self.holder.current.cache.tcp.get(message[2:])
        if body is not None:
            size = len(body) + 2
            self.transport.write(bytes((size >> 8, size & 0xFF)) + message[:2] + body)
            return
        try:
            responses = self.responder.respond_all(message, True)
        except Exception:
            log.exception("unexpected error answering a TCP message from %s", self.client)
            return
        for response in responses:
            self.transport.write(len(response).to_bytes(2, "big") + response)

    def _check_idle(self) -> None:
        if self.transport is None:
            return
        loop = asyncio.get_running_loop()
        remaining = self._last + self.limits.idle_timeout - loop.time()
        if remaining > 0:
            self._timer = loop.call_later(remaining, self._check_idle)
            return
        self.transport.abort()  # idle (or stuck mid-frame): nothing of value left to flush

    def pause_writing(self) -> None:  # the client is not reading its answers: stop reading too
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None:
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.limits.release(self, self.client)
        self.transport = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()
