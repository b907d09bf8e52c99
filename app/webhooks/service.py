"""Webhook subscriptions of the committee office: create, change, delete, read the delivery log, replay, ping.

REST (router.py) and GraphQL call these; the worker's side (fan-out and sending) is in delivery.py. A new
subscription starts at the newest outbox event: it hears of what happens next, and a replay sends what came before.
"""

import base64
import binascii
import secrets
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, insert, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.logs import WEBHOOK_SECRET_PREFIX
from app.core.pagination import PageParams, paginate
from app.errors import NotFound, ValidationFailed, summary
from app.models import OutboxEvent, Plan, WebhookDelivery, WebhookSubscription
from app.models.base import UTCDateTime, utcnow
from app.models.enums import DeliveryStatus
from app.outbox import service as outbox
from app.settings import get_settings
from app.webhooks.destinations import AllowList, refusal
from app.webhooks.schemas import (
    DeliveryRead,
    ReplayRequest,
    ReplayResult,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

SECRET_PREFIX = WEBHOOK_SECRET_PREFIX
PING = "ping"
DISABLED_BY_OFFICE = "由妇儿工委办公室停用"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_id_of(event_id: int) -> str:
    """The ``webhook-id`` of an event: one per event (and subscription), kept by every resend and replay."""
    return f"evt_{event_id}"


def cursor_of(subscription: WebhookSubscription) -> outbox.Cursor:
    return outbox.Cursor(subscription.cursor_txid, subscription.cursor_id)


async def plan_ids(session: AsyncSession, codes: Iterable[str]) -> list[int] | None:
    """The ids of the plans a subscription names; None when it names none (every plan)."""
    codes = list(codes)
    if not codes:
        return None
    rows = await session.execute(select(col(Plan.id)).where(col(Plan.code).in_(codes)))
    return [plan_id for plan_id in rows.scalars() if plan_id is not None]


# --- subscriptions -------------------------------------------------------------------------------------------

async def list_webhooks(session: AsyncSession, page: PageParams) -> tuple[list[WebhookRead], int]:
    rows, total = await paginate(session, select(WebhookSubscription).order_by(col(WebhookSubscription.id)), page)
    return [_read(row[0]) for row in rows], total


async def get_webhook(session: AsyncSession, webhook_id: int) -> WebhookRead:
    return _read(await _subscription(session, webhook_id))


async def create_webhook(session: AsyncSession, actor: Actor, data: WebhookCreate) -> WebhookCreated:
    await _check(session, data.url, data.event_types, data.plans, data.secret)
    cursor = await outbox.newest(session)
    subscription = WebhookSubscription(
        url=data.url, event_types=_unique(data.event_types), plans=_unique(data.plans),
        secret=data.secret or new_secret(), enabled=data.enabled,
        disabled_reason=None if data.enabled else DISABLED_BY_OFFICE, cursor_txid=cursor.txid, cursor_id=cursor.id)
    session.add(subscription)
    await session.flush()
    result = _read(subscription)
    await record(session, actor, "webhook.create", "webhook", str(subscription.id), after=_audit_view(result))
    return WebhookCreated(**result.model_dump(), secret=subscription.secret)


async def update_webhook(session: AsyncSession, actor: Actor, webhook_id: int, data: WebhookUpdate) -> WebhookRead:
    subscription = await _subscription(session, webhook_id, lock=True)
    before = _read(subscription)
    await _check(session, data.url, data.event_types or [], data.plans or [], None)
    if data.url is not None:
        subscription.url = data.url
    if data.event_types is not None:
        subscription.event_types = _unique(data.event_types)
    if data.plans is not None:
        subscription.plans = _unique(data.plans)
    if data.enabled is True and not subscription.enabled:
        subscription.enabled, subscription.disabled_reason, subscription.consecutive_failures = True, None, 0
    elif data.enabled is False and subscription.enabled:
        subscription.enabled, subscription.disabled_reason = False, DISABLED_BY_OFFICE
    result = _read(subscription)
    if _audit_view(result) != _audit_view(before):
        subscription.updated_at = utcnow()
        await session.flush()
        result = _read(subscription)
        await record(session, actor, "webhook.update", "webhook", str(webhook_id), before=_audit_view(before),
                     after=_audit_view(result))
    return result


async def delete_webhook(session: AsyncSession, actor: Actor, webhook_id: int) -> None:
    """Remove a subscription and its delivery log."""
    subscription = await _subscription(session, webhook_id, lock=True)
    before = _audit_view(_read(subscription))
    await session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == webhook_id))
    await session.delete(subscription)
    await session.flush()
    await record(session, actor, "webhook.delete", "webhook", str(webhook_id), before=before)


