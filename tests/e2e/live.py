"""Helpers for tests that involve other processes: run the writer, start ``dnsd serve-dns``,
and wait for a condition with a deadline."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests import helpers

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def write(db_url: str, *args: str) -> None:
    """Change the store from another process (see :mod:`tests.e2e.writer`)."""
    subprocess.run(
        [sys.executable, "-m", "tests.e2e.writer", db_url, *args],
        cwd=ROOT, env=child_env(), check=True, timeout=60, capture_output=True,
    )  # fmt: skip


def wait_for(check: Callable[[], T | None], timeout: float = 15.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    return helpers.wait_for(check, what, timeout)


def start_serve_dns(db_url: str, *args: str, timeout: float = 60.0) -> tuple[subprocess.Popen[str], int]:
    """Start ``python -m dnsd serve-dns --port 0 ...``; return it and the port it announced."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dnsd", "--database-url", db_url, "serve-dns", "--host", "127.0.0.1",
         "--port", "0", *args],
        cwd=ROOT, env=child_env(DNSD_FEED_POLL_INTERVAL="0.05"), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    return proc, _announced(proc, r"serving DNS on \S+ port (\d+)", timeout)


def _announced(proc: subprocess.Popen[str], pattern: str, timeout: float) -> int:
    """The number ``proc`` prints on a stdout line matching ``pattern`` (killed if it never does)."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                line = proc.stdout.readline()
                found = re.search(pattern, line)
                if found:
                    return int(found.group(1))
                if not line and proc.poll() is not None:
                    break
    finally:
        selector.close()
    proc.kill()
    proc.wait()
    proc.stdout.close()
    raise AssertionError(f"{proc.args!r} did not announce its port (exit code {proc.poll()})")


def stop(proc: subprocess.Popen[str]) -> int:
    """SIGTERM ``proc``, wait (bounded), and return its exit code."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


API_RUNNER = """
import socket, sys, uvicorn
from api.app import create_app
from dnsd.config import Settings
from tests import helpers
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(128)
print("API port", sock.getsockname()[1], flush=True)
uvicorn.Server(uvicorn.Config(create_app(Settings()), log_level="warning")).run(sockets=[sock])
"""


def start_api(db_url: str, timeout: float = 60.0) -> tuple[subprocess.Popen[str], str]:
    """The HTTP API in a process of its own on ``db_url``; returns it and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-c", API_RUNNER], cwd=ROOT, env=child_env(DNSD_DATABASE_URL=db_url),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    port = _announced(proc, r"API port (\d+)", timeout)
    return proc, f"http://127.0.0.1:{port}"
