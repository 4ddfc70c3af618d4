"""The ``dnsd`` command as a process of its own: the installed console script and ``python -m
dnsd`` reach :func:`dnsd.cli.main.main`, and its return value is the process's exit status.
(Every other CLI test calls ``main(argv)`` in-process, see :func:`tests.helpers.run_dnsd`.)"""

from __future__ import annotations

import pytest

from tests.helpers import CONSOLE_SCRIPT, PYTHON_M_DNSD, Run, dnsd_env, run_dnsd, run_dnsd_process


@pytest.mark.parametrize("how", ["console script", "python -m dnsd"])
def test_exit_status_and_output_are_the_commands(how: str, db_url: str) -> None:
    env = dnsd_env(db_url)

    command = CONSOLE_SCRIPT if how == "console script" else PYTHON_M_DNSD

    def run(*args: str) -> Run:
        return run_dnsd_process(args, env, command=command)

    added = run("--json", "pool", "add", "edge", "--address", "10.1.0.1")
    assert added.code == 0 and added.json()["addresses"] == ["10.1.0.1"], added.err
    refused = run("pool", "add", "edge", "--address", "10.1.0.2")  # exists: refused
    usage = run("pool", "add")  # a required argument missing: usage
    version = run("--version")
    for process, in_process in (
        (refused, run_dnsd(["pool", "add", "edge", "--address", "10.1.0.2"], env)),
        (usage, run_dnsd(["pool", "add"], env)),
        (version, run_dnsd(["--version"], env)),
    ):
        assert (process.code, process.out, process.err) == (in_process.code, in_process.out, in_process.err)
    assert (refused.code, usage.code, version.code) == (1, 2, 0)
    assert version.out.startswith("dnsd ")
