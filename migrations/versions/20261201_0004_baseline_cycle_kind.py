"""baseline cycles and submissions

0003 added the `baseline` cycle kind (base-year figures: 基期数据) to the models but left the databases' CHECK
constraints on reporting_cycle.kind and submission.kind at annual/midterm/final, so no base-year cycle could be
opened. This widens both. Downgrading refuses while base-year cycles or submissions exist: they would be lost.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("reporting_cycle", "submission")
WITH_BASELINE = "kind IN ('baseline', 'annual', 'midterm', 'final')"
WITHOUT_BASELINE = "kind IN ('annual', 'midterm', 'final')"


def upgrade() -> None:
    for table in TABLES:
        _replace_kind_check(table, WITH_BASELINE)


def downgrade() -> None:
    connection = op.get_bind()
    for table in TABLES:
        if connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE kind = 'baseline'")).scalar_one():
            raise RuntimeError(f"{table} has base-year (baseline) rows; remove them before downgrading below 0004")
    for table in TABLES:
        _replace_kind_check(table, WITHOUT_BASELINE)


def _replace_kind_check(table: str, condition: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_kind_allowed"), type_="check")
        batch_op.create_check_constraint("kind_allowed", condition)
