"""Entry point of the ``dnsd`` command: global options, then one sub-command per module.

Every module listed in :data:`COMMAND_MODULES` has ``register(subparsers)``, which adds its
commands and sets ``func`` on each parser: ``func(args, settings) -> int`` (the exit code).
Global flags mirror :class:`dnsd.config.Settings` fields and override the environment.

Exit codes: 0 success; 1 refused (not found, conflict, database unavailable); 2 invalid input
or usage. Errors go to stderr, every reason of an invalid input on its own line (as JSON with
``--json``); nothing is written when input is invalid. Logs (one line per committed change, and
whatever a long-running command reports) also go to stderr, set up by :func:`dnsd.logs.setup_logging`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from dnsd import __version__
from dnsd.cli.output import to_json
from dnsd.config import Settings
from dnsd.domain.errors import DnsdError, InvalidInput, StoreUnavailable
from dnsd.logs import FORMATS, setup_logging
from dnsd.store.base import DatabaseUnreachable, SchemaMissing
from dnsd.store.bulk import BulkConflict

COMMAND_MODULES: tuple[str, ...] = (
    "dnsd.cli.migrate",
    "dnsd.cli.zones",
    "dnsd.cli.views",
    "dnsd.cli.pools",
    "dnsd.cli.records",
    "dnsd.cli.tokens",
    "dnsd.cli.changes",
    "dnsd.cli.change",
    "dnsd.cli.seed",
    "dnsd.cli.demo",
    "dnsd.cli.k8s",
    "dnsd.cli.resolver",
    "dnsd.cli.sync",
    "dnsd.cli.dump",
    "dnsd.cli.dns",
    "dnsd.cli.serve",
    "dnsd.cli.bindzone",
    "dnsd.cli.transfer",
    "dnsd.cli.shifts",
)
EXIT_REFUSED = 1
EXIT_INVALID = 2
HINT = "is the database up, and DNSD_DATABASE_URL (or --database-url) right?"

log = logging.getLogger("dnsd.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dnsd", description="Authoritative DNS for service domains.")
    parser.add_argument("--version", action="version", version=f"dnsd {__version__}")
    parser.add_argument("--database-url", help="SQLAlchemy URL of the store (DNSD_DATABASE_URL)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (DNSD_LOG_LEVEL; default INFO)")
    parser.add_argument(
        "--log-format", choices=FORMATS, help="logs on stderr: json, text, or auto (DNSD_LOG_FORMAT)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by any global flag given."""
    flags = {"database_url": args.database_url, "log_level": args.log_level, "log_format": args.log_format}
    return Settings(**{k: v for k, v in flags.items() if v})


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        setup_logging(settings)
        code: int = args.func(args, settings)
    except DnsdError as exc:
        print(describe_error(exc, as_json=args.json), file=sys.stderr)
        return EXIT_INVALID if isinstance(exc, InvalidInput) else EXIT_REFUSED
    except Exception:
        # a bug: the traceback goes to the log with the command, then the exit code says "failed"
        log.exception("dnsd %s failed unexpectedly", args.command, extra={"command": args.command})
        return EXIT_REFUSED
    return code


def describe_error(exc: DnsdError, *, as_json: bool) -> str:
    """The text (or JSON) a failed command prints on stderr."""
    reasons = exc.reasons if isinstance(exc, InvalidInput) else []
    says_what_to_do = isinstance(exc, SchemaMissing | DatabaseUnreachable)
    hint = HINT if isinstance(exc, StoreUnavailable) and not says_what_to_do else None
    if as_json:
        body: dict[str, object] = {"error": type(exc).__name__, "message": str(exc)}
        if reasons:
            body["reasons"] = [{"field": r.field, "message": r.message} for r in reasons]
        if hint:
            body["hint"] = hint
        if isinstance(exc, BulkConflict):
            body["conflicts"] = [{"item": c.label, "name": c.name, "type": c.rtype, "holder": c.holder}
                                 for c in exc.conflicts]  # fmt: skip
        return to_json(body)
    if isinstance(exc, BulkConflict):
        lines = [f"  {c.label}: {c.name} is held by {c.holder}" for c in exc.conflicts]
        return "\n".join([f"error: other owners hold {len(lines)} of these names:", *lines])
    if reasons:
        count = f"{len(reasons)} problem{'s' if len(reasons) > 1 else ''}"
        return "\n".join([f"error: invalid input ({count}):", *(f"  {r}" for r in reasons)])
    if hint:
        return f"error: {exc}\nhint: {hint}"
    return f"error: {exc}"


if __name__ == "__main__":
    sys.exit(main())
