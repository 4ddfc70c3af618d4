"""Lifecycle with real processes and signals: SIGTERM drains TCP, SIGHUP reloads settings, and
a server whose database is unreachable at startup answers nothing until it can load."""

from __future__ import annotations

import signal
import socket
import struct
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from dnsd.store.migrate import upgrade
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, populate, udp
from tests.e2e.live import wait_for
from tests.ops_server.conftest import Proc

EXIT_DEADLINE = 20.0


def framed(name: str) -> bytes:
    wire = dns.message.make_query(name, "A").to_wire()
    return struct.pack("!H", len(wire)) + wire


def read_frame(sock: socket.socket) -> dns.message.Message:
    data = b""
    while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
        chunk = sock.recv(65535)
        assert chunk, "connection closed before the answer"
        data += chunk
    return dns.message.from_wire(data[2:])


def closed_without_answer(sock: socket.socket) -> bool:
    try:
        return sock.recv(10) == b""
    except ConnectionResetError:  # refused connections are aborted
        return True


def refuses_tcp(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def serve_dns(spawn: type[Proc], db_url: str, *args: str, **env: str) -> tuple[Proc, int]:
    proc = spawn(["--database-url", db_url, "serve-dns", *args], **env)
    return proc, proc.wait_line("DNS")


def test_sigterm_finishes_the_tcp_query_in_flight(
    spawn: type[Proc], zone_store: ZoneStore, db_url: str
) -> None:
    proc, port = serve_dns(spawn, db_url, "--port", "0", DNSD_DRAIN_TIMEOUT="10")
    query = framed(f"www.{ZONE}")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(query[:7])  # half a query is in flight
        time.sleep(0.2)
        proc.signal(signal.SIGTERM)
        wait_for(lambda: refuses_tcp(port), what="the listener to close")
        with pytest.raises(dns.exception.Timeout):  # UDP stopped too
            udp(port, f"www.{ZONE}")
        conn.sendall(query[7:])
        answer = read_frame(conn)
        assert answer.rcode() == dns.rcode.NOERROR and answer.answer
        assert conn.recv(10) == b""  # then the server closes the connection
    assert proc.proc.wait(EXIT_DEADLINE) == 0
    assert "aborting" not in proc.log()


def test_sigterm_aborts_a_stuck_connection_after_the_drain_timeout(
    spawn: type[Proc], zone_store: ZoneStore, db_url: str
) -> None:
    proc, port = serve_dns(spawn, db_url, "--port", "0", DNSD_DRAIN_TIMEOUT="1")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(framed(f"www.{ZONE}")[:5])  # never completed
        time.sleep(0.2)
        proc.signal(signal.SIGTERM)
        assert proc.proc.wait(EXIT_DEADLINE) == 0
    assert "drain timeout: aborting 1 TCP connections" in proc.log()


def version_bind(port: int) -> str:
    query = dns.message.make_query("version.bind", "TXT", "CH")
    response = dns.query.udp(query, "127.0.0.1", port=port, timeout=3)
    return response.answer[0][0].to_text() if response.answer else dns.rcode.to_text(response.rcode())


def test_sighup_applies_live_settings_and_names_the_rest(
    spawn: type[Proc], zone_store: ZoneStore, db_url: str, tmp_path: Path
) -> None:
    env_file = tmp_path / "dnsd.env"
    env_file.write_text("DNSD_VERSION_BIND=first\n")
    proc, port = serve_dns(spawn, db_url, "--port", "0", DNSD_ENV_FILE=str(env_file))
    assert version_bind(port) == '"first"'
    env_file.write_text("DNSD_VERSION_BIND=second\nDNSD_TCP_MAX_PER_CLIENT=1\nDNSD_API_PORT=1\n")
    proc.signal(signal.SIGHUP)
    wait_for(lambda: version_bind(port) == '"second"', what="version.bind to change")
    proc.wait_log("needing a restart (not applied): api_port")
    with socket.create_connection(("127.0.0.1", port), timeout=5):  # the new per-client cap is 1
        time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as second:
            second.sendall(framed(f"www.{ZONE}"))
            assert closed_without_answer(second)
    env_file.write_text("DNSD_RRL_EXEMPT=not-a-network\n")
    proc.signal(signal.SIGHUP)
    proc.wait_log("bad rrl_exempt")
    assert version_bind(port) == '"second"'  # a bad reload changes nothing


def test_unreachable_database_serves_nothing_until_it_loads(spawn: type[Proc], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/late.db"
    (tmp_path / "late.db").touch()  # exists, but has no tables yet: every load fails
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = spawn(["--database-url", url, "serve-dns", "--port", str(port)])
    proc.wait_log("cannot load the first snapshot")
    assert "DNS" not in proc.announced
    with pytest.raises(dns.exception.Timeout):  # not bound: no empty answer, no REFUSED
        udp(port, f"www.{ZONE}")
    upgrade(url)
    from dnsd.store.engine import make_engine

    populate(ZoneStore(make_engine(url)))
    assert proc.wait_line("DNS") == port
    assert udp(port, f"www.{ZONE}").answer


def test_sigterm_before_the_first_snapshot_exits(spawn: type[Proc], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing/dir/none.db"
    proc = spawn(["--database-url", url, "serve-dns", "--port", "0"])
    proc.wait_log("cannot load the first snapshot")
    proc.signal(signal.SIGTERM)
    assert proc.proc.wait(EXIT_DEADLINE) == 0


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--dns-port", "0", "--dns-host", "127.0.0.1"],
        ["serve-dns", "--port", "0", "--host", "127.0.0.1"],
        ["serve-dns", "--port", "0", "--host", "127.0.0.1", "--workers", "2"],
    ],
    ids=["serve", "serve-dns", "workers"],
)
def test_exits_when_the_first_snapshot_does_not_load_in_time(
    spawn: type[Proc], tmp_path: Path, argv: list[str]
) -> None:
    """Issue 12 item 15: a database that cannot be opened at start is a failed start (exit 1,
    one reason), not an API that looks alive while DNS retries forever."""
    url = f"sqlite:///{tmp_path}/missing/dir/none.db"
    api_port = str(free_tcp_port())
    proc = spawn(["--database-url", url, *argv], DNSD_STARTUP_TIMEOUT="1.5", DNSD_API_PORT=api_port)
    started = time.monotonic()
    assert proc.proc.wait(EXIT_DEADLINE) == 1
    assert time.monotonic() - started >= 1.5
    log = proc.log()
    assert "did not load within 1.5s (DNSD_STARTUP_TIMEOUT)" in log, log
    assert "Traceback" not in log, log
    assert "DNS" not in proc.announced
