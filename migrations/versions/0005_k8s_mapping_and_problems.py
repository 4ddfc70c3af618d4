"""k8s pool mapping and problems

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "k8s_pool_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("pool", sa.String(length=63), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_k8s_pool_mappings")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_k8s_pool_mappings_kind")),
    )
    op.create_table(
        "k8s_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_k8s_problems")),
    )
    with op.batch_alter_table("k8s_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_k8s_problems_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("k8s_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_k8s_problems_owner"))
    op.drop_table("k8s_problems")
    op.drop_table("k8s_pool_mappings")
