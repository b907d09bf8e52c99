"""REST routes for reporting cycles: the office opens, closes and reopens; everyone reads."""

from fastapi import APIRouter, status

from app.auth.deps import AdminOnly, AdminOrReader, AnyRole
from app.core.clock import today
from app.core.pagination import Page, YearPath
from app.cycles import service
from app.cycles.schemas import Completeness, CycleCreate, CycleRead, CycleReopen
from app.db import SessionDep
from app.models.enums import CycleKind

router = APIRouter(prefix="/api/v1/plans/{plan_code}/cycles", tags=["cycles"])


@router.get("", summary="List a plan's reporting cycles")
async def list_cycles(plan_code: str, session: SessionDep, _: AnyRole) -> Page[CycleRead]:
    items = await service.list_cycles(session, plan_code, today())
    return Page(items=items, total=len(items))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a reporting cycle (admin)",
             responses={409: {"description": "The plan already has a cycle of this kind for this year"}})
async def create_cycle(plan_code: str, data: CycleCreate, session: SessionDep, actor: AdminOnly) -> CycleRead:
    return await service.create_cycle(session, actor, plan_code, data, today())


@router.get("/{year}/{kind}", summary="Get a reporting cycle")
async def get_cycle(plan_code: str, year: YearPath, kind: CycleKind, session: SessionDep, _: AnyRole) -> CycleRead:
    return await service.get_cycle(session, plan_code, year, kind, today())


@router.post("/{year}/{kind}/close", summary="Close a cycle: it refuses new data (admin)")
async def close_cycle(plan_code: str, year: YearPath, kind: CycleKind, session: SessionDep,
                      actor: AdminOnly) -> CycleRead:
    return await service.close_cycle(session, actor, plan_code, year, kind, today())


@router.post("/{year}/{kind}/reopen", summary="Reopen a closed cycle for everyone (admin)")
async def reopen_cycle(plan_code: str, year: YearPath, kind: CycleKind, session: SessionDep,
                       actor: AdminOnly) -> CycleRead:
    return await service.reopen_cycle(session, actor, plan_code, year, kind, None, today())


@router.post("/{year}/{kind}/reopen-for-unit", summary="Reopen a closed cycle for one unit (admin)",
             responses={409: {"description": "The cycle is open for every unit: there is nothing to reopen"}})
async def reopen_cycle_for_unit(plan_code: str, year: YearPath, kind: CycleKind, data: CycleReopen,
                                session: SessionDep, actor: AdminOnly) -> CycleRead:
    return await service.reopen_cycle(session, actor, plan_code, year, kind, data.unit, today())


@router.get("/{year}/{kind}/completeness", summary="Which units have submitted, are late or have not (admin, reader)")
async def completeness(plan_code: str, year: YearPath, kind: CycleKind, session: SessionDep,
                       actor: AdminOrReader) -> Completeness:
    return await service.completeness(session, actor, plan_code, year, kind, today())