# --- the delivery log, replays and pings -------------------------------------------------------------------------

async def list_deliveries(session: AsyncSession, webhook_id: int, status: DeliveryStatus | None,
                          page: PageParams) -> tuple[list[DeliveryRead], int]:
    """A subscription's deliveries, newest first."""
    await _subscription(session, webhook_id)
    stmt = (select(WebhookDelivery, col(OutboxEvent.txid))
            .outerjoin(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
            .where(col(WebhookDelivery.subscription_id) == webhook_id)
            .order_by(col(WebhookDelivery.id).desc()))
    if status is not None:
        stmt = stmt.where(col(WebhookDelivery.status) == status.value)
    rows, total = await paginate(session, stmt, page)
    return [delivery_read(delivery, txid) for delivery, txid in rows], total


async def replay(session: AsyncSession, actor: Actor, webhook_id: int, data: ReplayRequest) -> ReplayResult:
    """New pending deliveries (with their first webhook-id) for the subscription's events in a range.

    The range is what the subscription was already handed (events up to its cursor), filtered by its types and
    plans; an event whose delivery is still pending is not added twice.
    """
    subscription = await _subscription(session, webhook_id)
    if data.from_cursor is None and data.since is None:
        raise ValidationFailed.field("from_cursor", t("give from_cursor or since: where the replay starts"))
    after = outbox.Cursor.parse(data.from_cursor, "from_cursor")
    upto = cursor_of(subscription)
    if data.to_cursor is not None:
        to_cursor = outbox.Cursor.parse(data.to_cursor, "to_cursor")
        if to_cursor < after:
            raise ValidationFailed.field("to_cursor", t("must not be before from_cursor"))
        upto = min(upto, to_cursor)
    if data.since is not None and data.until is not None and data.until <= data.since:
        raise ValidationFailed.field("until", t("must be after since"))
    events = outbox.events_query(session, after, types=subscription.event_types or None,
                                 plan_ids=await plan_ids(session, subscription.plans))
    events = events.where(tuple_(col(OutboxEvent.txid), col(OutboxEvent.id)) <= tuple_(upto.txid, upto.id))
    if data.since is not None:
        events = events.where(col(OutboxEvent.created_at) >= data.since)
    if data.until is not None:
        events = events.where(col(OutboxEvent.created_at) < data.until)
    pending = select(col(WebhookDelivery.event_id)).where(
        col(WebhookDelivery.subscription_id) == webhook_id, col(WebhookDelivery.event_id).is_not(None),
        col(WebhookDelivery.status) == DeliveryStatus.pending.value)
    now = utcnow()
    rows = events.where(col(OutboxEvent.id).not_in(pending)).order_by(None).with_only_columns(
        literal(webhook_id), col(OutboxEvent.id), col(OutboxEvent.type),
        literal("evt_") + sa.cast(col(OutboxEvent.id), sa.String), literal(DeliveryStatus.pending.value),
        literal(0), literal(now, UTCDateTime()), literal(now, UTCDateTime()))
    result = await session.execute(insert(WebhookDelivery).from_select(
        ["subscription_id", "event_id", "event_type", "webhook_id", "status", "attempts", "next_attempt_at",
         "created_at"], rows))
    scheduled = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await record(session, actor, "webhook.replay", "webhook", str(webhook_id),
                 after={**data.model_dump(mode="json", exclude_none=True), "scheduled": scheduled})
    return ReplayResult(scheduled=scheduled)


async def ping(session: AsyncSession, actor: Actor, webhook_id: int) -> DeliveryRead:
    """Queue a ``ping`` (one attempt, sent even while the subscription is disabled): the log shows the answer."""
    await _subscription(session, webhook_id)
    delivery = WebhookDelivery(subscription_id=webhook_id, event_type=PING, webhook_id=f"ping_{secrets.token_hex(12)}",
                               next_attempt_at=utcnow())
    session.add(delivery)
    await session.flush()
    await record(session, actor, "webhook.ping", "webhook", str(webhook_id), after={"webhook_id": delivery.webhook_id})
    return delivery_read(delivery, None)


# --- helpers ---------------------------------------------------------------------------------------------------

async def _subscription(session: AsyncSession, webhook_id: int, *, lock: bool = False) -> WebhookSubscription:
    stmt = select(WebhookSubscription).where(col(WebhookSubscription.id) == webhook_id)
    if lock:  # the worker's fan-out holds it for a moment; a change waits for it, not the reverse
        stmt = stmt.with_for_update()
    subscription = (await session.execute(stmt)).scalar_one_or_none()
    if subscription is None:
        raise NotFound(t("Webhook subscription {id} does not exist.", id=webhook_id))
    return subscription


async def _check(session: AsyncSession, url: str | None, event_types: list[str], plans: list[str],
                 secret: str | None) -> None:
    """Every problem of a subscription's fields at once (422 naming each field)."""
    errors: list[dict[str, str]] = []
    if url is not None:
        reason = await refusal(url, AllowList.parse(get_settings().webhook_allowed_hosts))
        if reason is not None:
            errors.append({"field": "url", "reason": reason})
    for index, event_type in enumerate(event_types):
        if event_type not in outbox.EVENT_TYPES:
            errors.append({"field": f"event_types[{index}]", "reason": t(
                "is not an event type; one of {types}", types=", ".join(outbox.EVENT_TYPES))})
    if plans:
        known = set((await session.execute(select(col(Plan.code)).where(col(Plan.code).in_(plans)))).scalars())
        errors.extend({"field": f"plans[{index}]", "reason": t("plan {code} does not exist", code=code)}
                      for index, code in enumerate(plans) if code not in known)
    if secret is not None and not _valid_secret(secret):
        errors.append({"field": "secret", "reason": t("must be whsec_ followed by the base64 of 24 to 64 bytes")})
    if errors:
        raise ValidationFailed(summary(errors), errors=errors)


def _valid_secret(secret: str) -> bool:
    if not secret.startswith(SECRET_PREFIX):
        return False
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return False
    return 24 <= len(key) <= 64


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _read(subscription: WebhookSubscription) -> WebhookRead:
    return WebhookRead(id=subscription.id, url=subscription.url, event_types=subscription.event_types,
                       plans=subscription.plans, enabled=subscription.enabled,
                       disabled_reason=subscription.disabled_reason,
                       consecutive_failures=subscription.consecutive_failures, cursor=str(cursor_of(subscription)),
                       created_at=subscription.created_at, updated_at=subscription.updated_at)


def delivery_read(delivery: WebhookDelivery, txid: int | None) -> DeliveryRead:
    cursor = str(outbox.Cursor(txid or 0, delivery.event_id)) if delivery.event_id is not None else None
    return DeliveryRead(
        id=delivery.id, webhook_id=delivery.webhook_id, event_type=delivery.event_type,
        event_cursor=cursor, status=DeliveryStatus(delivery.status), attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.pending else None,
        last_attempt_at=delivery.last_attempt_at, response_status=delivery.response_status,
        last_error=delivery.last_error, delivered_at=delivery.delivered_at, created_at=delivery.created_at)


def _audit_view(read: WebhookRead) -> dict[str, Any]:
    """What the audit log keeps of a subscription: never its secret (a read has none)."""
    return read.model_dump(mode="json", include={"url", "event_types", "plans", "enabled", "disabled_reason"})


__all__ = ["PING", "cursor_of", "delivery_read", "new_secret", "plan_ids", "webhook_id_of"]
