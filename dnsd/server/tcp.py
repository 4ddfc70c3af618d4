"""TCP transport (RFC 7766): 2-byte length framing, many queries per connection answered as
each frame completes (pipelining), an idle timeout, and caps on connections in total and per
client address. A half-sent frame just waits for the rest or for the idle timeout.

Draining (SIGTERM): :meth:`DnsTcpProtocol.drain` closes a connection as soon as it holds no
partial frame (after flushing the answers written so far); one with a partial frame is closed
once that frame is answered. The server aborts whatever is left when its drain timeout ends."""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections import Counter
from typing import cast

from dnsd.server.holder import SnapshotHolder
from dnsd.server.responder import Responder
from dnsd.server.stats import TransportStats

log = logging.getLogger("dnsd.server")


_frame_length = struct.Struct("!H").pack  # the 2-octet length before each message (RFC 1035 4.2.2)


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

    def __init__(
        self,
        holder: SnapshotHolder,
        responder: Responder,
        limits: TcpLimits,
        stats: TransportStats | None = None,
    ) -> None:
        self.holder = holder
        self.responder = responder
        self.limits = limits
        self.stats = stats or TransportStats()
        self.draining = False
        self.buffer = bytearray()
        self.client = ""
        self.transport: asyncio.Transport | None = None
        self._last = 0.0
        self._loop = asyncio.get_running_loop()  # protocols are built on the loop that runs them
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
        self._last = self._loop.time()
        self._timer = self._loop.call_later(self.limits.idle_timeout, self._check_idle)

    def data_received(self, data: bytes) -> None:
        """Answer every complete frame in ``data`` (plus what was left over), in one write."""
        if self.transport is None:
            return
        started, self._last = time.perf_counter(), self._loop.time()
        if self.buffer:
            self.buffer += data
            data = bytes(self.buffer)
            self.buffer.clear()
        served = self.holder.current
        get = (served.caches[served.slot_of(self.client)] if served.views else served.cache).tcp.get
        hits = self.stats.hits
        pieces: list[bytes] = []
        pos, size, count = 0, len(data), 0
        while size - pos >= 2:
            end = pos + 2 + ((data[pos] << 8) | data[pos + 1])
            if end > size:
                break
            body = get(data[pos + 4 : end])
            if body is None:
                pieces += self._full_path(data[pos + 2 : end])
            else:
                hits[body] += 1
                pieces += (_frame_length(len(body) + 2), data[pos + 2 : pos + 4], body)
            pos, count = end, count + 1
        if pos < size:
            self.buffer += data[pos:]
        if pieces:
            self.transport.write(b"".join(pieces))
        if count:
            self.stats.batch(time.perf_counter() - started, count)
        if self.draining and not self.buffer:
            self.transport.close()

    def _full_path(self, message: bytes) -> list[bytes]:
        try:
            responses = self.responder.respond_all(message, True, self.client)
        except Exception:  # a bug must not stop the connection; the responder logs its own
            log.exception("unexpected error answering a TCP message from %s", self.client)
            return []
        for response in responses:
            self.stats.response(response)
        return [piece for r in responses for piece in (_frame_length(len(r)), r)]

    def _check_idle(self) -> None:
        if self.transport is None:
            return
        remaining = self._last + self.limits.idle_timeout - self._loop.time()
        if remaining > 0:
            self._timer = self._loop.call_later(remaining, self._check_idle)
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

    def drain(self) -> None:
        """Close once no partial frame is pending (answers already written are flushed first)."""
        self.draining = True
        if self.transport is not None and not self.buffer:
            self.transport.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()
