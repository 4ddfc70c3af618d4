"""Entry point of the ``dnsd`` command: global options, then one sub-command per module.

Every module listed in :data:`COMMAND_MODULES` has ``register(subparsers)``, which adds its
commands and sets ``func`` on each parser: ``func(args, settings) -> int`` (the exit code).
Global flags mirror :class:`dnsd.config.Settings` fields and override the environment.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dnsd import __version__
from dnsd.config import Settings
from dnsd.domain.errors import DnsdError

COMMAND_MODULES: tuple[str, ...] = ("dnsd.cli.dns",)


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
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
