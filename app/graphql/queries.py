"""Root query fields. Every field needs a valid token (any role); audit events are for admins only."""

from datetime import datetime

import strawberry

from app.audit import service as audit_service
from app.graphql.context import ADMIN_ONLY, ANY_ROLE
from app.graphql.enums import PlanKind
from app.graphql.errors import ERROR_CODES
from app.graphql.status import StatusChanges
from app.graphql.types import (
    AuditEvent,
    Committee,
    Info,
    Limit,
    Offset,
    Page,
    Plan,
    Submission,
    Unit,
    Viewer,
    page_params,
)
from app.graphql.webhooks import WebhookQueries
from app.models import Committee as CommitteeRow
from app.plans import service as plans_service
from app.plans.schemas import PlanRead
from app.status import service as status_service
from app.submissions import service as submissions_service
from app.units import service as units_service


async def _plan(session: object, code: str) -> PlanRead:
    plan = await plans_service.plan_by_code(session, code)  # type: ignore[arg-type]
    committee = await session.get(CommitteeRow, plan.committee_id)  # type: ignore[attr-defined]
    return plans_service._plan(plan, committee.code)


@strawberry.type(description="Reads. Every field needs `Authorization: Bearer <token>`. " + ERROR_CODES
                  + " Lists take limit/offset and return {items, total}.")
class Query(WebhookQueries):
    @strawberry.field(description="The caller: name, role and unit of the bearer token")
    async def me(self, info: Info) -> Viewer:
        actor = await info.context.require(*ANY_ROLE)
        return Viewer(name=actor.name, role=actor.role, unit_code=actor.unit_code)

    @strawberry.field(description="Committees (妇儿工委)")
    async def committees(self, info: Info, limit: Limit = 50, offset: Offset = 0) -> Page[Committee]:
        await info.context.require(*ANY_ROLE)
        items, total = await info.context.call(plans_service.list_committees, page_params(limit, offset))
        return Page(items=[Committee.from_read(c) for c in items], total=total)

    @strawberry.field(description="One committee by division code")
    async def committee(self, info: Info, code: str) -> Committee:
        await info.context.require(*ANY_ROLE)
        return Committee.from_read(await info.context.call(plans_service.get_committee, code))

    @strawberry.field(description="Plans, filtered as in REST")
    async def plans(self, info: Info, committee: str | None = None, kind: PlanKind | None = None,
                    year: int | None = None, q: str | None = None,
                    limit: Limit = 50, offset: Offset = 0) -> Page[Plan]:
        await info.context.require(*ANY_ROLE)
        filters = plans_service.PlanFilter(committee=committee, kind=kind.value if kind else None, year=year, q=q)
        items, total = await info.context.call(plans_service.list_plans, filters, page_params(limit, offset))
        return Page(items=[Plan.from_read(p) for p in items], total=total)

    @strawberry.field(description="One plan by code: the root of a dashboard (plan → domains → goals → targets)")
    async def plan(self, info: Info, code: str) -> Plan:
        await info.context.require(*ANY_ROLE)
        return Plan.from_read(await info.context.call(_plan, code))

    @strawberry.field(description="Member units, filtered as in REST")
    async def units(self, info: Info, committee: str | None = None, active: bool | None = None,
                    q: str | None = None, limit: Limit = 50, offset: Offset = 0) -> Page[Unit]:
        await info.context.require(*ANY_ROLE)
        filters = units_service.UnitFilter(committee=committee, active=active, q=q)
        items, total = await info.context.call(units_service.list_units, filters, page_params(limit, offset))
        return Page(items=[Unit.from_read(u) for u in items], total=total)

    @strawberry.field(description="One member unit by code")
    async def unit(self, info: Info, code: str) -> Unit:
        await info.context.require(*ANY_ROLE)
        return Unit.from_read(await info.context.call(units_service.get_unit, code))

    @strawberry.field(description="One submission with its current revision (a unit: its own; readers: no drafts)")
    async def submission(self, info: Info, id: int) -> Submission:
        actor = await info.context.require(*ANY_ROLE)
        return Submission.from_read(await info.context.call(submissions_service.get_submission, actor, id))

    @strawberry.field(description="Status changes in the order they happened: poll with `since` = the last "
                                  "`nextCursor` (accepted data only)")
    async def status_changes(self, info: Info, since: str | None = None, limit: int = 100,
                             plan: str | None = None, year: int | None = None) -> StatusChanges:
        await info.context.require(*ANY_ROLE)
        page = await info.context.call(status_service.list_changes, since, limit, plan, year)
        return StatusChanges.from_read(page)

    @strawberry.field(description="The append-only audit log (admin)")
    async def audit_events(self, info: Info, entity_type: str | None = None, entity_id: str | None = None,
                           actor: str | None = None, action: str | None = None, since: datetime | None = None,
                           until: datetime | None = None, limit: Limit = 50, offset: Offset = 0) -> Page[AuditEvent]:
        await info.context.require(*ADMIN_ONLY)
        filters = audit_service.AuditFilter(entity_type, entity_id, actor, action, since, until)
        items, total = await info.context.call(audit_service.list_events, filters, page_params(limit, offset))
        return Page(items=[AuditEvent.from_read(e) for e in items], total=total)
