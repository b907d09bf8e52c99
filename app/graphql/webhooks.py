"""GraphQL for webhook subscriptions (admin): the same service functions as REST (app/webhooks/service.py)."""

from datetime import datetime

import strawberry

from app.graphql.context import ADMIN_ONLY
from app.graphql.types import Info, Limit, Offset, Page, build, page_params
from app.models.enums import DeliveryStatus
from app.webhooks import service
from app.webhooks.schemas import DeliveryRead, WebhookRead

strawberry.enum(DeliveryStatus, description="pending (waiting for an attempt), delivered (2xx) or failed "
                                            "(retries exhausted)")


@strawberry.type(description="A URL subscribed to events. Its signing secret is shown only by createWebhook.")
class Webhook:
    id: int
    url: str
    event_types: list[str] = strawberry.field(description="Event types sent; empty: every type")
    plans: list[str] = strawberry.field(description="Plan codes whose events are sent; empty: every plan")
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int = strawberry.field(description="Deliveries that failed in a row")
    cursor: str = strawberry.field(description="The last outbox event handed to it (a statusChanges cursor)")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_read(cls, read: WebhookRead) -> "Webhook":
        return build(cls, read)


@strawberry.type(description="A new subscription and its signing secret (Standard Webhooks `whsec_…`), shown once")
class WebhookCreated:
    webhook: Webhook
    secret: str


@strawberry.type(description="One event (or ping) sent to one subscription: its attempts and the last answer")
class WebhookDelivery:
    id: int
    webhook_id: str = strawberry.field(description="The webhook-id header, the same for every send of the event")
    event_type: str
    event_cursor: str | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def from_read(cls, read: DeliveryRead) -> "WebhookDelivery":
        return build(cls, read)


@strawberry.input(description="A new subscription")
class WebhookInput:
    url: str
    event_types: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Default: every type")
    plans: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Default: every plan")
    secret: str | None = strawberry.field(default=strawberry.UNSET, description="Default: generated")
    enabled: bool | None = strawberry.UNSET


@strawberry.input(description="Changes to a subscription; fields left out are kept. enabled: true clears failures")
class WebhookPatchInput:
    url: str | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.UNSET
    plans: list[str] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET


@strawberry.input(description="Which past events to send again: after fromCursor (up to toCursor), or since a time")
class ReplayInput:
    from_cursor: str | None = strawberry.UNSET
    to_cursor: str | None = strawberry.UNSET
    since: datetime | None = strawberry.UNSET
    until: datetime | None = strawberry.UNSET


@strawberry.type(name="WebhookReplay", description="What a replay queued")
class ReplayResult:
    scheduled: int = strawberry.field(description="New pending deliveries (events already pending are not added "
                                                  "twice)")


@strawberry.type(description="Webhook reads, part of Query")
class WebhookQueries:
    @strawberry.field(description="Webhook subscriptions (admin)")
    async def webhooks(self, info: Info, limit: Limit = 50, offset: Offset = 0) -> Page[Webhook]:
        await info.context.require(*ADMIN_ONLY)
        items, total = await info.context.call(service.list_webhooks, page_params(limit, offset))
        return Page(items=[Webhook.from_read(w) for w in items], total=total)

    @strawberry.field(description="One webhook subscription (admin)")
    async def webhook(self, info: Info, id: int) -> Webhook:
        await info.context.require(*ADMIN_ONLY)
        return Webhook.from_read(await info.context.call(service.get_webhook, id))

    @strawberry.field(description="A subscription's delivery log, newest first (admin)")
    async def webhook_deliveries(self, info: Info, id: int, status: DeliveryStatus | None = None,
                                 limit: Limit = 50, offset: Offset = 0) -> Page[WebhookDelivery]:
        await info.context.require(*ADMIN_ONLY)
        items, total = await info.context.call(service.list_deliveries, id, status, page_params(limit, offset))
        return Page(items=[WebhookDelivery.from_read(d) for d in items], total=total)
