"""Entry point of the ``dnsd`` command: global options, then one sub-command per module.

Every module listed in :data:`COMMAND_MODULES` has ``register(subparsers)``, which adds its
commands and sets ``func`` on each parser: ``func(args, settings) -> int`` (the exit code).
Global flags mirror :class:`dnsd.config.Settings` fields and override the environment.

Exit codes: 0 success; 1 refused (not found, conflict, database unavailable); 2 invalid input
or usage. Errors go to stderr, every reason of an invalid input on its own line (as JSON with
``--json``); nothing is written when input is invalid.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dnsd import __version__
from dnsd.cli.output import to_json
from dnsd.config import Settings
from dnsd.domain.errors import DnsdError, InvalidInput, StoreUnavailable

COMMAND_MODULES: tuple[str, ...] = (
    "dnsd.cli.migrate",
    "dnsd.cli.zones",
    "dnsd.cli.pools",
    "dnsd.cli.records",
    "dnsd.cli.tokens",
    "dnsd.cli.changes",
    "dnsd.cli.seed",
    "dnsd.cli.demo",
    "dnsd.cli.k8s",
    "dnsd.cli.resolver",
    "dnsd.cli.sync",
    "dnsd.cli.dns",
    "dnsd.cli.serve",
)
EXIT_REFUSED = 1
EXIT_INVALID = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dnsd", description="Authoritative DNS for service domains.")
    parser.add_argument("--version", action="version", version=f"dnsd {__version__}")
    parser.add_argument("--database-url", help="SQLAlchemy URL of the store (DNSD_DATABASE_URL)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by any global flag given."""
    overrides = {"database_url": args.database_url} if args.database_url else {}
    return Settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args, settings_from(args))
    except DnsdError as exc:
        print(describe_error(exc, as_json=args.json), file=sys.stderr)
        return EXIT_INVALID if isinstance(exc, InvalidInput) else EXIT_REFUSED
    return code


def describe_error(exc: DnsdError, *, as_json: bool) -> str:
    """The text (or JSON) a failed command prints on stderr."""
    reasons = exc.reasons if isinstance(exc, InvalidInput) else []
    hint = "is the database reachable, and migrated (dnsd migrate)?"
    if as_json:
        body: dict[str, object] = {"error": type(exc).__name__, "message": str(exc)}
        if reasons:
            body["reasons"] = [{"field": r.field, "message": r.message} for r in reasons]
        if isinstance(exc, StoreUnavailable):
            body["hint"] = hint
        return to_json(body)
    if reasons:
        count = f"{len(reasons)} problem{'s' if len(reasons) > 1 else ''}"
        return "\n".join([f"error: invalid input ({count}):", *(f"  {r}" for r in reasons)])
    if isinstance(exc, StoreUnavailable):
        return f"error: {exc}\nhint: {hint}"
    return f"error: {exc}"


if __name__ == "__main__":
    sys.exit(main())
