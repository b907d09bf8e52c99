"""REST routes of the rules service: statuses per plan, goal and unit, the CSV table, and the change feed."""

import hashlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from app.auth.deps import ANY_ROLE, AdminOnly, AnyRole, PresentedToken
from app.core.clock import today
from app.core.downloads import attachment_headers
from app.db import SessionDep, read_outside_transaction
from app.status import service
from app.status.export import plan_texts_by_code, status_csv
from app.status.rules import Flag, Status
from app.status.schemas import GoalStatusDetail, PlanStatus, RefreshReport, StatusChangePage
from app.units import service as units_service

router = APIRouter(prefix="/api/v1", tags=["status"])

Year = Annotated[int | None, Query(ge=1949, le=2100, description="The year asked, within the plan's years; "
                                                                 "default: this year (or the plan's nearest year).")]
Include = Annotated[Literal["provisional"] | None, Query(
    description="`provisional`: also use submitted values not yet accepted, flagged `provisional` "
                "(admin and reader only).")]
DomainFilter = Annotated[str | None, Query(max_length=10, description="Only this domain, e.g. W1.")]
UnitFilter = Annotated[str | None, Query(max_length=60, description="Only the goals and measures this unit leads.")]
StatusFilter = Annotated[Status | None, Query(description="List only items with this status (the summary "
                                                          "still counts all).")]
FlagFilter = Annotated[Flag | None, Query(description="List only items carrying this flag.")]
BreakdownParam = Annotated[Literal["sex", "age", "area"] | None, Query(
    description="Also judge every target on each group of this dimension that has values (`breakdowns`).")]


async def plan_reader(plan_code: str, session: SessionDep, token: PresentedToken) -> service.PlanAccess:
    """Any role's token and the plan of the path, checked and read in one statement (:func:`service.plan_access`).
    The status reads only read: on PostgreSQL they run outside a transaction block (no BEGIN, no COMMIT)."""
    await read_outside_transaction(session)
    return await service.plan_access(session, token, plan_code, ANY_ROLE)


PlanReader = Annotated[service.PlanAccess, Depends(plan_reader)]

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag is still current"}}


def _conditional(request: Request, body: BaseModel | service.StatusDocument) -> Response:
    """The JSON body with a strong ETag; 304 when the client already holds it."""
    if isinstance(body, service.StatusDocument):
        content, tag = body.body, body.etag
    else:
        content = body.model_dump_json().encode()
        tag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    match = request.headers.get("If-None-Match", "")
    if tag in {value.strip().removeprefix("W/") for value in match.split(",")} or match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


@router.get("/plans/{plan_code}/status", summary="Status of every target and goal of a plan for a year",
            response_model=PlanStatus, responses=NOT_MODIFIED)
async def plan_status(request: Request, session: SessionDep, access: PlanReader, year: Year = None,
                      include: Include = None, domain: DomainFilter = None, unit: UnitFilter = None,
                      status: StatusFilter = None, flag: FlagFilter = None,
                      breakdown: BreakdownParam = None) -> Response:
    """Counts per status for the plan and each domain, and one item per target and goal with its status,
    label, flags and explanation. Send `If-None-Match` with the last ETag to poll cheaply."""
    filters = service.StatusFilter(domain, unit, status, flag)
    if include is None and breakdown is None:  # the stored verdicts, served as stored
        return _conditional(request, await service.stored_status_document(session, access.plan, year, today(),
                                                                           filters))
    result = await service.plan_status(session, access.actor, access.plan.code, year, today(), filters,
                                       include_provisional=include == "provisional", breakdown=breakdown)
    return _conditional(request, result)


@router.get("/plans/{plan_code}/status.csv", summary="The plan's status table as CSV (UTF-8 with BOM, for Excel)",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def plan_status_csv(plan_code: str, session: SessionDep, actor: AnyRole, year: Year = None,
                          include: Include = None, domain: DomainFilter = None, unit: UnitFilter = None,
                          status: StatusFilter = None, flag: FlagFilter = None) -> Response:
    result = await service.plan_status(session, actor, plan_code, year, today(),
                                       service.StatusFilter(domain, unit, status, flag),
                                       include_provisional=include == "provisional")
    texts = await plan_texts_by_code(session, plan_code)
    return Response("\ufeff" + status_csv(result, texts), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers(f"{result.plan_code}-status-{result.year}.csv"))


@router.get("/plans/{plan_code}/goals/{goal_code}/status", summary="Status of one goal and its targets",
            response_model=GoalStatusDetail, responses=NOT_MODIFIED)
async def goal_status(plan_code: str, goal_code: str, request: Request, session: SessionDep, actor: AnyRole,
                      year: Year = None, include: Include = None, breakdown: BreakdownParam = None) -> Response:
    result = await service.goal_status(session, actor, plan_code, goal_code, year, today(),
                                       include_provisional=include == "provisional", breakdown=breakdown)
    return _conditional(request, result)


@router.get("/plans/{plan_code}/units/{unit_code}/status", summary="Status of the goals and measures a unit leads",
            response_model=PlanStatus, responses=NOT_MODIFIED)
async def unit_status(unit_code: str, request: Request, session: SessionDep, access: PlanReader,
                      year: Year = None, include: Include = None, status: StatusFilter = None,
                      flag: FlagFilter = None) -> Response:
    await units_service.get_unit(session, unit_code)  # 404 for a unit that does not exist
    filters = service.StatusFilter(unit=unit_code, status=status, flag=flag)
    if include is None:
        return _conditional(request, await service.stored_status_document(session, access.plan, year, today(),
                                                                           filters))
    result = await service.plan_status(session, access.actor, access.plan.code, year, today(), filters,
                                       include_provisional=True)
    return _conditional(request, result)


@router.get("/status/changes", summary="Feed of status changes for downstream systems",
            responses={404: {"description": "No plan with the code given as `plan`"}})
async def status_changes(
    session: SessionDep, _: AnyRole,
    since: Annotated[str | None, Query(max_length=20, description=(
        "The `next_cursor` of your last poll; `now` to start from the newest change; omit to start from the "
        "beginning."))] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_FEED_LIMIT, description="Changes per page.")] = 100,
    plan: Annotated[str | None, Query(max_length=80, description="Only this plan.")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100, description="Only statuses of this year.")] = None,
) -> StatusChangePage:
    """Changes of status or flags in the order they happened, each with what it changed from and to and why.
    Poll with `since=<next_cursor>`; an empty page means nothing new. Only accepted data feed the feed."""
    return await service.list_changes(session, since, limit, plan, year)


@router.post("/status/refresh", summary="Re-publish every plan's statuses now (admin)",
             responses={409: {"description": "Another request published statuses at the same time; retry"}})
async def refresh(session: SessionDep, _: AdminOnly) -> RefreshReport:
    """Normally not needed: writes refresh what they change, and the feed catches up with the calendar daily."""
    return await service.refresh_all(session, today(), "manual refresh")
