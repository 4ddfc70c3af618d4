"""``dnsd serve`` processes for the steering tests, with their logs in a file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dns.message
import dns.query

from tests.helpers import ROOT


class ServeProc:
    def __init__(self, db_url: str, log: Path, *args: str, interval: float = 0.3) -> None:
        env = {
            **os.environ, "PYTHONPATH": str(ROOT), "DNSD_DATABASE_URL": db_url, "DNSD_AUTH_DISABLED": "1",
            "DNSD_STEERING_INTERVAL": str(interval), "DNSD_LOG_FORMAT": "text",
            "DNSD_FEED_POLL_INTERVAL": "0.05",
        }  # fmt: skip
        self.log = log
        self._log_file = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dnsd", "serve", "--no-api", "--dns-port", "0", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self._log_file, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("serving DNS on"), (line, self.logs())
        self.dns_port = int(line.split()[-1])

    def logs(self) -> str:
        return self.log.read_text()

    def addresses(self, name: str) -> set[str]:
        reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=self.dns_port, timeout=2)
        return {rr.to_text() for rrset in reply.answer for rr in rrset}

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        self.kill()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._log_file.close()
