"""``dnsd serve`` in front of a PostgreSQL that stops answering (issue 12, item 9): the API and
``/readyz`` answer 503 within the configured timeouts, and DNS keeps answering from memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import dns.message
import dns.query
import httpx
import pytest
from sqlalchemy import create_engine

from dnsd.store.engine import normalize_url
from tests.conftest import _truncate
from tests.hung_db import proxied

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answer(port: int, name: str) -> set[str]:
    reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=2)
    return {rr.to_text() for rrset in reply.answer for rr in rrset}


def readyz(api: str) -> int:
    try:
        return httpx.get(f"{api}/readyz", timeout=DEADLINE).status_code
    except httpx.HTTPError:
        return 0


@pytest.mark.postgres
def test_hung_postgres_gives_prompt_503_and_dns_keeps_answering(postgres_database: str) -> None:
    engine = create_engine(normalize_url(postgres_database))
    _truncate(engine)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DNSD_")} | {"PYTHONPATH": str(ROOT)}
    demo = subprocess.run(
        [sys.executable, "-m", "dnsd", "demo"], cwd=ROOT, capture_output=True, text=True,
        env=env | {"DNSD_DATABASE_URL": postgres_database}, timeout=120, check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    with proxied(postgres_database) as (relay, url):
        api_port = free_port()
        settings = {"DNSD_DATABASE_URL": url, "DNSD_AUTH_DISABLED": "1", "DNSD_DB_CONNECT_TIMEOUT": "2",
                    "DNSD_DB_STATEMENT_TIMEOUT": "1"}  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "dnsd", "serve", "--api-port", str(api_port), "--dns-port", "0"],
            cwd=ROOT, env=env | settings, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # "serving DNS on 127.0.0.1 port N"
            dns_port, api = int(line.split()[-1]), f"http://127.0.0.1:{api_port}"
            deadline = time.monotonic() + DEADLINE
            while readyz(api) != 200:
                assert time.monotonic() < deadline, "dnsd serve never became ready"
                time.sleep(0.1)
            assert answer(dns_port, "www.hello-web.com") == {"10.20.0.10"}

            relay.frozen.set()  # PostgreSQL stops answering, on open connections and new ones
            for path in ("/readyz", "/zones"):
                started = time.monotonic()
                r = httpx.get(f"{api}{path}", timeout=DEADLINE)
                elapsed = time.monotonic() - started
                assert r.status_code == 503 and r.json() == {"detail": {"message": "database unavailable"}}
                assert elapsed < 10, f"{path} took {elapsed:.1f} s"
            for _ in range(20):
                assert answer(dns_port, "www.hello-web.com") == {"10.20.0.10"}

            relay.frozen.clear()
            deadline = time.monotonic() + DEADLINE
            while readyz(api) != 200:
                assert time.monotonic() < deadline, "dnsd serve did not recover"
                time.sleep(0.2)
        finally:
            proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
