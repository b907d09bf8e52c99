"""The worker's side of webhooks: fan-out of outbox events into deliveries, and signed sending with retries.

``fan_out`` hands each enabled subscription the events after its cursor (its types and plans only): the new
deliveries and the advanced cursor are written in one transaction, so an event is queued once however the worker
stops. ``deliver_due`` claims due deliveries by pushing ``next_attempt_at`` a lease ahead (and counting the attempt)
in a short transaction, sends them with no transaction open, then records each answer in another: 2xx delivered,
anything else retried with backoff until ``webhook_retry_hours`` have passed, then failed. A worker killed between
the two leaves its claims pending; they are sent again once the lease ends, with the same webhook-id, so a receiver
that got the first send deduplicates the second. Rows are claimed ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several workers share the work.
"""

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col
from standardwebhooks.webhooks import Webhook

from app.models import OutboxEvent, Plan, WebhookDelivery, WebhookSubscription
from app.models.base import utcnow
from app.models.enums import DeliveryStatus
from app.outbox import service as outbox
from app.settings import Settings, get_settings
from app.webhooks.destinations import AllowList, refusal
from app.webhooks.service import PING, cursor_of, plan_ids, webhook_id_of

log = logging.getLogger("app.webhooks")

Sessionmaker = async_sessionmaker[AsyncSession]
FAN_OUT_BATCH = 500
# Wait after the 1st, 2nd … failed attempt; the last one repeats until the retry window is over.
RETRY_DELAYS = (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
                timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4))
LEASE_MARGIN = timedelta(seconds=30)  # beyond the HTTP timeout: how long a claim is left to its worker
USER_AGENT = "fuer-plans-webhooks/1.0"


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def sign(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header (Standard Webhooks): ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    return Webhook(secret).sign(webhook_id, datetime.fromtimestamp(timestamp, UTC), body)


# --- fan-out ---------------------------------------------------------------------------------------------------

async def fan_out(sessionmaker: Sessionmaker, *, batch: int = FAN_OUT_BATCH, now: datetime | None = None) -> int:
    """Queue a delivery of every new event for every enabled subscription, due ``now``; returns how many."""
    async with sessionmaker() as session:
        ids = list((await session.execute(
            select(col(WebhookSubscription.id)).where(col(WebhookSubscription.enabled))
            .order_by(col(WebhookSubscription.id)))).scalars())
    queued = 0
    for subscription_id in ids:
        more = True
        while more:
            async with sessionmaker() as session:
                count, more = await _fan_out_one(session, subscription_id, batch, now or utcnow())  # type: ignore[arg-type]
                await session.commit()
            queued += count
    return queued


async def _fan_out_one(session: AsyncSession, subscription_id: int, batch: int,
                       now: datetime) -> tuple[int, bool]:
    """One page of events for one subscription (skipped while another worker or a change holds it)."""
    subscription = (await session.execute(
        select(WebhookSubscription).where(col(WebhookSubscription.id) == subscription_id,
                                          col(WebhookSubscription.enabled))
        .with_for_update(skip_locked=True))).scalar_one_or_none()
    if subscription is None:
        return 0, False
    newest = await outbox.newest(session)  # read first: an event final after it is in the page or after the cursor
    after = cursor_of(subscription)
    events = await outbox.read_events(session, after, batch, types=subscription.event_types or None,
                                      plan_ids=await plan_ids(session, subscription.plans))
    if events:
        await session.execute(insert(WebhookDelivery), [
            {"subscription_id": subscription_id, "event_id": event.cursor.id, "event_type": event.type,
             "webhook_id": webhook_id_of(event.cursor.id), "status": DeliveryStatus.pending.value, "attempts": 0,
             "next_attempt_at": now, "created_at": now} for event in events])
    full = len(events) == batch
    cursor = events[-1].cursor if full else max(newest, events[-1].cursor if events else after)
    if cursor != after:
        subscription.cursor_txid, subscription.cursor_id = cursor.txid, cursor.id
        await session.flush()
    return len(events), full


# --- sending ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A delivery a worker has leased, with everything needed to send it."""

    delivery_id: int
    attempt: int  # the attempt this claim counted: recording checks it, so a stale worker cannot overwrite
    subscription_id: int
    url: str
    secret: str
    webhook_id: str
    event_type: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def deliver_due(sessionmaker: Sessionmaker, *, now: datetime | None = None, settings: Settings | None = None,
                      client: httpx.AsyncClient | None = None) -> int:
    """Send the due deliveries (one batch) and record the answers; returns how many were attempted.

    ``now`` is the scheduling clock (tests move it); the signature's timestamp is always the wall clock, which is
    what receivers compare it with.
    """
    settings = settings or get_settings()
    claims = await claim_due(sessionmaker, now or utcnow(), settings)
    if claims:
        outcomes = await send_all(claims, settings, client)
        await record(sessionmaker, outcomes, now or utcnow(), settings)
    return len(claims)


async def claim_due(sessionmaker: Sessionmaker, now: datetime, settings: Settings) -> list[Claim]:
    """Lease a batch of due deliveries (their subscription enabled, or pings) and build their bodies; commits."""
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds) + LEASE_MARGIN
    stmt = (select(WebhookDelivery, WebhookSubscription, OutboxEvent, col(Plan.code))
            .join(WebhookSubscription, col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id))
            .outerjoin(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
            .outerjoin(Plan, col(Plan.id) == col(OutboxEvent.plan_id))
            .where(col(WebhookDelivery.status) == DeliveryStatus.pending.value,
                   col(WebhookDelivery.next_attempt_at) <= now,
                   or_(col(WebhookSubscription.enabled), col(WebhookDelivery.event_type) == PING))
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
            .limit(settings.webhook_batch)
            .with_for_update(skip_locked=True, of=WebhookDelivery))
    claims: list[Claim] = []
    async with sessionmaker() as session:
        for delivery, subscription, event, plan_code in (await session.execute(stmt)).all():
            delivery.attempts += 1
            delivery.last_attempt_at, delivery.next_attempt_at = now, lease
            claims.append(Claim(delivery.id, delivery.attempts, subscription.id, subscription.url,  # type: ignore[arg-type]
                                subscription.secret, delivery.webhook_id, delivery.event_type,
                                _body(delivery, subscription, event, plan_code), delivery.created_at))
        await session.commit()
    return claims


