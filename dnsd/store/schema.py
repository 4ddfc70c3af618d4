"""Every table module, imported so ``metadata`` is complete (Alembic env and test fixtures)."""

from dnsd.store import tables, tsig_tables  # noqa: F401 - imported for their tables

metadata = tables.Base.metadata
