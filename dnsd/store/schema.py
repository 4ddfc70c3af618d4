"""Every table module, imported so ``metadata`` is complete (Alembic env and test fixtures)."""

from dnsd.store import k8s_tables, tables, tsig_tables  # noqa: F401  (they register their tables)

metadata = tables.Base.metadata
