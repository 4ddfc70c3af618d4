"""TSIG keys name the view their transfers get

A secondary that transfers with a key bound to a view receives that view's copy of each zone
(``dnsd tsig add NAME --view dc-a``). Existing keys have no view: their transfers get the view
of the client address, as before views existed (``default``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tsig_keys") as batch:
        batch.add_column(sa.Column("view", sa.String(63), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tsig_keys") as batch:
        batch.drop_column("view")
