"""Run the Alembic migrations programmatically (``dnsd migrate`` and the test fixtures).

Alembic is imported when a migration runs, not when this module is imported: the CLI imports
it for every command and most never migrate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dnsd.store.base import DatabaseUnreachable, one_line
from dnsd.store.engine import masked_url

if TYPE_CHECKING:
    from alembic.config import Config


def migrations_dir() -> Path:
    """The ``migrations/`` directory of the source tree (Alembic env and revisions)."""
    return Path(__file__).resolve().parents[2] / "migrations"


def __getattr__(name: str) -> Path:
    if name == "MIGRATIONS":  # the old module constant, now computed on use
        return migrations_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at ``migrations/`` with ``url`` as the database."""
    from alembic.config import Config

    migrations = migrations_dir()
    config = Config(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` up to ``revision``.

    :class:`DatabaseUnreachable` (a :class:`StoreUnavailable`: one line naming the database,
    password masked, and the reason) when it cannot be reached or opened; Alembic's
    ``CommandError`` for an unknown revision.
    """
    from alembic import command
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        command.upgrade(alembic_config(url), revision)
    except (OperationalError, InterfaceError) as exc:
        detail = one_line(exc.orig if exc.orig is not None else exc)
        raise DatabaseUnreachable(f"cannot reach the database {masked_url(url)}: {detail}") from exc
