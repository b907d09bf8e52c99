"""target parse rule: the id of the parser rule that read each target from its plan text

Targets imported before have none (NULL) until their plan is imported or seeded again; a target the office
curates has none either (its reading is then the office's, not a rule's).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("target") as batch:
        batch.add_column(sa.Column("parse_rule", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("target") as batch:
        batch.drop_column("parse_rule")
