"""verdict inputs: a digest of what each verdict was computed from

A publish that finds a goal or measure's inputs unchanged for a year leaves its verdicts as they are instead of
judging them again. Verdicts stored before have an empty digest: they are judged again when next touched, and the
daily catch-up (which judges everything) fills the digest in.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verdict") as batch:
        batch.add_column(sa.Column("inputs", sa.String(length=32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("verdict") as batch:
        batch.drop_column("inputs")
