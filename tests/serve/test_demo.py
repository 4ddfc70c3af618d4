"""README command (a) as a newcomer runs it (issue 12 items 10 and 11): ``scripts/demo`` serves
DNS on port 53 of 127.0.0.1 and ::1 when it can, says which port it took and why when it cannot,
prints one "try" block and only once DNS and the API answer; a port in use is one line."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import httpx
import pytest

from dnsd.config import Settings
from dnsd.server.sockets import PortUnavailable, check_dns_ports, listen_hosts

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0
NO_BIND_CAP = ["setpriv", "--bounding-set", "-net_bind_service", "--inh-caps", "-net_bind_service"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_53_free() -> bool:
    try:
        check_dns_ports(["127.0.0.1", "::1"], 53)
    except PortUnavailable:
        return False
    return True


class Demo:
    """``scripts/demo`` (setup skipped: the machine is set up) on a fresh SQLite file."""

    def __init__(self, tmp_path: Path, prefix: list[str], **env: str) -> None:
        self.api_port = free_port()
        inherited = {k: v for k, v in os.environ.items() if k != "DNSD_DNS_PORT"}
        full_env = {
            **inherited, "PYTHONPATH": str(ROOT), "DNSD_DEMO_SKIP_SETUP": "1",
            "DNSD_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "DNSD_API_PORT": str(self.api_port),
            **env,
        }  # fmt: skip
        self.stderr = (tmp_path / "demo.log").open("w")
        self.proc = subprocess.Popen(
            [*prefix, "bash", str(ROOT / "scripts" / "demo")], cwd=ROOT, env=full_env,
            stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )  # fmt: skip
        self.lines: list[str] = []

    def read_until(self, marker: str) -> str:
        """stdout up to and including the line containing ``marker``."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if marker in line:
                return "".join(self.lines)
        raise AssertionError(f"no {marker!r} from the demo; it said:\n{''.join(self.lines)}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()


@pytest.fixture
def demos(tmp_path: Path) -> Iterator[list[Demo]]:
    started: list[Demo] = []
    yield started
    for demo in started:
        demo.close()


def answers_at_once(host: str, port: int, api_port: int) -> None:
    """No retrying: the moment the "try" block is printed, DNS and the API must answer."""
    reply = dns.query.udp(dns.message.make_query("www.hello-web.com", "A"), host, port=port, timeout=2)
    assert [rr.to_text() for rrset in reply.answer for rr in rrset] == ["10.20.0.10"]
    assert httpx.get(f"http://127.0.0.1:{api_port}/readyz", timeout=2).status_code == 200


def test_defaults_are_port_53_on_both_loopbacks() -> None:
    settings = Settings(_env_file=None)
    assert settings.dns_port == 53
    assert listen_hosts(settings.dns_host) == ["127.0.0.1", "::1"]


@pytest.mark.skipif(not port_53_free(), reason="port 53 of localhost cannot be had here (not root, or taken)")
def test_demo_serves_port_53_of_localhost_after_one_try_block(tmp_path: Path, demos: list[Demo]) -> None:
    demos.append(demo := Demo(tmp_path, []))
    out = demo.read_until("Ctrl-C stops it.")
    for host in ("127.0.0.1", "::1"):
        answers_at_once(host, 53, demo.api_port)
    dig = subprocess.run(["dig", "@localhost", "www.hello-web.com", "+short"], capture_output=True,
                         text=True, timeout=30, check=True)  # fmt: skip
    assert dig.stdout.split() == ["10.20.0.10"]  # exactly as the README writes it
    assert out.count("Try:") == 1 and out.count("dig @") == 1
    assert "  dig @localhost www.hello-web.com\n" in out
    assert "DNS on 127.0.0.1 and ::1 port 53" in out and "5353" not in out
    assert out.index("serving DNS on 127.0.0.1 port 53") < out.index("Try:")
    console_opens_on_the_demo_data(out, demo.api_port)


def console_opens_on_the_demo_data(out: str, api_port: int) -> None:
    """The demo prints the console's URL, and it opens (no sign-in in demo mode) on the demo data."""
    assert f"Web console: http://127.0.0.1:{api_port}/ui (opens on the demo data)\n" in out
    page = httpx.get(f"http://127.0.0.1:{api_port}/ui", timeout=5)
    assert page.status_code == 200 and "<h1>Dashboard</h1>" in page.text
    assert "hello-web.com" in page.text and "istio-ingressgateway" in page.text
    assert "HttpOnly" in page.headers["set-cookie"] and "SameSite=strict" in page.headers["set-cookie"]


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv")
def test_demo_without_the_capability_says_which_port_and_why(tmp_path: Path, demos: list[Demo]) -> None:
    demos.append(demo := Demo(tmp_path, NO_BIND_CAP))
    out = demo.read_until("Ctrl-C stops it.")
    found = re.search(r"DNS is on port (\d+), not 53: port 127\.0\.0\.1:53 \(DNS, UDP\) needs root or "
                      r"CAP_NET_BIND_SERVICE\.", out)  # fmt: skip
    assert found, out
    port = int(found.group(1))
    assert port not in (53, 5353)
    assert f"  dig @localhost -p {port} www.hello-web.com\n" in out and out.count("Try:") == 1
    answers_at_once("127.0.0.1", port, demo.api_port)
    answers_at_once("::1", port, demo.api_port)
    console_opens_on_the_demo_data(out, demo.api_port)


@pytest.mark.skipif(not port_53_free(), reason="port 53 of localhost cannot be had here (not root, or taken)")
def test_demo_with_port_53_taken_says_so(tmp_path: Path, demos: list[Demo]) -> None:
    with held(socket.SOCK_DGRAM, 53):
        demos.append(demo := Demo(tmp_path, []))
        out = demo.read_until("Ctrl-C stops it.")
    found = re.search(r"DNS is on port (\d+), not 53: port 127\.0\.0\.1:53 \(DNS, UDP\) is in use\. "
                      r"To change it, stop what holds it", out)  # fmt: skip
    assert found, out
    answers_at_once("127.0.0.1", int(found.group(1)), demo.api_port)


def held(kind: int, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", port))
    if kind == socket.SOCK_STREAM:
        sock.listen()
    return sock


@pytest.mark.parametrize(
    ("argv", "kind", "expected"),
    [
        (["serve", "--dns-port", "{port}", "--api-port", "{other}"], socket.SOCK_DGRAM,
         "port 127.0.0.1:{port} (DNS, UDP) is in use; set DNSD_DNS_PORT or --dns-port"),
        (["serve-dns", "--port", "{port}"], socket.SOCK_DGRAM,
         "port 127.0.0.1:{port} (DNS, UDP) is in use; set DNSD_DNS_PORT or --dns-port"),
        (["serve-dns", "--port", "{port}", "--workers", "2"], socket.SOCK_DGRAM,
         "port 127.0.0.1:{port} (DNS, UDP) is in use; set DNSD_DNS_PORT or --dns-port"),
        (["serve", "--dns-port", "0", "--api-port", "{port}"], socket.SOCK_STREAM,
         "port 127.0.0.1:{port} (API, TCP) is in use; set DNSD_API_PORT or --api-port"),
    ],
    ids=["serve-dns-port", "serve-dns", "workers", "serve-api-port"],
)  # fmt: skip
def test_a_port_in_use_is_one_line(tmp_path: Path, argv: list[str], kind: int, expected: str) -> None:
    port, other = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    with held(kind, port):
        done = subprocess.run(
            [sys.executable, "-m", "dnsd", *(a.format(port=port, other=other) for a in argv)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: {expected.format(port=port)}"]
