"""views, pool members per view, weighted record targets, health state, shifts, leases

Today's pool ``external`` addresses become members of the ``public`` view and the others
members of the ``default`` view, so existing data answers exactly as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_views")),
        sa.UniqueConstraint("name", name=op.f("uq_views_name")),
    )
    with op.batch_alter_table("pool_addresses") as batch:
        batch.add_column(sa.Column("view", sa.String(63), server_default="default", nullable=False))
    op.execute("UPDATE pool_addresses SET view = 'public' WHERE external")
    with op.batch_alter_table("pool_addresses") as batch:
        batch.drop_constraint("uq_pool_addresses_pool_id", type_="unique")
        batch.drop_column("external")
        batch.create_unique_constraint("uq_pool_addresses_pool_id", ["pool_id", "view", "address"])
    with op.batch_alter_table("pools") as batch:
        batch.add_column(sa.Column("health_check", sa.JSON(), nullable=True))
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("mode", sa.String(10), nullable=True))
        batch.add_column(sa.Column("views", sa.JSON(), nullable=True))
    op.create_table(
        "record_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_targets_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_record_targets_pool_id_pools"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_targets")),
        sa.UniqueConstraint("record_id", "pool_id", name=op.f("uq_record_targets_record_id")),
    )
    op.create_index(op.f("ix_record_targets_record_id"), "record_targets", ["record_id"])
    op.create_index(op.f("ix_record_targets_pool_id"), "record_targets", ["pool_id"])
    op.create_table(
        "member_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(45), nullable=False),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("ok_streak", sa.Integer(), nullable=False),
        sa.Column("fail_streak", sa.Integer(), nullable=False),
        sa.Column("last_check", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_change", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_member_health_pool_id_pools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_health")),
        sa.UniqueConstraint("pool_id", "address", "host", name=op.f("uq_member_health_pool_id")),
    )
    op.create_index(op.f("ix_member_health_pool_id"), "member_health", ["pool_id"])
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("target_pool", sa.String(63), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("every_seconds", sa.Float(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    op.create_index(op.f("ix_shifts_status"), "shifts", ["status"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_index(op.f("ix_shifts_status"), table_name="shifts")
    op.drop_table("shifts")
    op.drop_index(op.f("ix_member_health_pool_id"), table_name="member_health")
    op.drop_table("member_health")
    op.drop_index(op.f("ix_record_targets_pool_id"), table_name="record_targets")
    op.drop_index(op.f("ix_record_targets_record_id"), table_name="record_targets")
    op.drop_table("record_targets")
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): a batch copy of ``pools`` would drop the
    # table, and on SQLite that cascades to its members
    op.drop_column("records", "views")
    op.drop_column("records", "mode")
    op.drop_column("pools", "health_check")
    with op.batch_alter_table("pool_addresses") as batch:
        batch.add_column(sa.Column("external", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("DELETE FROM pool_addresses WHERE view NOT IN ('default', 'public')")
    op.execute("UPDATE pool_addresses SET external = (view = 'public')")
    with op.batch_alter_table("pool_addresses") as batch:
        batch.drop_constraint("uq_pool_addresses_pool_id", type_="unique")
        batch.drop_column("view")
        batch.create_unique_constraint("uq_pool_addresses_pool_id", ["pool_id", "external", "address"])
    op.drop_table("views")
