"""Every table module, imported so ``metadata`` is complete (Alembic env and test fixtures)."""

from dnsd.store import tables

metadata = tables.Base.metadata
