"""``dnsd serve`` as a user runs it: one process with the HTTP API and DNS, on SQLite and
PostgreSQL. This is issue 2's "done when" walked end to end, with DNS checked at every step."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import httpx
import pytest

from tests import helpers
from tests.helpers import Run, dnsd_env, run_dnsd

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def dnsd(db_url: str, *args: str) -> Run:
    return run_dnsd(args, dnsd_env(db_url))


def wait_for(check: Callable[[], bool], what: str) -> None:
    helpers.wait_for(check, what, DEADLINE, interval=0.05)


class Served:
    def __init__(self, proc: subprocess.Popen[str], api: str, dns_port: int) -> None:
        self.proc, self.api, self.dns_port = proc, api, dns_port

    def query(self, name: str, rtype: str = "A") -> dns.message.Message:
        return dns.query.udp(dns.message.make_query(name, rtype), "127.0.0.1", port=self.dns_port, timeout=2)

    def addresses(self, name: str, rtype: str = "A") -> set[str]:
        return {rr.to_text() for rrset in self.query(name, rtype).answer for rr in rrset}


@pytest.fixture
def served(db_url: str) -> Iterator[Served]:
    demo = dnsd(db_url, "demo")
    assert demo.returncode == 0, demo.stderr
    api_port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_DATABASE_URL": db_url, "DNSD_AUTH_DISABLED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dnsd", "serve", "--api-port", str(api_port), "--dns-port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "serving DNS on 127.0.0.1 port N", printed once bound
    assert line.startswith("serving DNS on"), line
    api = f"http://127.0.0.1:{api_port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{api}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(ready, "/readyz")
    yield Served(proc, api, int(line.split()[-1]))
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.stdout.close()


def test_register_move_pool_and_stop(served: Served) -> None:
    answer = served.query("www.hello-web.com")
    assert answer.rcode() == dns.rcode.NOERROR and answer.flags & dns.flags.AA
    assert served.addresses("www.hello-web.com") == {"10.20.0.10"}

    body = {"name": "shop.hello-web.com", "type": "A", "pool": "legacy-ingress", "ttl": 60, "owner": "ci:t"}
    created = httpx.post(f"{served.api}/records", json=body)
    assert created.status_code == 201, created.text
    wait_for(lambda: served.addresses("shop.hello-web.com") == {"10.10.0.10"}, "the new name in DNS")
    listed = httpx.get(f"{served.api}/records", params={"name": "shop.hello-web.com"}).json()
    assert [r["owner"] for r in listed["items"]] == ["ci:t"]

    before = {z["name"]: z["serial"] for z in httpx.get(f"{served.api}/zones").json()["items"]}
    moved = httpx.patch(f"{served.api}/pools/istio-ingressgateway", json={"addresses": ["10.20.0.11"]})
    assert moved.status_code == 200, moved.text
    wait_for(lambda: served.addresses("www.wudebao-web.com") == {"10.20.0.11"}, "the pool move in DNS")
    assert served.addresses("www.hello-web.com") == {"10.20.0.11"}
    assert served.addresses("www.legacy-web.com") == {"10.10.0.10"}  # other pool: untouched

    change = httpx.get(f"{served.api}/changes", params={"limit": 1000}).json()["items"][-1]
    assert change["action"] == "pool.update"
    bumped = {z["zone"]: z["serial"] for z in change["zones"]}
    assert set(bumped) == {"hello-web.com", "wudebao-web.com"}
    assert all(bumped[z] > before[z] for z in bumped)
    soa = served.query("wudebao-web.com", "SOA").answer[0][0]
    assert soa.serial == bumped["wudebao-web.com"]

    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=DEADLINE) == 0
