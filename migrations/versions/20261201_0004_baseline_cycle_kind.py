"""baseline cycle kind

Base-year reports (kind `baseline`, app/models/enums.py CycleKind) came with 0003, but the CHECK constraints of
reporting_cycle.kind and submission.kind still allowed only annual, midterm and final, so a migrated database
refused every baseline cycle. This widens both; downgrading deletes baseline submissions and cycles first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("reporting_cycle", "submission")
BEFORE = "kind IN ('annual', 'midterm', 'final')"
AFTER = "kind IN ('annual', 'midterm', 'final', 'baseline')"


def _replace_check(condition: str) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind_allowed"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind_allowed"), condition)


def upgrade() -> None:
    _replace_check(AFTER)


def downgrade() -> None:
    baseline = {"kind": "baseline"}
    revisions = (
        "SELECT r.id FROM submission_revision r JOIN submission s ON s.id = r.submission_id WHERE s.kind = :kind")
    for child in ("observation", "submission_task"):
        op.execute(sa.text(f"DELETE FROM {child} WHERE revision_id IN ({revisions})").bindparams(**baseline))
    op.execute(sa.text("DELETE FROM submission_revision WHERE submission_id IN "
                       "(SELECT id FROM submission WHERE kind = :kind)").bindparams(**baseline))
    op.execute(sa.text("DELETE FROM submission WHERE kind = :kind").bindparams(**baseline))
    op.execute(sa.text("DELETE FROM cycle_reopening WHERE cycle_id IN "
                       "(SELECT id FROM reporting_cycle WHERE kind = :kind)").bindparams(**baseline))
    op.execute(sa.text("DELETE FROM reporting_cycle WHERE kind = :kind").bindparams(**baseline))
    _replace_check(BEFORE)
