"""Listening sockets for DNS (a UDP and a TCP socket per address, one port) and the API.

``dns_host`` may list several addresses (``127.0.0.1,::1``, the default: ``dig @localhost``
may try either); every one gets the same port. A port that cannot be had is a
:class:`PortUnavailable` whose message is the one line a user needs: which address, port,
service and protocol, why, and which setting or flag changes it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
from dataclasses import dataclass

from dnsd.domain.errors import DnsdError

log = logging.getLogger("dnsd.server")

TCP_BACKLOG = 1024
SOCKET_BUFFER = 4 << 20  # absorbs bursts; the kernel caps it at net.core.[rw]mem_max
BIND_ATTEMPTS = 50
# An optional extra address the machine does not have (no IPv6 loopback): skipped, not fatal.
ABSENT = (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)


@dataclass(frozen=True, slots=True)
class Service:
    """What a port is for, to name it in errors: ``DNS`` (``DNSD_DNS_PORT``, ``--dns-port``)."""

    name: str
    setting: str
    flag: str


DNS = Service("DNS", "DNSD_DNS_PORT", "--dns-port")
API = Service("API", "DNSD_API_PORT", "--api-port")


class PortUnavailable(DnsdError):
    """A port cannot be bound: in use, privileged, or an address this machine does not have."""

    def __init__(self, service: Service, proto: str, host: str, port: int, err: OSError) -> None:
        self.service, self.host, self.port, self.errno = service, host, port, err.errno
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if err.errno == errno.EADDRINUSE:
            why = "is in use"
        elif err.errno == errno.EACCES:
            why = "needs root or CAP_NET_BIND_SERVICE"
        elif err.errno in ABSENT:
            why = "is on an address this machine does not have"
        else:
            why = f"cannot be bound ({err.strerror})"
        super().__init__(
            f"port {where} ({service.name}, {proto}) {why}; set {service.setting} or {service.flag}"
        )


def listen_hosts(text: str) -> list[str]:
    """The addresses of a ``dns_host`` setting: comma-separated, first one first."""
    hosts = [part.strip() for part in text.split(",") if part.strip()]
    return hosts or ["127.0.0.1"]


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bind_pair(
    host: str, port: int, reuse_port: bool = False, v6only: bool = False
) -> tuple[socket.socket, socket.socket]:
    """A UDP and a listening TCP socket on ``host`` and ``port`` (0: one port free for both);
    ``v6only`` keeps ``::`` to IPv6 when ``0.0.0.0`` is listed beside it."""
    for _attempt in range(BIND_ATTEMPTS):
        udp = socket.socket(_family(host), socket.SOCK_DGRAM)
        tcp = socket.socket(_family(host), socket.SOCK_STREAM)
        proto = "UDP"
        try:
            for sock in (udp, tcp):
                if reuse_port:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                if v6only and sock.family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
                with contextlib.suppress(OSError):
                    udp.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
            udp.bind((host, port))
            proto = "TCP"
            tcp.bind((host, udp.getsockname()[1]))
            tcp.listen(TCP_BACKLOG)
            return udp, tcp
        except OSError as exc:
            udp.close()
            tcp.close()
            if port != 0 or exc.errno != errno.EADDRINUSE:
                raise PortUnavailable(DNS, proto, host, port, exc) from None
    raise PortUnavailable(DNS, "UDP", host, 0, OSError(errno.EADDRINUSE, "no port free for UDP and TCP"))


def bind_all(
    hosts: list[str], port: int, reuse_port: bool = False
) -> list[tuple[str, socket.socket, socket.socket]]:
    """``(host, udp, tcp)`` for every host, all on one port (with 0: the first host's free port).

    An address after the first that the machine does not have (``::1`` without IPv6) is skipped
    with a warning; anything else unbindable raises :class:`PortUnavailable` (nothing stays bound).
    """
    for _attempt in range(BIND_ATTEMPTS):
        bound: list[tuple[str, socket.socket, socket.socket]] = []
        try:
            for host in hosts:
                chosen = bound[0][1].getsockname()[1] if bound else port
                try:
                    bound.append((host, *bind_pair(host, chosen, reuse_port, v6only=len(hosts) > 1)))
                except PortUnavailable as exc:
                    if not bound or exc.errno not in ABSENT:
                        raise
                    log.warning("not serving DNS on %s: this machine has no such address", host)
            return bound
        except PortUnavailable as exc:
            for _host, udp, tcp in bound:
                udp.close()
                tcp.close()
            if port != 0 or not bound or exc.errno != errno.EADDRINUSE:
                raise  # with port 0, a later host may just lack the first host's free port: retry
    raise PortUnavailable(DNS, "UDP", hosts[0], 0, OSError(errno.EADDRINUSE, "no port free on every address"))


def check_dns_ports(hosts: list[str], port: int, reuse_port: bool = False) -> None:
    """Fail early (before loading anything) when the DNS port cannot be had; binds nothing."""
    if port == 0:
        return
    for _host, udp, tcp in bind_all(hosts, port, reuse_port):
        udp.close()
        tcp.close()


def bind_api(host: str, port: int) -> socket.socket:
    """The API's listening TCP socket (handed to uvicorn), or :class:`PortUnavailable`."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(TCP_BACKLOG)
    except OSError as exc:
        sock.close()
        raise PortUnavailable(API, "TCP", host, port, exc) from None
    return sock
