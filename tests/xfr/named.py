"""A real bind9 ``named`` for interop tests: started on 127.0.0.1 and an ephemeral port, with a
temporary config and directory, stopped (only this process) when the test ends."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

NAMED = shutil.which("named") or "/usr/sbin/named"


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (named binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


class Named:
    """``named -g`` on :attr:`port` (chosen at once, so it can be configured elsewhere first);
    :meth:`start` takes the ``zone`` statements and optional ``key`` statements."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = self.dir / "named.log"
        self.conf = self.dir / "named.conf"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, zones: str, keys: str = "", timeout: float = 20.0) -> None:
        self.conf.write_text(
            f"""{keys}
options {{
    directory "{self.dir}";
    pid-file "{self.dir}/named.pid";
    session-keyfile "{self.dir}/session.key";
    listen-on port {self.port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    notify no;
    dnssec-validation no;
    max-refresh-time 2; min-refresh-time 1; max-retry-time 2; min-retry-time 1;
}};
controls {{ }};
{zones}
"""
        )
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [NAMED, "-g", "-n", "1", "-c", str(self.conf)], stdout=out, stderr=out
            )
        deadline = time.monotonic() + timeout
        while "running" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None:
                raise RuntimeError(f"named exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"named did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def logged(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_logged(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.logged():
            if time.monotonic() > deadline:
                raise AssertionError(f"named never logged {text!r}:\n{self.logged()[-3000:]}")
            time.sleep(0.05)
