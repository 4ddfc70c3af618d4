"""Fixtures: the e2e server fixtures (imported, not copied) and a ``dnsd serve-dns`` process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import dns_server, port, shared_dns_server, zone_store  # noqa: F401 - fixtures used here

ROOT = Path(__file__).resolve().parents[2]


class Proc:
    """A ``python -m dnsd ...`` child: its stdout announcements and its log (stderr) file."""

    def __init__(self, argv: list[str], log: Path, **env: str) -> None:
        self.log_path = log
        self._log = log.open("w")
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_FEED_POLL_INTERVAL": "0.05", **env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dnsd", *argv], cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
            stderr=self._log, text=True,
        )  # fmt: skip
        self.announced: dict[str, int] = {}
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            found = re.match(r"serving (\w+) on \S+ port (\d+)", line)
            if found:
                self.announced[found.group(1)] = int(found.group(2))

    def wait_line(self, what: str, timeout: float = 60.0) -> int:
        """The port of the ``serving WHAT on HOST port N`` line."""
        deadline = time.monotonic() + timeout
        while what not in self.announced:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"no 'serving {what}' line; log:\n{self.log()}")
            time.sleep(0.02)
        return self.announced[what]

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_log(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not logged within {timeout}s; log:\n{self.log()}")
            time.sleep(0.05)

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[type[Proc]]:
    """``spawn(argv, **env)`` starts a dnsd process, stopped (SIGTERM) after the test."""
    started: list[Proc] = []

    class Spawned(Proc):
        def __init__(self, argv: list[str], **env: str) -> None:
            super().__init__(argv, tmp_path / f"dnsd-{len(started)}.log", **env)
            started.append(self)

    yield Spawned
    for proc in started:
        proc.close()
