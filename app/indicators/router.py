"""REST routes of the indicator catalogue: reads and time series for any role; the office's edits (admin)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.auth.deps import AdminOnly, AnyRole
from app.core.clock import today
from app.core.pagination import Page, PageDep
from app.db import SessionDep
from app.indicators import service
from app.indicators.schemas import IndicatorRead, IndicatorUpdate, MergeRequest, ObservationSeries, SplitRequest

router = APIRouter(prefix="/api/v1", tags=["indicators"])

EDIT_RESPONSES: dict[int | str, dict[str, object]] = {
    409: {"description": "The indicators cannot be merged as they are (see `detail`); nothing changed"}}


@router.get("/plans/{plan_code}/indicators", summary="List the indicators the plan's targets measure")
async def list_indicators(
    plan_code: str, session: SessionDep, _: AnyRole, page: PageDep,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Text the name contains.")] = None,
    review: Annotated[bool | None, Query(description="Only indicators flagged (true) or not (false) for review.")]
    = None,
) -> Page[IndicatorRead]:
    """In plan order of their first target, each with this plan's targets on it; merged indicators are left out."""
    items, total = await service.list_indicators(session, plan_code, service.IndicatorFilter(q=q, review=review),
                                                 page)
    return Page(items=items, total=total)


@router.get("/plans/{plan_code}/indicators/{code}", summary="Get an indicator with its targets in every plan")
async def get_indicator(plan_code: str, code: str, session: SessionDep, _: AnyRole) -> IndicatorRead:
    return await service.get_indicator(session, plan_code, code)


@router.get("/plans/{plan_code}/indicators/{code}/observations", summary="The indicator's time series")
async def observations(
    plan_code: str, code: str, session: SessionDep, actor: AnyRole,
    unit: Annotated[str | None, Query(max_length=60, description="Only this reporting unit (a unit token: its own "
                                                                 "only).")] = None,
    from_year: Annotated[int | None, Query(alias="from", ge=1949, le=2100, description="First year.")] = None,
    to_year: Annotated[int | None, Query(alias="to", ge=1949, le=2100, description="Last year.")] = None,
    breakdown: Annotated[Literal["sex", "age", "area", "all"] | None, Query(
        description="Omitted: totals only; sex/age/area: the rows broken down by it; all: every row.")] = None,
    include: Annotated[Literal["provisional"] | None, Query(
        description="`provisional`: also submitted values awaiting review (admin; a unit its own).")] = None,
) -> ObservationSeries:
    """Oldest first, from every plan of the committee: the accepted revision of each submission."""
    filters = service.SeriesFilter(unit=unit, from_year=from_year, to_year=to_year, breakdown=breakdown,
                                   include_provisional=include == "provisional")
    return await service.observation_series(session, actor, plan_code, code, filters)


@router.patch("/plans/{plan_code}/indicators/{code}", summary="Correct an indicator (admin)")
async def update_indicator(plan_code: str, code: str, data: IndicatorUpdate, session: SessionDep,
                           actor: AdminOnly) -> IndicatorRead:
    """Fields left out are kept. Statuses of every plan measuring it are republished."""
    return await service.update_indicator(session, actor, plan_code, code, data, today())


@router.post("/plans/{plan_code}/indicators/{code}/merge", summary="Merge an indicator into another (admin)",
             responses=EDIT_RESPONSES)
async def merge_indicator(plan_code: str, code: str, data: MergeRequest, session: SessionDep,
                          actor: AdminOnly) -> IndicatorRead:
    """Targets and observations move to `into`; returns `into`."""
    return await service.merge_indicator(session, actor, plan_code, code, data, today())


@router.post("/plans/{plan_code}/indicators/{code}/split", summary="Split targets off into a new indicator (admin)",
             responses=EDIT_RESPONSES)
async def split_indicator(plan_code: str, code: str, data: SplitRequest, session: SessionDep,
                          actor: AdminOnly) -> IndicatorRead:
    """Returns the new indicator."""
    return await service.split_indicator(session, actor, plan_code, code, data, today())
