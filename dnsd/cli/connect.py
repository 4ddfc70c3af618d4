"""How a CLI command reaches the store, and who it says it is in the change log."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

from dnsd.config import Settings
from dnsd.domain.records import TtlLimits
from dnsd.store.engine import engine_from
from dnsd.store.zonestore import ZoneStore


@contextmanager
def open_store(settings: Settings) -> Iterator[ZoneStore]:
    """A :class:`ZoneStore` on ``settings.database_url`` with the configured TTL limits.

    The engine is disposed on exit, so a command leaves no connection behind.
    """
    engine = engine_from(settings, statement_timeout=False)
    try:
        yield ZoneStore(engine, TtlLimits(settings.ttl_floor, settings.ttl_ceiling), settings.serial_policy)
    finally:
        engine.dispose()


def cli_actor() -> str:
    """``cli:<unix user>``, the actor recorded for every change made from the command line."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # a container uid with no passwd entry and no $USER
        user = f"uid-{os.getuid()}"
    return f"cli:{user}"
