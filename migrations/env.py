"""Alembic environment: the URL comes from dnsd's Settings (or ``-x url=...``), never from a file."""

from __future__ import annotations

from alembic import context

from dnsd.config import Settings
from dnsd.store.engine import is_sqlite, make_engine
from dnsd.store.schema import metadata

config = context.config


def _url() -> str:
    explicit = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return str(explicit) if explicit else Settings().database_url


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite(engine),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
