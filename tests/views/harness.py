"""Views and weighted answers through real sockets: a real DnsServer (tests/e2e's thread), the
serving snapshot built by :func:`dnsd.server.serving.serving_snapshot` from domain objects, and
dnspython clients bound to loopback source addresses (the whole 127.0.0.0/8 is bindable)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.views import View
from dnsd.domain.zones import Zone, make_zone
from dnsd.server.serving import serving_snapshot
from dnsd.store.engine import make_engine
from dnsd.store.serving_state import ServingState
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ServerThread, server_settings

ZONE = "hello-web.com"


def zone() -> Zone:
    return make_zone(ZONE, [f"ns1.{ZONE}"], minimum=60)


@contextmanager
def server(
    directory: Path, template: Path, *, batched: bool = True, **settings: Any
) -> Iterator[ServerThread]:
    """A real server on an empty SQLite database (its snapshot is swapped in by :func:`serve`)."""
    path = directory / "dnsd.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    store = ZoneStore(make_engine(url))
    thread = ServerThread(server_settings(url, **settings), store, batched_udp=batched).start()
    try:
        yield thread
    finally:
        thread.stop()
        store.engine.dispose()


def serve(
    thread: ServerThread,
    rrsets: Sequence[RRset],
    pools: Sequence[Pool],
    views: Sequence[View] = (),
    states: Mapping[tuple[str, ...], str] | None = None,
) -> None:
    """Serve ``rrsets`` (one zone) with ``pools``, ``views`` and member ``states``."""
    assert thread.server is not None
    state = ServingState(tuple(views), dict(states or {}))
    generation = thread.server.holder.snapshot.generation + 1
    snapshot = serving_snapshot(
        {ZONE: (zone(), list(rrsets))}, {p.name: p for p in pools}, state, generation, 0
    )
    thread.server.holder.swap(snapshot)


def query(
    port: int,
    name: str,
    rtype: str = "A",
    *,
    source: str = "127.0.0.1",
    ecs: tuple[str, int] | None = None,
    tcp: bool = False,
) -> dns.message.Message:
    """One query from ``source`` (with an ECS option ``(address, prefix)`` if given)."""
    options = [dns.edns.ECSOption(ecs[0], ecs[1])] if ecs else []
    message = dns.message.make_query(name, rtype, use_edns=0 if ecs else None, options=options)
    if tcp:
        return dns.query.tcp(message, "127.0.0.1", port=port, timeout=3, source=source)
    return dns.query.udp(message, "127.0.0.1", port=port, timeout=3, source=source)


def addresses(response: dns.message.Message) -> list[str]:
    return sorted(r.address for rrset in response.answer for r in rrset if hasattr(r, "address"))


def scope(response: dns.message.Message) -> int | None:
    """The ECS scope prefix of the response, None without the option."""
    for option in response.options:
        if isinstance(option, dns.edns.ECSOption):
            return int(option.scopelen)
    return None


def ecs_option(response: dns.message.Message) -> dns.edns.ECSOption | None:
    return next((o for o in response.options if isinstance(o, dns.edns.ECSOption)), None)


class Blaster:
    """Many queries from many source addresses, fast: one UDP socket per source, raw bytes."""

    def __init__(self, port: int) -> None:
        self.port = port

    def ask(
        self,
        name: str,
        source: str,
        ecs: tuple[str, int] | None = None,
        rtype: str = "A",
        *,
        check: bool = True,
    ) -> list[str]:
        """The addresses answered; ``check``: assert NOERROR (else any rcode answers [])."""
        options = [dns.edns.ECSOption(ecs[0], ecs[1])] if ecs else []
        message = dns.message.make_query(name, rtype, use_edns=0 if ecs else None, options=options)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((source, 0))
            sock.settimeout(3)
            sock.sendto(message.to_wire(), ("127.0.0.1", self.port))
            data, _ = sock.recvfrom(4096)
        response = dns.message.from_wire(data)
        if check:
            assert response.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(response.rcode())
        return addresses(response)
