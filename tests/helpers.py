"""Helpers every test directory shares: run the ``dnsd`` command, wait for a condition, put an RRset.

``run_dnsd`` calls :func:`dnsd.cli.main.main` in this process, as ``python -m dnsd`` would run
it: the given environment replaces the ``DNSD_*`` variables for the call, stdin is the given
text, stdout and stderr are captured, the working directory is the repository, and what the
command leaves in process-wide state (the root log handler and levels, the secrets the log
redaction learnt) is put back afterwards, as the end of a process would. ``run_dnsd_process``
starts the real command in a subprocess; keep it for what only a process shows (the console
script, signals, a server's start and stop).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dnsd import logs
from dnsd.cli.main import main
from dnsd.domain.records import make_rrset
from dnsd.store.records import PutResult
from dnsd.store.zonestore import ZoneStore

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass(frozen=True)
class Run:
    """What one ``dnsd`` run gave: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def returncode(self) -> int:
        return self.code

    @property
    def stdout(self) -> str:
        return self.out

    @property
    def stderr(self) -> str:
        return self.err

    def json(self) -> Any:
        return json.loads(self.out)

    def error_json(self) -> Any:
        return json.loads(self.err)


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _process_state() -> Iterator[None]:
    """Put back the logging state and learnt secrets a command changes (a process exit drops them)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    chatty = {name: logging.getLogger(name).level for name in logs.CHATTY}
    secrets = set(logs._known_secrets)
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for name, value in chatty.items():
            logging.getLogger(name).setLevel(value)
        logs._known_secrets.clear()
        logs._known_secrets.update(secrets)


def dnsd_env(
    db_url: str | None = None, env: Mapping[str, str] | None = None, *, keep_dnsd: bool = True
) -> dict[str, str]:
    """The environment of a ``dnsd`` run: this one (without ``DNSD_*`` unless ``keep_dnsd``),
    ``DNSD_DATABASE_URL`` if ``db_url`` is given, then ``env``."""
    base = {k: v for k, v in os.environ.items() if keep_dnsd or not k.startswith("DNSD_")}
    if db_url is not None:
        base["DNSD_DATABASE_URL"] = db_url
    return base | dict(env or {})


def run_dnsd(args: Sequence[str], env: Mapping[str, str] | None = None, stdin: str | None = None) -> Run:
    """``dnsd ARGS`` in this process with environment ``env`` (default: this one); never raises.

    An exception that escapes :func:`main` is printed on stderr with exit code 1, as the
    interpreter does at the end of a process.
    """
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with (
            _environment(dict(os.environ) if env is None else env),
            _process_state(),
            contextlib.chdir(ROOT),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: usage errors, --help, --version
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
            except Exception:  # noqa: BLE001 - what the interpreter would print
                traceback.print_exc()
                code = 1
    finally:
        sys.stdin = saved_stdin
    return Run(code, out.getvalue(), err.getvalue())


PYTHON_M_DNSD = (sys.executable, "-m", "dnsd")
CONSOLE_SCRIPT = (str(Path(sys.executable).with_name("dnsd")),)


def run_dnsd_process(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
    command: Sequence[str] = PYTHON_M_DNSD,
) -> Run:
    """``python -m dnsd ARGS`` (or ``command ARGS``) in a subprocess, from the repository, which
    is on PYTHONPATH."""
    full = dict(os.environ if env is None else env) | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [*command, *args],
        cwd=ROOT, env=full, input=stdin, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    return Run(proc.returncode, proc.stdout, proc.stderr)


def wait_for(
    check: Callable[[], T | None], what: str = "condition", timeout: float = 15.0, interval: float = 0.02
) -> T:
    """Poll ``check`` until it returns something truthy (returned); AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def put(
    store: ZoneStore,
    name: str,
    rtype: str = "A",
    values: list[str] | None = None,
    *,
    pool: str | None = None,
    ttl: int = 300,
    owner: str = "user:alice",
    zone: str | None = None,
    actor: str = "test",
    default_value: str | None = None,
) -> PutResult:
    """Validate and put one RRset. ``name`` is relative to ``zone`` when one is given (``@``: the
    apex); ``default_value`` is used when neither ``values`` nor ``pool`` is."""
    if zone is not None:
        name = zone if name == "@" else f"{name}.{zone}"
    if values is None and pool is None and default_value is not None:
        values = [default_value]
    return store.put_rrset(make_rrset(name, rtype, ttl, owner, values, pool), actor)
