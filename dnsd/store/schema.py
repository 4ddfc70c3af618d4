"""Every table module, imported so ``metadata`` is complete (Alembic env and test fixtures)."""

from dnsd.store import k8s_tables, sync_tables, tables

metadata = tables.Base.metadata
TABLE_MODULES = (tables, sync_tables, k8s_tables)
