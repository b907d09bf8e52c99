"""Recording audit events (called by every service function that writes) and reading them back."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.schemas import AuditEventRead
from app.auth.actor import Actor
from app.core.pagination import PageParams, paginate
from app.models import AuditEvent


async def record(session: AsyncSession, actor: Actor, action: str, entity_type: str, entity_id: str, *,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Append one event in the caller's transaction, so it exists exactly when the change does."""
    session.add(AuditEvent(actor=actor.name, actor_role=actor.role.value, token_id=actor.token_id, action=action,
                           entity_type=entity_type, entity_id=entity_id, before=before, after=after))
    await session.flush()


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_events(session: AsyncSession, filters: AuditFilter,
                      page: PageParams) -> tuple[list[AuditEventRead], int]:
    stmt = select(AuditEvent)
    for column, value in ((col(AuditEvent.entity_type), filters.entity_type),
                          (col(AuditEvent.entity_id), filters.entity_id), (col(AuditEvent.actor), filters.actor)):
        if value:
            stmt = stmt.where(column == value)
    if filters.action:
        # "submission" matches every submission.* action
        stmt = stmt.where((col(AuditEvent.action) == filters.action)
                          | col(AuditEvent.action).startswith(f"{filters.action}.", autoescape=True))
    if filters.since:
        stmt = stmt.where(col(AuditEvent.at) >= filters.since)
    if filters.until:
        stmt = stmt.where(col(AuditEvent.at) < filters.until)
    rows, total = await paginate(session, stmt.order_by(col(AuditEvent.id)), page)
    return [AuditEventRead.model_validate(row[0], from_attributes=True) for row in rows], total
