"""webhooks: subscriptions and their delivery log

A subscription names a URL, the event types and plans it wants (empty lists: all), the secret that signs its
deliveries and the outbox position it has been fanned out to. Each delivery is one event (or a ping) to send to
one subscription, with its attempts; the worker claims due rows by (status, next_attempt_at).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", JSON, nullable=False),
        sa.Column("plans", JSON, nullable=False),
        sa.Column("secret", sa.String(length=120), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("cursor_txid", sa.BigInteger(), nullable=False),
        sa.Column("cursor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_index("ix_webhook_subscription_enabled_id", "webhook_subscription", ["enabled", "id"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("webhook_id", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')",
                           name=op.f("ck_webhook_delivery_status_allowed")),
        sa.ForeignKeyConstraint(["event_id"], ["outbox_event.id"],
                                name=op.f("fk_webhook_delivery_event_id_outbox_event")),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"],
                                name=op.f("fk_webhook_delivery_subscription_id_webhook_subscription")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index("ix_webhook_delivery_status_next_attempt_at", "webhook_delivery", ["status", "next_attempt_at"])
    op.create_index("ix_webhook_delivery_subscription_id_id", "webhook_delivery", ["subscription_id", "id"])
    op.create_index("ix_webhook_delivery_subscription_id_status_id", "webhook_delivery",
                    ["subscription_id", "status", "id"])
    op.create_index("ix_webhook_delivery_subscription_id_event_id", "webhook_delivery",
                    ["subscription_id", "event_id"])
    op.create_index("ix_webhook_delivery_event_id", "webhook_delivery", ["event_id"])


def downgrade() -> None:
    op.drop_table("webhook_delivery")  # its indexes go with it
    op.drop_index("ix_webhook_subscription_enabled_id", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
