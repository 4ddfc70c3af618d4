"""Every table module, imported so ``metadata`` is complete (Alembic env and test fixtures)."""

import dnsd.store.k8s_tables
import dnsd.store.tsig_tables  # noqa: F401  (registers its tables on Base.metadata)
from dnsd.store import tables

metadata = tables.Base.metadata
