"""REST route for the audit log (admin only)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from app.audit import service
from app.audit.schemas import AuditEventRead
from app.auth.deps import AdminOnly
from app.core.pagination import Page, PageDep
from app.db import SessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", summary="Read the append-only audit log (admin)")
async def list_events(
    session: SessionDep, _: AdminOnly, page: PageDep,
    entity_type: Annotated[str | None, Query(description="unit, assignment, cycle, submission, plan …")] = None,
    entity_id: Annotated[str | None, Query(description="Code or id of the entity.")] = None,
    actor: Annotated[str | None, Query(description="Token name.")] = None,
    action: Annotated[str | None, Query(description="Exact action, or a prefix such as `submission`.")] = None,
    since: Annotated[AwareDatetime | None, Query(description="From this time (inclusive, ISO 8601).")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Before this time (ISO 8601).")] = None,
) -> Page[AuditEventRead]:
    filters = service.AuditFilter(entity_type, entity_id, actor, action, since, until)
    items, total = await service.list_events(session, filters, page)
    return Page(items=items, total=total)
