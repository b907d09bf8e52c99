"""observation: no separate index on revision_id

The unique key (revision_id, indicator_id, sex, age_group, area) starts with revision_id, so its index serves every
lookup by revision; the separate one only cost an index entry for every value written (a tenth of a bulk insert).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.drop_index("ix_observation_revision_id")


def downgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.create_index("ix_observation_revision_id", ["revision_id"], unique=False)
