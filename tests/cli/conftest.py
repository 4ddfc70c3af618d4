"""Run the real ``dnsd`` command in a subprocess against the ``db_url`` database (both backends)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def error_json(self) -> Any:
        return json.loads(self.err)


class Dnsd:
    """``dnsd(*args, expect=0)`` runs ``python -m dnsd ARGS`` and checks the exit code."""

    def __init__(self, db_url: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSD_")}
        self.env = env | {"PYTHONPATH": str(REPO), "DNSD_DATABASE_URL": db_url}

    def __call__(self, *args: str, expect: int = 0) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "dnsd", *args],
            cwd=REPO, env=self.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == expect, (
            f"dnsd {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def json(self, *args: str, expect: int = 0) -> Any:
        run = self("--json", *args, expect=expect)
        return run.json() if expect == 0 else run.error_json()


@pytest.fixture
def dnsd(db_url: str) -> Dnsd:
    return Dnsd(db_url)
