"""Lifecycle of one DNS serving process: load the snapshot, bind UDP and TCP, follow the feed.

``DnsServer`` is what tests and the combined ``dnsd serve`` embed (bind ``127.0.0.1`` port 0 and
read :attr:`DnsServer.port`); :func:`serve_dns` runs one until cancelled or until its ``stop``
event is set; :func:`run_dns` is the blocking entry point that picks uvloop when it is installed
and owns the signals: SIGTERM/SIGINT drain and exit, SIGHUP reloads the settings.

Nothing is bound before the first snapshot is loaded, so a server whose database is unreachable
at startup answers nothing (clients try another server) rather than answering falsely; after
``startup_timeout`` seconds it gives up (:class:`~dnsd.server.feed.SnapshotNotLoaded`) so that a
supervisor sees a failed process, not one that looks alive while serving nothing.
Stopping drains: UDP and the TCP listener close first, open TCP connections are closed as soon
as their pending query is answered, and whatever is left after ``drain_timeout`` is aborted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

from dnsd.config import Settings
from dnsd.domain.snapshot import Snapshot
from dnsd.metrics import make_registry
from dnsd.server import metrics as dns_metrics
from dnsd.server.feed import FeedFollower
from dnsd.server.holder import SnapshotHolder
from dnsd.server.listen import libpq_url, listen_for_changes
from dnsd.server.mmsg import make_udp_server
from dnsd.server.reload import reread
from dnsd.server.responder import Responder
from dnsd.server.rrl import RateLimiter
from dnsd.server.sockets import TCP_BACKLOG, bind_all, listen_hosts
from dnsd.server.state import ServerState
from dnsd.server.stats import DnsStats
from dnsd.server.tcp import DnsTcpProtocol, TcpLimits
from dnsd.server.transfers import TransferService
from dnsd.server.udp import UdpServer
from dnsd.server.watch import sqlite_path, watch_sqlite
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.server")

STOP_TIMEOUT = 5.0


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
        serve_metrics: bool = False,
        send_notify: bool = True,
        snapshot: Snapshot | None = None,
    ) -> None:
        self.settings = settings
        self.batched_udp = batched_udp
        self.hosts = listen_hosts(settings.dns_host if host is None else host)
        self.host = self.hosts[0]
        self.requested_port = settings.dns_port if port is None else port
        self.reuse_port = reuse_port
        self.state = state or ServerState()
        self.holder = SnapshotHolder(Snapshot({}), settings.response_cache_size)
        # AXFR/IXFR, TSIG and NOTIFY; its handlers go to the responder and the follower
        self.transfers = TransferService(store, self.holder, send_notify=send_notify)
        self.responder = Responder(
            self.holder, settings.version_bind, settings.server_id, transfer=self.transfers.transfer,
            tsig=self.transfers.sign, opcode_handlers=self.transfers.opcode_handlers(),
            ecs_trusted=settings.ecs_trusted.split(","),
        )  # fmt: skip
        self.follower = FeedFollower(
            store, self.holder, self.state, settings.feed_poll_interval,
            listeners=[self.transfers.on_changes], preparers=[self.transfers.prepare],
        )  # fmt: skip
        self.follower.preloaded = snapshot  # a worker forked after the load (see server.workers)
        self.limits = TcpLimits(
            settings.tcp_idle_timeout, settings.tcp_max_connections, settings.tcp_max_per_client
        )
        self.stats = DnsStats()
        self.limiter = RateLimiter(
            settings.rrl_responses_per_second, settings.rrl_slip, settings.rrl_exempt.split(",")
        )
        self.serve_metrics = serve_metrics and settings.metrics_port is not None
        self.port = 0
        self.metrics_port: int | None = None
        self._metrics: asyncio.Server | None = None
        self._udp: list[UdpServer] = []
        self._tcp: list[asyncio.Server] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.follower.load_initial(self.settings.startup_timeout)
        await self.transfers.start()
        bound = bind_all(self.hosts, self.requested_port, self.reuse_port)
        self.hosts = [host for host, _udp, _tcp in bound]
        self.port = bound[0][1].getsockname()[1]
        make = make_udp_server if self.batched_udp else UdpServer
        loop = asyncio.get_running_loop()
        for _host, udp_sock, tcp_sock in bound:
            udp = make(udp_sock, self.holder, self.responder, self.stats.udp, self.limiter)
            udp.start()
            self._udp.append(udp)
            self._tcp.append(await loop.create_server(self._protocol, sock=tcp_sock, backlog=TCP_BACKLOG))
        self._spawn(self.follower.run())
        if libpq_url(self.settings.database_url):
            self._spawn(listen_for_changes(self.settings.database_url, self.follower.wake))
        elif sqlite_path(self.settings.database_url):
            self._spawn(watch_sqlite(self.settings.database_url, self.follower.wake))
        log.info("DNS listening on %s port %d (UDP and TCP)", ", ".join(self.hosts), self.port)
        if self.serve_metrics and self.settings.metrics_port is not None:
            registry = make_registry(dns_metrics.DnsCollector(self))
            self._metrics = await dns_metrics.serve_metrics(
                registry, self.settings.api_host, self.settings.metrics_port
            )
            self.metrics_port = self._metrics.sockets[0].getsockname()[1]
            log.info("metrics on http://%s:%d/metrics", self.settings.api_host, self.metrics_port)

    def _protocol(self) -> DnsTcpProtocol:
        return DnsTcpProtocol(self.holder, self.responder, self.limits, self.stats.tcp)

    def reload(self) -> None:
        """SIGHUP: re-read the settings and apply the live ones (see :mod:`dnsd.server.reload`)."""
        result = reread(self.settings)
        if result is None:
            return
        settings, live = result
        try:
            self.limiter.configure(settings.rrl_responses_per_second, settings.rrl_slip,
                                   settings.rrl_exempt.split(","))  # fmt: skip
        except ValueError as exc:
            log.error("SIGHUP: bad rrl_exempt, rate limiting unchanged: %s", exc)
            return
        self.settings = settings
        self.limits.idle_timeout = settings.tcp_idle_timeout
        self.limits.max_connections = settings.tcp_max_connections
        self.limits.max_per_client = settings.tcp_max_per_client
        self.responder.version_bind, self.responder.server_id = settings.version_bind, settings.server_id
        self.follower.poll_interval = settings.feed_poll_interval
        if live:
            self.follower.wake()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(coro))

    async def stop(self) -> None:
        """Stop accepting, drain open TCP connections (bounded by ``drain_timeout``), then stop
        following the feed."""
        await self._drain()
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None
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
        await self.transfers.close()
        await asyncio.get_running_loop().run_in_executor(None, self.follower.close)

    async def _drain(self) -> None:
        for udp in self._udp:
            udp.close()
        self._udp.clear()
        if not self._tcp:
            return
        for listener in self._tcp:
            listener.close()  # no new connections from here on
        for conn in list(self.limits.open):
            conn.drain()
        deadline = asyncio.get_running_loop().time() + self.settings.drain_timeout
        while self.limits.open and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        if self.limits.open:
            log.warning("drain timeout: aborting %d TCP connections", len(self.limits.open))
        for conn in list(self.limits.open):
            conn.close()
        for listener in self._tcp:
            await listener.wait_closed()
        self._tcp.clear()

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
    stop: asyncio.Event | None = None,
    serve_metrics: bool = False,
    send_notify: bool = True,
    snapshot: Snapshot | None = None,
) -> None:
    """Serve DNS until cancelled or ``stop`` is set (then drain); ``on_ready(server)`` runs once
    the port is bound. SIGHUP reloads the settings while serving. ``send_notify``: this process
    sends the group's NOTIFYs (see :class:`dnsd.server.transfers.TransferService`).
    ``snapshot``: already loaded (a forked worker's); the feed moves it forward from its cursor."""
    server = DnsServer(
        settings, store, host=host, port=port, reuse_port=reuse_port, state=state,
        serve_metrics=serve_metrics, send_notify=send_notify, snapshot=snapshot,
    )  # fmt: skip
    stopped = asyncio.ensure_future((stop or asyncio.Event()).wait())
    starting = asyncio.ensure_future(server.start())
    try:
        await asyncio.wait([starting, stopped], return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # still waiting for the database: nothing is bound, nothing to drain
            starting.cancel()
            log.info("stopping before the first snapshot loaded")
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            return
        starting.result()
        if on_ready is not None:
            on_ready(server)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, server.reload)
        await stopped
    finally:
        stopped.cancel()
        if not starting.done():
            starting.cancel()
        await server.stop()


async def _until_signalled(main: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await main(stop)


def run_dns(settings: Settings, store: ZoneStore, **kwargs: Any) -> None:
    """Block serving DNS (arguments as :func:`serve_dns`) until SIGINT/SIGTERM (drain, then
    return); uses uvloop when it is installed."""
    main = _until_signalled(lambda stop: serve_dns(settings, store, stop=stop, **kwargs))
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
