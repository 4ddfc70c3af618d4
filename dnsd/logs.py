"""Logging: JSON lines for machines, readable lines for people, and never a secret.

:func:`setup_logging` installs one handler on the root logger, writing to stderr: JSON (one
object per line) when stderr is not a terminal or ``log_format`` is ``json``, short text lines on
a terminal or with ``text``. Every record passes :class:`RedactSecrets` first, which masks bearer
tokens, ``Authorization`` headers, dnsd API tokens, passwords in URLs, values of secret-named
fields (``secret``, ``password``, ``token``, ``secret_key`` ...) and the exact values of the
secrets this process knows (DNSPod credentials from the environment, and any passed to
:func:`add_secret`). Standard library only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import IO, Any, Protocol

from dnsd.domain.errors import InvalidInput, Reason

MASK = "***"
FORMATS = ("auto", "json", "text")
SECRET_ENV = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "DNSD_K8S_TOKEN")
_SECRET_KEY = re.compile(
    r"(?i)^(authorization|password|passwd|pass|secret|secret_?id|secret_?key|api_?key|access_?token|"
    r"token|bearer|credentials?|tsig_?secret|private_?key)$"
)
_KEY_NAMES = (
    r"authorization|password|passwd|secret(?:_?id|_?key)?|api_?key|access_?token|token|tsig_?secret|"
    r"private_?key|credentials?"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # an Authorization header, whatever its scheme (Bearer, Basic, TC3-HMAC-SHA256 Credential=...)
    (re.compile(r"(?i)(\bauthorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{MASK}"),
    (re.compile(r"\bdnsd_[A-Za-z0-9_-]{20,}"), f"dnsd_{MASK}"),  # our API tokens
    (re.compile(r"(://[^:/@\s]*:)[^@/\s]+@"), rf"\1{MASK}@"),  # passwords in URLs
    # key=value (query strings, settings dumps) and "key": "value" (JSON) for secret-named keys
    (re.compile(rf"(?i)\b((?:{_KEY_NAMES})=)[^\s&,;'\"]+"), rf"\1{MASK}"),
    (re.compile(rf"(?i)(['\"](?:{_KEY_NAMES})['\"]\s*:\s*)(['\"])(?:\\.|(?!\2).)*\2"), rf"\1\2{MASK}\2"),
)
# libraries that say something at INFO on every call: heard only at DEBUG
CHATTY = ("alembic", "httpx", "httpcore")
_MIN_SECRET = 6  # shorter "secrets" would mask ordinary words
_known_secrets: set[str] = set()

# LogRecord attributes that are not extra fields
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class LogSettings(Protocol):
    """What :func:`setup_logging` reads from :class:`dnsd.config.Settings`."""

    log_format: str
    log_level: str


def add_secret(value: str | None) -> None:
    """Mask every later occurrence of ``value`` in the logs (a TSIG secret, a credential)."""
    if value and len(value) >= _MIN_SECRET:
        _known_secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every secret this module recognises replaced by ``***``."""
    for secret in sorted(_known_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(key: str, value: object) -> object:
    """A structured log field made safe: secret-named keys masked, texts redacted, nested
    mappings and lists walked."""
    if _SECRET_KEY.match(key) and value is not None:
        return MASK
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(k): redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value("", v) for v in value]
    return value


class RedactSecrets(logging.Filter):
    """Rewrites each record in place: message (arguments merged in), extra fields, exception
    and stack text all redacted. It sits on the handler, so records of every logger pass it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: keep both
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        for key in extra_fields(record):
            setattr(record, key, redact_value(key, getattr(record, key)))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True
        return True


def extra_fields(record: logging.LogRecord) -> list[str]:
    """The names of the fields passed with ``extra=``."""
    return [k for k in vars(record) if k not in _STANDARD and not k.startswith("_")]


def _timestamp(record: logging.LogRecord) -> str:
    when = dt.datetime.fromtimestamp(record.created, dt.UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, the extra fields,
    and ``exception`` (the traceback text) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in extra_fields(record):
            out.setdefault(key, getattr(record, key))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``12:00:01 INFO  dnsd.changes: message`` for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(name)s: %(message)s", datefmt="%H:%M:%S")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record (as ``logging.lastResort``
    does), so a redirected or captured stderr gets the lines and a closed one is never kept."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def check_settings(log_format: str, log_level: str) -> list[Reason]:
    """Every problem with the two logging settings."""
    problems = []
    if log_format not in FORMATS:
        problems.append(Reason("log_format", f"must be one of {', '.join(FORMATS)}, got {log_format!r}"))
    if not isinstance(logging.getLevelName(log_level.upper()), int):
        problems.append(Reason("log_level", f"must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"))
    return problems


def setup_logging(
    settings: LogSettings, stream: IO[str] | None = None, secrets: Iterable[str | None] = ()
) -> logging.Handler:
    """Send every log record to ``stream`` (default stderr), formatted and redacted.

    Replaces the handler a previous call installed (so calling it twice is harmless) and sets
    the root level (libraries in :data:`CHATTY` only speak from WARNING unless it is DEBUG).
    ``secrets`` and the DNSPod/Kubernetes credentials in the environment are
    masked wherever they appear. :class:`InvalidInput` names a bad setting. Returns the handler.
    """
    problems = check_settings(settings.log_format, settings.log_level)
    if problems:
        raise InvalidInput(problems)
    for value in (*secrets, *(os.environ.get(name) for name in SECRET_ENV)):
        add_secret(value)
    tty = _is_terminal(stream if stream is not None else sys.stderr)
    as_json = settings.log_format == "json" or (settings.log_format == "auto" and not tty)
    handler = logging.StreamHandler(stream) if stream is not None else StderrHandler()
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    handler.addFilter(RedactSecrets())
    handler.set_name("dnsd")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "dnsd"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING)
    return handler
