"""What the browser tests share: the demo served with authentication on free ports, tokens,
``dig``, and a headless Chromium from the system's packages driven by Playwright."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from dnsd.store.engine import make_engine
from dnsd.store.zonestore import ZoneStore

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DEADLINE = 60.0
SCREENS_ENV = "DNSD_CONSOLE_SCREENS"  # a directory to copy the key screenshots into


@dataclass
class Served:
    """``dnsd demo --serve`` with authentication on: where, and an admin and a read token."""

    base: str
    dns_port: int
    admin: str
    read: str
    proc: subprocess.Popen[str]

    def dig(self, name: str, rtype: str = "A") -> list[str]:
        argv = ["dig", "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p", str(self.dns_port), name, rtype]
        return sorted(
            subprocess.run(argv, capture_output=True, text=True, timeout=10, check=True).stdout.split()
        )

    def dig_until(self, name: str, expected: list[str], rtype: str = "A") -> list[str]:
        """``dig`` until it answers ``expected`` (the DNS side follows the change feed)."""
        deadline = time.monotonic() + 10
        got = self.dig(name, rtype)
        while got != sorted(expected) and time.monotonic() < deadline:
            time.sleep(0.1)
            got = self.dig(name, rtype)
        return got


def start_demo(tmp: Path) -> Served:
    url = f"sqlite:///{tmp / 'console.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_AUTH_DISABLED": "0", "DNSD_DATABASE_URL": url}
    with (tmp / "demo.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dnsd", "demo", "--serve", "--dns-port", "0", "--api-port", "0"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip
    assert proc.stdout is not None
    said = ""
    deadline = time.monotonic() + DEADLINE
    for line in proc.stdout:
        said += line
        if line.startswith("Ctrl-C") or time.monotonic() > deadline:
            break
    ready = re.search(r"DNS on .* port (\d+) ", said)
    console = re.search(r"Web console: (http://127\.0\.0\.1:\d+)/ui", said)
    assert ready and console, said
    engine = make_engine(url)
    store = ZoneStore(engine)
    admin, read = (
        store.create_token("console-admin", "write")[1],
        store.create_token("console-read", "read")[1],
    )
    engine.dispose()
    return Served(console.group(1), int(ready.group(1)), admin, read, proc)


def stop(served: Served) -> None:
    served.proc.terminate()
    served.proc.wait(30)
    if served.proc.stdout is not None:
        served.proc.stdout.close()


def require_chromium() -> None:
    if not CHROMIUM.exists() or shutil.which("chromedriver") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are not installed: scripts/setup installs them")
        pytest.skip("chromium is not installed (scripts/setup installs it)")


def save(page: Page, tmp_path: Path, name: str, key: bool = False) -> Path:
    """A full-page screenshot in the test's directory; a key one is copied to $DNSD_CONSOLE_SCREENS."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    target = os.environ.get(SCREENS_ENV)
    if key and target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = start_demo(tmp_path_factory.mktemp("console"))
    try:
        yield served
    finally:
        stop(served)
