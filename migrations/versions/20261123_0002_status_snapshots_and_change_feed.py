"""status snapshots and change feed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:06:17.262885
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_code", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("from_flags", sa.String(length=100), nullable=True),
        sa.Column("to_flags", sa.String(length=100), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("cause", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_status_change_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    # The feed filtered by plan: WHERE plan_id = ? AND id > ? ORDER BY id.
    op.create_index("ix_status_change_plan_id_id", "status_change", ["plan_id", "id"], unique=False)

    op.create_table(
        "status_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_code", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flags", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_status_snapshot_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_snapshot")),
        sa.UniqueConstraint(
            "plan_id",
            "year",
            "subject_type",
            "subject_code",
            name=op.f("uq_status_snapshot_plan_id_year_subject_type_subject_code"),
        ),
    )
    op.create_table(
        "status_refresh",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_on", sa.Date(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_status_refresh_plan_id_plan")),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_status_refresh")),
    )


def downgrade() -> None:
    op.drop_table("status_refresh")
    op.drop_table("status_snapshot")
    op.drop_index("ix_status_change_plan_id_id", table_name="status_change")
    op.drop_table("status_change")
