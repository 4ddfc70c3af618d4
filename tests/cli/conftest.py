"""Run the ``dnsd`` command against the ``db_url`` database (both backends), in this process
(see :func:`tests.helpers.run_dnsd`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ROOT, Run, dnsd_env, run_dnsd

REPO = ROOT
__all__ = ["REPO", "Dnsd", "Run"]


class Dnsd:
    """``dnsd(*args, expect=0)`` runs ``dnsd ARGS`` and checks the exit code."""

    def __init__(self, db_url: str) -> None:
        self.env = dnsd_env(db_url, keep_dnsd=False)

    def __call__(self, *args: str, expect: int = 0, stdin: str | None = None) -> Run:
        run = run_dnsd(args, self.env, stdin)
        assert run.code == expect, (
            f"dnsd {' '.join(args)} exited {run.code}, expected {expect}\n"
            f"stdout:\n{run.out}\nstderr:\n{run.err}"
        )
        return run

    def json(self, *args: str, expect: int = 0) -> Any:
        run = self("--json", *args, expect=expect)
        return run.json() if expect == 0 else run.error_json()


@pytest.fixture
def dnsd(db_url: str) -> Dnsd:
    return Dnsd(db_url)
