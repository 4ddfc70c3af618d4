"""End-to-end fixtures: a real DnsServer on 127.0.0.1 port 0 in a thread of its own (uvloop),
fed from the ``store`` fixture (SQLite and PostgreSQL), and clients: dnspython and ``dig``.

``port`` is the port of a server that only answers: one per test module, on its own SQLite
database holding :func:`populate`'s zone, shared by the tests that ask nothing else of the data.
A test that also takes ``store``, ``zone_store`` or ``db_url`` (it may change the data the
server serves), or is marked ``own_server``, gets a server of its own, as ``dns_server`` gives."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import pytest
import uvloop

from dnsd.config import Settings
from dnsd.domain.pools import make_pool
from dnsd.server.run import DnsServer
from dnsd.store.engine import make_engine
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests import helpers

OWNER = "ci:e2e"
ZONE = "hello-web.com"
BIG_TXT = ['"' + chr(ord("a") + i) * 200 + '"' for i in range(8)]  # ~1.6 KB: over 1232
MANY_A = [f"10.1.{i // 256}.{i % 256}" for i in range(100)]  # ~1.6 KB


def put(store: ZoneStore, name: str, rtype: str, values: list[str] | None = None, pool: str | None = None,
        ttl: int = 300) -> None:  # fmt: skip
    helpers.put(store, name or "@", rtype, values, pool=pool, ttl=ttl, owner=OWNER, zone=ZONE)


def populate(store: ZoneStore) -> None:
    """The test zone: every shape the engine answers differently."""
    store.create_zone(make_zone(ZONE, [f"ns1.{ZONE}", f"ns2.{ZONE}"], minimum=60), "test")
    store.create_zone(make_zone("other.test", [f"ns1.{ZONE}"]), "test")
    store.create_pool(make_pool("istio-ingressgateway", ["10.0.0.1", "10.0.0.2", "fd00::1"]), "test")
    put(store, "ns1", "A", ["10.53.0.1"])
    put(store, "ns2", "AAAA", ["fd00::53"])
    put(store, "www", "A", pool="istio-ingressgateway")
    put(store, "www", "AAAA", pool="istio-ingressgateway")
    put(store, "mail", "MX", [f"10 mx.{ZONE}"])
    put(store, "mx", "A", ["10.0.0.25"])
    put(store, "txt", "TXT", ['"hello world"'])
    put(store, "big", "TXT", BIG_TXT)
    put(store, "many", "A", MANY_A)
    put(store, "*.apps", "A", ["10.0.0.8"])
    put(store, "x.apps", "TXT", ['"not the wildcard"'])
    put(store, "a.b.c", "A", ["10.0.0.9"])  # b.c and c are empty non-terminals
    put(store, "alias", "CNAME", [f"www.{ZONE}"])
    put(store, "chain1", "CNAME", [f"chain2.{ZONE}"])
    put(store, "chain2", "CNAME", [f"www.{ZONE}"])
    put(store, "loop1", "CNAME", [f"loop2.{ZONE}"])
    put(store, "loop2", "CNAME", [f"loop1.{ZONE}"])
    put(store, "out", "CNAME", ["www.example.org"])
    put(store, "sub", "NS", [f"ns.sub.{ZONE}"])
    put(store, "ns.sub", "A", ["10.0.1.1"])
    put(store, "dn", "DNAME", [f"target.{ZONE}"])
    put(store, "host.target", "A", ["10.0.2.1"])
    put(store, "_http._tcp", "SRV", [f"0 5 80 www.{ZONE}"])
    put(store, "", "CAA", ['0 issue "letsencrypt.org"'])
    store.create_zone(make_zone(f"kids.{ZONE}", [f"ns1.{ZONE}"]), "test")  # a zone inside ours
    put(store, "www.kids", "A", ["10.0.3.1"])


@dataclass
class ServerThread:
    """A DnsServer running on its own event loop in a daemon thread."""

    settings: Settings
    store: ZoneStore
    use_uvloop: bool = True
    batched_udp: bool = True
    server: DnsServer | None = None
    loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None
    _started: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None

    def start(self) -> ServerThread:
        self._thread = threading.Thread(target=self._run, name="dnsd-test-server", daemon=True)
        self._thread.start()
        if not self._started.wait(30):
            raise TimeoutError("server did not start within 30 s")
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        self.loop = uvloop.new_event_loop() if self.use_uvloop else asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self._main())
        finally:
            self.loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            self.server = DnsServer(
                self.settings, self.store, host="127.0.0.1", port=0, batched_udp=self.batched_udp
            )
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            self._started.set()
            raise
        self._started.set()
        await self._stop.wait()
        await self.server.stop()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the server's loop and return its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(_as_coro(fn), self.loop).result(10)

    def stop(self) -> None:
        if self.loop is not None and self._stop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)


async def _as_coro(fn: Callable[[], Any]) -> Any:
    return fn()


def server_settings(db_url: str, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "database_url": db_url, "feed_poll_interval": 0.05, "version_bind": "dnsd-test",
        "server_id": "e2e-1", "tcp_idle_timeout": 2.0,
    }  # fmt: skip
    return Settings(**{**base, **overrides})


@pytest.fixture
def zone_store(store: ZoneStore) -> ZoneStore:
    populate(store)
    return store


@pytest.fixture
def dns_server(zone_store: ZoneStore, db_url: str) -> Iterator[ServerThread]:
    thread = ServerThread(server_settings(db_url), zone_store).start()
    yield thread
    thread.stop()


@contextmanager
def sqlite_server(directory: Path, template: Path) -> Iterator[ServerThread]:
    """A server on a new SQLite database in ``directory`` holding :func:`populate`'s data."""
    path = directory / "dnsd.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    store = ZoneStore(make_engine(url))
    populate(store)
    thread = ServerThread(server_settings(url), store).start()
    try:
        yield thread
    finally:
        thread.stop()
        store.engine.dispose()


