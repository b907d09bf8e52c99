"""Recording audit events; called by every service function that writes."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.models import AuditEvent


async def record(session: AsyncSession, actor: Actor, action: str, entity_type: str, entity_id: str, *,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Append one event in the caller's transaction, so it exists exactly when the change does."""
    session.add(AuditEvent(actor=actor.name, actor_role=actor.role.value, token_id=actor.token_id, action=action,
                           entity_type=entity_type, entity_id=entity_id, before=before, after=after))
    await session.flush()