def _body(delivery: WebhookDelivery, subscription: WebhookSubscription, event: OutboxEvent | None,
          plan_code: str | None) -> str:
    """The JSON sent: ``{"type", "timestamp", "data"}`` (Standard Webhooks' payload structure)."""
    if event is None:  # a ping
        message: dict[str, Any] = {"type": PING, "timestamp": _iso(delivery.created_at),
                                   "data": {"subscription_id": subscription.id}}
    else:
        message = {"type": event.type, "timestamp": _iso(event.created_at), "data": {
            **event.payload, "plan": plan_code, "year": event.year, "subject": event.subject,
            "cursor": str(outbox.Cursor(event.txid, event.id))}}  # type: ignore[arg-type]
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def send_all(claims: Sequence[Claim], settings: Settings,
                   client: httpx.AsyncClient | None = None) -> list[Outcome]:
    """POST every claimed delivery (at once); no database transaction is open meanwhile."""
    allow = AllowList.parse(settings.webhook_allowed_hosts)
    if client is not None:
        return list(await asyncio.gather(*(_send(claim, client, allow, settings) for claim in claims)))
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as own:
        return list(await asyncio.gather(*(_send(claim, own, allow, settings) for claim in claims)))


async def _send(claim: Claim, client: httpx.AsyncClient, allow: AllowList, settings: Settings) -> Outcome:
    reason = await refusal(claim.url, allow)  # again at each send: what a name resolves to may have changed
    if reason is not None:
        return Outcome(claim, None, reason[:300])
    timestamp = int(time.time())
    headers = {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": claim.webhook_id,
               "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(claim.secret, claim.webhook_id, timestamp, claim.body)}
    try:
        async with client.stream("POST", claim.url, content=claim.body.encode(), headers=headers,
                                 timeout=settings.webhook_timeout_seconds) as response:
            status = response.status_code  # the body is not read: a receiver's answer is only its status
    except Exception as exc:  # any failure to send is an attempt that failed, never a failed job
        return Outcome(claim, None, f"{type(exc).__name__}: {exc}"[:300])
    return Outcome(claim, status, None if 200 <= status < 300 else f"HTTP {status}")


async def record(sessionmaker: Sessionmaker, outcomes: Sequence[Outcome], now: datetime, settings: Settings) -> None:
    """Write the answers: delivered, or the next attempt, or failed (and the subscription's failure count)."""
    window = timedelta(hours=settings.webhook_retry_hours)
    async with sessionmaker() as session:
        for outcome in outcomes:
            claim = outcome.claim
            delivery = (await session.execute(
                select(WebhookDelivery).where(col(WebhookDelivery.id) == claim.delivery_id,
                                              col(WebhookDelivery.status) == DeliveryStatus.pending.value,
                                              col(WebhookDelivery.attempts) == claim.attempt)
                .with_for_update())).scalar_one_or_none()
            if delivery is None:  # deleted, or another worker took it over when the lease ended
                continue
            delivery.response_status, delivery.last_error = outcome.status, outcome.error
            ping = delivery.event_type == PING
            if outcome.delivered:
                delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                    DeliveryStatus.delivered.value, now, None)
                if not ping:
                    await session.execute(update(WebhookSubscription).where(
                        col(WebhookSubscription.id) == claim.subscription_id,
                        col(WebhookSubscription.consecutive_failures) > 0).values(consecutive_failures=0))
                continue
            retry_at = now + retry_delay(delivery.attempts)
            if not ping and retry_at <= claim.created_at + window:
                delivery.next_attempt_at = retry_at
                continue
            delivery.status, delivery.next_attempt_at = DeliveryStatus.failed.value, None
            log.warning("webhook delivery failed", extra={"delivery": delivery.id, "webhook": claim.subscription_id,
                                                          "attempts": delivery.attempts, "error": outcome.error})
            if not ping:
                await _count_failure(session, claim.subscription_id, settings)
        await session.commit()


async def _count_failure(session: AsyncSession, subscription_id: int, settings: Settings) -> None:
    """One more failed delivery in a row; the subscription is disabled when there are too many."""
    await session.execute(update(WebhookSubscription).where(col(WebhookSubscription.id) == subscription_id).values(
        consecutive_failures=col(WebhookSubscription.consecutive_failures) + 1))
    limit = settings.webhook_disable_after
    reason = f"连续 {limit} 次投递失败（每次重试 {settings.webhook_retry_hours:g} 小时），已自动停用"
    disabled = await session.execute(
        update(WebhookSubscription)
        .where(col(WebhookSubscription.id) == subscription_id, col(WebhookSubscription.enabled),
               col(WebhookSubscription.consecutive_failures) >= limit)
        .values(enabled=False, disabled_reason=reason, updated_at=utcnow())
        .returning(col(WebhookSubscription.id)))
    if disabled.first() is not None:
        log.warning("webhook subscription disabled", extra={"webhook": subscription_id, "failures": limit})
