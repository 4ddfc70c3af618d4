"""A real unbound (Debian's, built with the subnet module) forwarding to dnsd with
``send-client-subnet``: clients of unbound in different views get their view's VIP through
it, because unbound sends each client's /24 as ECS from a source dnsd trusts, and caches each
answer for the scope dnsd gave (issue 15, "Done when")."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.views import make_views
from tests.e2e.conftest import ServerThread
from tests.views.harness import ZONE, Blaster, serve, server

pytestmark = pytest.mark.skipif(
    shutil.which("unbound") is None, reason="unbound is installed by scripts/setup"
)

RESOLVER_OUT = "127.0.0.53"  # unbound's outgoing address: the one dnsd trusts


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket() as tcp:
        udp.bind(("127.0.0.2", 0))
        port = int(udp.getsockname()[1])
        tcp.bind(("127.0.0.2", port))
        return port


def config(directory: Path, port: int, dnsd_port: int) -> Path:
    path = directory / "unbound.conf"
    path.write_text(f"""
server:
    interface: 127.0.0.2@{port}
    outgoing-interface: {RESOLVER_OUT}
    access-control: 127.0.0.0/8 allow
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{directory}"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 2
    num-threads: 1
    do-ip6: no
    do-not-query-localhost: no
    qname-minimisation: no
    module-config: "subnetcache iterator"
    send-client-subnet: 127.0.0.1
    max-client-subnet-ipv4: 24
forward-zone:
    name: "{ZONE}"
    forward-addr: 127.0.0.1@{dnsd_port}
remote-control:
    control-enable: no
""")
    return path


@pytest.fixture
def unbound(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[ServerThread, int]]:
    with server(tmp_path, sqlite_template, ecs_trusted=f"{RESOLVER_OUT}/32") as thread:
        port = free_port()
        proc = subprocess.Popen(
            ["unbound", "-d", "-c", str(config(tmp_path, port, thread.port))],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 15
            while not answers(port):  # ready once it answers CH TXT version.server itself
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(f"unbound did not start: {proc.communicate()[0]}")
            yield thread, port
        finally:
            proc.terminate()
            out = proc.communicate(timeout=10)[0]
            print(out)  # shown when the test fails


def answers(port: int) -> bool:
    import dns.exception
    import dns.message
    import dns.query

    try:
        dns.query.udp(
            dns.message.make_query("version.server", "TXT", "CH"), "127.0.0.2", port=port, timeout=0.3
        )
    except (dns.exception.Timeout, OSError):
        return False
    return True


def ask(port: int, name: str, source: str) -> list[str]:
    import dns.message
    import dns.query

    response = dns.query.udp(
        dns.message.make_query(name, "A"), "127.0.0.2", port=port, timeout=5, source=source
    )
    return sorted(r.address for rrset in response.answer for r in rrset if hasattr(r, "address"))


def test_unbound_with_send_client_subnet_gets_per_subnet_answers(unbound: tuple[ServerThread, int]) -> None:
    thread, port = unbound
    views = make_views([("dc-a", ["127.0.1.0/24"]), ("dc-b", ["127.0.2.0/24"])])
    pool = make_pool("gw", ["10.20.0.10"], view_members={"dc-a": ["10.1.0.10"], "dc-b": ["10.2.0.10"]})
    www = f"www.{ZONE}"
    weighted = f"split.{ZONE}"
    records = [
        make_rrset(www, "A", 300, "ci:unbound", pool="gw"),
        make_rrset(weighted, "A", 300, "ci:unbound", targets={"gw": 50, "legacy": 50}),
    ]
    serve(thread, records, [pool, make_pool("legacy", ["10.30.0.10"])], views)
    # several clients per view, interleaved: unbound's cache must keep them apart (scope /24)
    for _ in range(2):
        for host in (5, 6, 7):
            assert ask(port, www, f"127.0.1.{host}") == ["10.1.0.10"]
            assert ask(port, www, f"127.0.2.{host}") == ["10.2.0.10"]
            assert ask(port, www, f"127.0.3.{host}") == ["10.20.0.10"]
    # the weighted name: each client /24 keeps one answer, and both targets are used
    seen = {}
    for net in range(10, 60):
        first = ask(port, weighted, f"127.0.{net}.1")
        assert ask(port, weighted, f"127.0.{net}.2") == first
        seen[net] = first[0]
    assert set(seen.values()) == {"10.20.0.10", "10.30.0.10"}
    # directly, without unbound: the same answers for those subnets from the resolver's address
    direct = Blaster(thread.port)
    for net, address in seen.items():
        assert direct.ask(weighted, RESOLVER_OUT, ecs=(f"127.0.{net}.0", 24)) == [address]
