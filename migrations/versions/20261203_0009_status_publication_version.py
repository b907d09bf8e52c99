"""status publication version: a token that changes whenever a plan's stored verdicts change

Status reads keep the assembled document per plan, year and token, and serve it again while the token is the
same. Plans computed before have an empty token (no document is kept for it) until their next publication.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_refresh") as batch:
        batch.add_column(sa.Column("version", sa.String(length=32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("status_refresh") as batch:
        batch.drop_column("version")
