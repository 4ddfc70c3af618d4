"""The pool flags for views and health checks (``dnsd pool add|set``): ``--member VIEW=IP``,
``--check KIND[:PORT][/PATH]`` with ``--check-interval`` and friends, or ``--check-json``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any, Literal

from dnsd.domain.errors import InvalidInput, Reason, invalid
from dnsd.domain.health import HealthCheck, check_dict
from dnsd.domain.pool_input import parse_check

CHECK_NUMBERS = (("interval", float), ("timeout", float), ("rise", int), ("fall", int))


def add_view_flags(parser: argparse.ArgumentParser, *, changing: bool) -> None:
    parser.add_argument(
        "--member",
        action="append",
        metavar="VIEW=IP",
        help="a member in a named view, e.g. dc-a=10.1.0.10 (repeat)"
        + ("; VIEW= alone removes the view's members" if changing else ""),
    )
    parser.add_argument(
        "--check",
        metavar="KIND[:PORT][/PATH]",
        help="health check: tcp:80, http:80/healthz, https:443/ready",
    )
    for name, kind in CHECK_NUMBERS:
        parser.add_argument(f"--check-{name}", type=kind, metavar="N", help=f"health check {name}")
    parser.add_argument("--check-expect", metavar="CODES", help="HTTP status codes, e.g. 200-399,404")
    parser.add_argument(
        "--check-json", metavar="JSON", help='the whole check, e.g. {"kind": "tcp", "port": 80}'
    )
    if changing:
        parser.add_argument("--no-check", action="store_true", help="remove the health check")


def view_members(args: argparse.Namespace) -> dict[str, list[str]] | None:
    """``--member`` flags as ``{view: [addresses]}`` in given order (None when none given)."""
    if not args.member:
        return None
    out: dict[str, list[str]] = {}
    for i, text in enumerate(args.member):
        view, sep, address = text.partition("=")
        if not sep or not view.strip():
            raise InvalidInput([Reason(f"member.{i}", f"{text!r}: give VIEW=IP, e.g. dc-a=10.1.0.10")])
        addrs = out.setdefault(view.strip().lower(), [])
        if address.strip():
            addrs.append(address.strip())
    return out


def _spec(text: str) -> dict[str, Any]:
    """``http:8080/healthz`` -> ``{"kind": "http", "port": 8080, "path": "/healthz"}``."""
    head, slash, path = text.partition("/")
    kind, colon, port = head.partition(":")
    out: dict[str, Any] = {"kind": kind.strip().lower()}
    if colon:
        if not port.isdigit():
            raise invalid("check", f"{text!r}: the port after ':' is a number, e.g. tcp:80")
        out["port"] = int(port)
    if slash:
        out["path"] = "/" + path
    return out


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: v for name, _ in CHECK_NUMBERS if (v := getattr(args, f"check_{name}")) is not None
    }
    if args.check_expect is not None:
        out["expect"] = args.check_expect
    return out


def check_from(args: argparse.Namespace, current: HealthCheck | None = None) -> dict[str, Any] | None:
    """The check the flags describe as JSON (None: none given). ``--check``/``--check-json``
    replace a check; ``--check-interval`` and the like alone change ``current``."""
    settings = _settings(args)
    if args.check_json is not None:
        if args.check or settings:
            raise invalid("check", "--check-json carries the whole check; give no other --check flag")
        try:
            data = json.loads(args.check_json)
        except json.JSONDecodeError as exc:
            raise invalid("check", f"--check-json is not JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise invalid("check", "--check-json must be a JSON object")
        return data
    if args.check:
        return _spec(args.check) | settings
    if settings:
        if current is None:
            raise invalid("check", "the pool has no health check: give --check KIND[:PORT][/PATH]")
        return check_dict(current) | settings
    return None


def tuning(args: argparse.Namespace) -> bool:
    """Whether a ``--check-<setting>`` flag was given."""
    return bool(_settings(args))


def any_check_flag(args: argparse.Namespace) -> bool:
    return bool(args.check or args.check_json is not None or tuning(args) or getattr(args, "no_check", False))


def check_change(
    args: argparse.Namespace, current: Callable[[], HealthCheck | None]
) -> HealthCheck | Literal[False] | None:
    """What ``pool set`` does to the check: a new one, None (``--no-check``: remove it) or
    False (keep it). ``current`` reads the stored check, needed only when tuning it."""
    if args.no_check:
        if args.check or args.check_json is not None or tuning(args):
            raise invalid("check", "--no-check removes the check; give no other --check flag")
        return None
    data = check_from(args, current() if tuning(args) else None)
    return False if data is None else parse_check(data)
