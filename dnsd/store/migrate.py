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


PACKAGED = Path(__file__).resolve().parents[1] / "_migrations"
"""Where an installed wheel carries ``migrations/`` (copied there by ``setup.py``)."""


def migrations_dir() -> Path:
    """The Alembic env and revisions: ``dnsd/_migrations`` in an installed wheel, else the
    top-level ``migrations/`` of the source tree (an editable install, a checkout)."""
    if PACKAGED.is_dir():
        return PACKAGED
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
    # alembic.ini prepends the source tree for the alembic CLI; in a wheel that would be the
    # package directory itself, whose modules would shadow top-level ones. dnsd is importable.
    config.set_main_option("prepend_sys_path", "")
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
