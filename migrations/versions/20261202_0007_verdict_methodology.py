"""verdict methodology: the version of the status rules each stored verdict was computed with

Existing verdicts were computed with the first rules, recorded as "2026.1". `python -m app migrate` then
recomputes every plan whose verdicts carry another version than the rules' (app/status/rules.py
METHODOLOGY_VERSION), so the change feed shows every verdict the new rules change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_METHODOLOGY = "2026.1"


def upgrade() -> None:
    with op.batch_alter_table("verdict") as batch:
        batch.add_column(sa.Column("methodology", sa.String(length=16), nullable=False,
                                   server_default=FIRST_METHODOLOGY))
    # the migrate command's lookup of plans with verdicts of another version
    op.create_index("ix_verdict_methodology_plan_id", "verdict", ["methodology", "plan_id"])


def downgrade() -> None:
    op.drop_index("ix_verdict_methodology_plan_id", table_name="verdict")
    with op.batch_alter_table("verdict") as batch:
        batch.drop_column("methodology")
