"""Webhook subscriptions of the committee office and the log of their deliveries (app/webhooks)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import JSONDoc, UTCDateTime, enum_check, utcnow
from app.models.enums import DeliveryStatus, values


class WebhookSubscription(SQLModel, table=True):
    """A URL that hears of outbox events; ``cursor_txid``/``cursor_id`` is the last event fanned out to it."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (sa.Index("ix_webhook_subscription_enabled_id", "enabled", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_type=JSONDoc, description="empty: every type")
    plans: list[str] = Field(default_factory=list, sa_type=JSONDoc, description="plan codes; empty: every plan")
    secret: str = Field(max_length=120, description="whsec_ + base64; signs deliveries, never read back")
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=200)
    consecutive_failures: int = Field(default=0, description="deliveries failed in a row (retries exhausted)")
    cursor_txid: int = Field(default=0, sa_type=sa.BigInteger)
    cursor_id: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event to send to one subscription (a replay adds another row with the same ``webhook_id``).

    A ping (``event_type`` "ping") has no outbox event. While an attempt runs, ``next_attempt_at`` is the end of
    the sender's lease: a worker killed mid-way leaves the row pending, and it is sent again once the lease ends.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        enum_check("status", values(DeliveryStatus)),
        sa.Index("ix_webhook_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_subscription_id_id", "subscription_id", "id"),
        sa.Index("ix_webhook_delivery_subscription_id_status_id", "subscription_id", "status", "id"),
        sa.Index("ix_webhook_delivery_subscription_id_event_id", "subscription_id", "event_id"),
        sa.Index("ix_webhook_delivery_event_id", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id")
    event_id: int | None = Field(default=None, foreign_key="outbox_event.id")
    event_type: str = Field(max_length=40)
    webhook_id: str = Field(max_length=60, description="the webhook-id header: receivers deduplicate on it")
    status: str = Field(default=DeliveryStatus.pending.value, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_status: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


__all__ = ["WebhookDelivery", "WebhookSubscription"]
