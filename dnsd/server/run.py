"""Lifecycle of one DNS serving process: load the snapshot, bind UDP and TCP, follow the feed.

``DnsServer`` is what tests and the combined ``dnsd serve`` embed (bind ``127.0.0.1`` port 0 and
read :attr:`DnsServer.port`); :func:`serve_dns` runs one until cancelled; :func:`run_dns` is the
blocking entry point that picks uvloop when it is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

from dnsd.config import Settings
from dnsd.domain.snapshot import Snapshot
from dnsd.server.feed import FeedFollower
from dnsd.server.holder import SnapshotHolder
from dnsd.server.listen import libpq_url, listen_for_changes
from dnsd.server.mmsg import make_udp_server
from dnsd.server.responder import Responder
from dnsd.server.state import ServerState
from dnsd.server.tcp import DnsTcpProtocol, TcpLimits
from dnsd.server.udp import UdpServer
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.server")

TCP_BACKLOG = 1024
STOP_TIMEOUT = 5.0
SOCKET_BUFFER = 4 << 20  # absorbs bursts; the kernel caps it at net.core.[rw]mem_max


def bind_sockets(host: str, port: int, reuse_port: bool = False) -> tuple[socket.socket, socket.socket]:
    """A UDP and a listening TCP socket on the same ``host`` and ``port`` (0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _attempt in range(50):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        tcp = socket.socket(family, socket.SOCK_STREAM)
        try:
            for sock in (udp, tcp):
                if reuse_port:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
                with contextlib.suppress(OSError):
                    udp.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
            udp.bind((host, port))
            tcp.bind((host, udp.getsockname()[1]))
            tcp.listen(TCP_BACKLOG)
            return udp, tcp
        except OSError:
            udp.close()
            tcp.close()
            if port != 0:
                raise
    raise OSError(f"no port free for both UDP and TCP on {host}")


class DnsServer:
    """One serving process's DNS side. ``async with DnsServer(...) as server`` loads the full
    snapshot (waiting for the database if need be), binds, and starts following the feed."""

    def __init__(
        self,
        settings: Settings,
        store: ZoneStore,
        *,
        host: str | None = None,
        port: int | None = None,
        reuse_port: bool = False,
        state: ServerState | None = None,
        batched_udp: bool = True,
    ) -> None:
        self.settings = settings
        self.batched_udp = batched_udp
        self.host = settings.dns_host if host is None else host
        self.requested_port = settings.dns_port if port is None else port
        self.reuse_port = reuse_port
        self.state = state or ServerState()
        self.holder = SnapshotHolder(Snapshot({}), settings.response_cache_size)
        self.responder = Responder(self.holder, settings.version_bind, settings.server_id)
        self.follower = FeedFollower(store, self.holder, self.state, settings.feed_poll_interval)
        self.limits = TcpLimits(
            settings.tcp_idle_timeout, settings.tcp_max_connections, settings.tcp_max_per_client
        )
        self.port = 0
        self._udp: UdpServer | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.follower.load_initial()
        udp_sock, tcp_sock = bind_sockets(self.host, self.requested_port, self.reuse_port)
        self.port = udp_sock.getsockname()[1]
        make = make_udp_server if self.batched_udp else UdpServer
        self._udp = make(udp_sock, self.holder, self.responder)
        self._udp.start()
        loop = asyncio.get_running_loop()
        self._tcp = await loop.create_server(self._protocol, sock=tcp_sock, backlog=TCP_BACKLOG)
        self._spawn(self.follower.run())
        if libpq_url(self.settings.database_url):
            self._spawn(listen_for_changes(self.settings.database_url, self.follower.wake))
        log.info("DNS listening on %s port %d (UDP and TCP)", self.host, self.port)

    def _protocol(self) -> DnsTcpProtocol:
        return DnsTcpProtocol(self.holder, self.responder, self.limits)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(coro))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            done, pending = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.error("background task failed", exc_info=task.exception())
            for task in pending:
                log.warning("background task %s did not stop within %ss", task.get_name(), STOP_TIMEOUT)
        self._tasks.clear()
        await asyncio.get_running_loop().run_in_executor(None, self.follower.close)
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            for conn in list(self.limits.open):
                conn.close()
            await self._tcp.wait_closed()
            self._tcp = None

    async def __aenter__(self) -> DnsServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


async def serve_dns(
    settings: Settings,
    store: ZoneStore,
    *,
    host: str | None = None,
    port: int | None = None,
    reuse_port: bool = False,
    state: ServerState | None = None,
    on_ready: Callable[[DnsServer], None] | None = None,
) -> None:
    """Serve DNS until cancelled; ``on_ready(server)`` runs once the port is bound."""
    async with DnsServer(settings, store, host=host, port=port, reuse_port=reuse_port, state=state) as server:
        if on_ready is not None:
            on_ready(server)
        await asyncio.Event().wait()


async def _until_signalled(main: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(main)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def run_dns(settings: Settings, store: ZoneStore, **kwargs: Any) -> None:
    """Block serving DNS (arguments as :func:`serve_dns`) until SIGINT/SIGTERM; uses uvloop
    when it is installed."""
    main = _until_signalled(serve_dns(settings, store, **kwargs))
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
