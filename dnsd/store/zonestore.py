"""ZoneStore: every operation on the store, one transaction each."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from dnsd.domain.errors import StoreUnavailable
from dnsd.store.base import one_line
from dnsd.store.changes import ChangeOps
from dnsd.store.pools import PoolOps
from dnsd.store.records import RecordOps
from dnsd.store.schema import metadata
from dnsd.store.tokens import TokenOps
from dnsd.store.views import ViewOps
from dnsd.store.zones import ZoneOps


class ZoneStore(ZoneOps, PoolOps, RecordOps, ChangeOps, TokenOps, ViewOps):
    """The store. Build it with an engine from :func:`dnsd.store.engine.make_engine`."""

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers a trivial query."""
        try:
            with self.read() as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:  # what read() leaves alone: pool timeouts and the like
            raise StoreUnavailable(f"database unavailable: {one_line(exc)}") from exc

    def check_schema(self) -> None:
        """Raise :class:`SchemaMissing` unless every table of the schema is there with every
        column we read (one row of each is read); :class:`StoreUnavailable` if unreachable."""
        with self.read() as session:
            for table in metadata.sorted_tables:
                session.execute(select(table).limit(1))
