"""Several DNS processes on one port: each binds its own UDP and TCP sockets with SO_REUSEPORT
and the kernel spreads clients across them. The parent loads the snapshot once, freezes it
(``gc.freeze``) and forks the workers, so its pages are shared copy-on-write rather than loaded
N times (a million records: one copy, not N; bench/RESULTS.md); each worker then follows the
feed itself from that snapshot's cursor, so they need nothing from each other. The parent
only starts and restarts them (a restarted worker starts from the parent's snapshot and
catches up through the feed), and passes SIGHUP on. Workers serve no metrics port of their own
(``metrics_port`` is ignored). Only worker 0 (and the worker restarted in its place) sends
NOTIFY: one per zone change for the group, not one per worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType

from dnsd.config import Settings
from dnsd.domain.errors import DnsdError, StoreUnavailable
from dnsd.domain.snapshot import Snapshot
from dnsd.server.feed import load_snapshot
from dnsd.server.run import DnsServer, run_dns
from dnsd.server.sockets import bind_all, listen_hosts
from dnsd.store.engine import engine_from
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.server")

RESTART_DELAY = 1.0


def _worker(
    settings: Settings,
    port: int,
    ready: Connection,
    index: int,
    snapshot: Snapshot | None,
    reserved: list[socket.socket],
) -> None:
    for sock in reserved:  # the parent's port reservation, inherited by fork: not ours to hold
        sock.close()  # (in the SO_REUSEPORT group it would take a share of the queries)

    def on_ready(server: DnsServer) -> None:
        ready.send(server.port)
        ready.close()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # the parent's handlers: not ours
        signal.signal(sig, signal.SIG_DFL)
    store = ZoneStore(engine_from(settings))  # its own connections: none cross the fork
    try:
        run_dns(
            settings, store, port=port, reuse_port=True, on_ready=on_ready, send_notify=index == 0,
            snapshot=snapshot,
        )  # fmt: skip
    except DnsdError as exc:  # a failed start: one line in the log, not a traceback
        log.error("DNS worker %d: %s", os.getpid(), exc)
        raise SystemExit(1) from None


class DnsWorkers:
    """Runs ``count`` worker processes on ``settings.dns_host``/``dns_port`` (0: a free port,
    reserved by the parent until every worker has bound it)."""

    def __init__(self, settings: Settings, count: int | None = None) -> None:
        self.settings = settings
        self.count = max(1, count or settings.dns_workers)
        self.port = settings.dns_port
        self.processes: list[BaseProcess] = []
        self._index: dict[BaseProcess, int] = {}  # worker number: 0 sends NOTIFY
        self._context = multiprocessing.get_context("fork")
        self._stopping = False
        self.snapshot: Snapshot | None = None  # loaded here, shared with the workers by fork
        self._reserved: list[socket.socket] = []  # bound until every worker has bound the port

    def start(self, timeout: float = 120.0) -> int:
        """Start every worker and wait until each has bound the port; return the port."""
        bound = bind_all(listen_hosts(self.settings.dns_host), self.port, reuse_port=True)
        self.port = bound[0][1].getsockname()[1]
        self.snapshot = self._preload()
        self._reserved = [sock for _host, udp, tcp in bound for sock in (udp, tcp)]
        try:
            pipes = [self._spawn(index) for index in range(self.count)]
            deadline = time.monotonic() + timeout
            for pipe in pipes:
                if not pipe.poll(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError(f"a DNS worker did not start within {timeout:.0f}s")
                try:
                    pipe.recv()
                except EOFError:  # it exited first (its own log says why): so does the parent
                    raise DnsdError("a DNS worker exited before serving; its log above says why") from None
        finally:
            for _host, udp, tcp in bound:  # from here on only the workers hold the port
                udp.close()
                tcp.close()
        log.info("%d DNS workers serving %s port %d", self.count, self.settings.dns_host, self.port)
        return self.port

    def _preload(self) -> Snapshot | None:
        """The snapshot, loaded once for every worker; None when the database cannot be read
        now (each worker then waits for it and loads its own, as a single process does)."""
        engine = engine_from(self.settings)
        try:
            snapshot = load_snapshot(ZoneStore(engine))
        except StoreUnavailable as exc:
            log.warning("snapshot not preloaded for the DNS workers (each will load its own): %s", exc)
            return None
        finally:
            engine.dispose()  # no connection may be shared with the forked workers
        log.info(
            "snapshot loaded for %d DNS workers: %d zones, cursor %d",
            self.count,
            len(snapshot.zones),
            snapshot.cursor,
        )
        return snapshot

    def _spawn(self, index: int) -> Connection:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_worker,
            args=(self.settings, self.port, sender, index, self.snapshot, self._reserved),
            daemon=True,
        )
        process.start()
        sender.close()
        self.processes.append(process)
        self._index[process] = index
        return receiver

    def supervise(self) -> None:
        """Restart workers that die, until :meth:`stop` (or SIGTERM/SIGINT via :meth:`run`)."""
        while not self._stopping:
            wait([p.sentinel for p in self.processes], timeout=1.0)
            for process in [p for p in self.processes if not p.is_alive()]:
                self.processes.remove(process)
                index = self._index.pop(process)
                if self._stopping:
                    break
                log.error("DNS worker %s exited with %s; restarting", process.pid, process.exitcode)
                time.sleep(RESTART_DELAY)
                self._spawn(index)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
        self.processes.clear()
        self._index.clear()

    def run(self, on_ready: Callable[[int], None] | None = None) -> None:
        """Start, call ``on_ready(port)``, supervise until SIGTERM/SIGINT, stop every worker."""

        def _signalled(_signum: int, _frame: FrameType | None) -> None:
            self._stopping = True

        def _reload(_signum: int, _frame: FrameType | None) -> None:
            for process in self.processes:  # each worker reloads its own settings
                if process.pid is not None and process.is_alive():
                    os.kill(process.pid, signal.SIGHUP)

        signal.signal(signal.SIGTERM, _signalled)
        signal.signal(signal.SIGINT, _signalled)
        signal.signal(signal.SIGHUP, _reload)
        self.start()
        if on_ready is not None:
            on_ready(self.port)
        try:
            self.supervise()
        finally:
            self.stop()
