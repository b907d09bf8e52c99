"""REST routes for webhook subscriptions: the committee office (admin) manages them all."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.deps import AdminOnly
from app.core.pagination import Page, PageDep, RowId
from app.db import SessionDep
from app.models.enums import DeliveryStatus
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryRead,
    ReplayRequest,
    ReplayResult,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Subscribe a URL to events (admin); the answer "
             "shows the signing secret, once")
async def create_webhook(data: WebhookCreate, session: SessionDep, actor: AdminOnly) -> WebhookCreated:
    return await service.create_webhook(session, actor, data)


@router.get("", summary="List webhook subscriptions (admin)")
async def list_webhooks(session: SessionDep, _: AdminOnly, page: PageDep) -> Page[WebhookRead]:
    items, total = await service.list_webhooks(session, page)
    return Page(items=items, total=total)


@router.get("/{webhook_id}", summary="Get a webhook subscription (admin)")
async def get_webhook(webhook_id: RowId, session: SessionDep, _: AdminOnly) -> WebhookRead:
    return await service.get_webhook(session, webhook_id)


@router.patch("/{webhook_id}", summary="Change a subscription's URL, event types or plans, disable or re-enable it "
              "(admin)")
async def update_webhook(webhook_id: RowId, data: WebhookUpdate, session: SessionDep,
                         actor: AdminOnly) -> WebhookRead:
    return await service.update_webhook(session, actor, webhook_id, data)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a subscription and its delivery log (admin)")
async def delete_webhook(webhook_id: RowId, session: SessionDep, actor: AdminOnly) -> Response:
    await service.delete_webhook(session, actor, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", summary="A subscription's delivery log, newest first (admin)")
async def list_deliveries(
    webhook_id: RowId, session: SessionDep, _: AdminOnly, page: PageDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only pending, delivered or failed ones.")] = None,
) -> Page[DeliveryRead]:
    items, total = await service.list_deliveries(session, webhook_id, status, page)
    return Page(items=items, total=total)


@router.post("/{webhook_id}/replay", status_code=status.HTTP_202_ACCEPTED,
             summary="Send a range of past events again, with their webhook-id (admin)")
async def replay(webhook_id: RowId, data: ReplayRequest, session: SessionDep, actor: AdminOnly) -> ReplayResult:
    return await service.replay(session, actor, webhook_id, data)


@router.post("/{webhook_id}/test", status_code=status.HTTP_202_ACCEPTED,
             summary="Queue a signed ping; its delivery shows the receiver's answer (admin)")
async def test_webhook(webhook_id: RowId, session: SessionDep, actor: AdminOnly) -> DeliveryRead:
    return await service.ping(session, actor, webhook_id)