@pytest.fixture(scope="module")
def shared_dns_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[ServerThread]:
    """A server for the tests of one module that only read."""
    with sqlite_server(tmp_path_factory.mktemp("e2e-shared"), sqlite_template) as thread:
        yield thread


OWN_SERVER_FIXTURES = frozenset({"store", "zone_store", "db_url", "dns_server"})


@pytest.fixture
def port(request: pytest.FixtureRequest) -> int:
    """The shared server's port, or a server of this test's own (see the module docstring)."""
    if OWN_SERVER_FIXTURES & set(request.fixturenames):
        server: ServerThread = request.getfixturevalue("dns_server")
        return server.port
    if request.node.get_closest_marker("own_server"):
        tmp_path: Path = request.getfixturevalue("tmp_path")
        own = sqlite_server(tmp_path, request.getfixturevalue("sqlite_template"))
        request.addfinalizer(lambda: own.__exit__(None, None, None))
        return own.__enter__().port
    server = request.getfixturevalue("shared_dns_server")
    return server.port


def udp(port: int, name: str, rtype: str = "A", **kwargs: Any) -> dns.message.Message:
    query = dns.message.make_query(name, rtype, **kwargs)
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=3)


def tcp(port: int, name: str, rtype: str = "A", **kwargs: Any) -> dns.message.Message:
    return dns.query.tcp(dns.message.make_query(name, rtype, **kwargs), "127.0.0.1", port=port, timeout=3)


@dataclass
class Dig:
    """The parts of dig's output the tests look at."""

    status: str
    flags: set[str]
    sections: dict[str, list[str]]
    edns: str | None
    text: str

    def records(self, section: str = "ANSWER") -> list[list[str]]:
        return [line.split() for line in self.sections.get(section, [])]


def dig(port: int, *args: str) -> Dig:
    """Run the real ``dig @127.0.0.1 -p PORT ...`` and parse its output."""
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+time=3", "+tries=1", *args],
        capture_output=True, text=True, timeout=30, check=False,
    ).stdout  # fmt: skip
    status = re.search(r"status: (\w+)", out)
    flags = re.search(r";; flags: ([a-z ]*);", out)
    edns = re.search(r"; EDNS: (.*)", out)
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in out.splitlines():
        header = re.match(r";; (\w+) SECTION:", line)
        if header:
            current = header.group(1)
            sections[current] = []
        elif not line.strip():
            current = None
        elif current and current != "QUESTION" and not line.startswith(";"):
            sections[current].append(line)
        elif current == "QUESTION":
            sections[current].append(line.lstrip(";"))
    return Dig(
        status.group(1) if status else "", set(flags.group(1).split()) if flags else set(), sections,
        edns.group(1) if edns else None, out,
    )  # fmt: skip
