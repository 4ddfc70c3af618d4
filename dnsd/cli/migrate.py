"""``dnsd migrate``: bring the database schema up to date (Alembic)."""

from __future__ import annotations

import argparse

from dnsd.cli.output import emit
from dnsd.config import Settings
from dnsd.domain.errors import invalid
from dnsd.store.engine import masked_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("migrate", help="create or upgrade the database schema")
    parser.add_argument("--revision", default="head", help="Alembic revision to upgrade to (default: head)")
    parser.set_defaults(func=run)


def shown_url(url: str) -> str:
    """``url`` with any password masked, fit to print."""
    return masked_url(url)


def migrate(settings: Settings, revision: str = "head") -> None:
    """Upgrade the schema at ``settings.database_url``; running it again is harmless."""
    # Alembic is imported here, not at the top: it would double the start-up of every command.
    from alembic.util import CommandError

    from dnsd.store.migrate import upgrade

    try:
        upgrade(settings.database_url, revision)
    except CommandError as exc:  # an unknown revision: the user's input, not our bug
        raise invalid("revision", str(exc)) from exc


def run(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings, args.revision)
    url = shown_url(settings.database_url)
    emit(args, {"database": url, "revision": args.revision}, f"database {url} migrated to {args.revision}")
    return 0
