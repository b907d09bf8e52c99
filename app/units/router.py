"""REST routes for member units: any role reads the directory, admins change it."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth.deps import AdminOnly, AnyRole
from app.core.pagination import Page, PageDep
from app.db import SessionDep
from app.units import service
from app.units.schemas import UnitCreate, UnitRead, UnitUpdate

router = APIRouter(prefix="/api/v1/units", tags=["units"])


@router.get("", summary="List member units")
async def list_units(
    session: SessionDep, _: AnyRole, page: PageDep,
    committee: Annotated[str | None, Query(description="Committee (division) code.")] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or deactivated (false) units.")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Text the name contains.")] = None,
) -> Page[UnitRead]:
    items, total = await service.list_units(session, service.UnitFilter(committee, active, q), page)
    return Page(items=items, total=total)


@router.get("/{unit_code}", summary="Get a member unit")
async def get_unit(unit_code: str, session: SessionDep, _: AnyRole) -> UnitRead:
    return await service.get_unit(session, unit_code)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a member unit (admin)",
             responses={409: {"description": "A unit with this code already exists"}})
async def create_unit(data: UnitCreate, session: SessionDep, actor: AdminOnly) -> UnitRead:
    return await service.create_unit(session, actor, data)


@router.patch("/{unit_code}", summary="Rename, deactivate or reactivate a member unit (admin)")
async def update_unit(unit_code: str, data: UnitUpdate, session: SessionDep, actor: AdminOnly) -> UnitRead:
    return await service.update_unit(session, actor, unit_code, data)


@router.post("/{unit_code}/deactivate", summary="Deactivate a member unit (admin)")
async def deactivate_unit(unit_code: str, session: SessionDep, actor: AdminOnly) -> UnitRead:
    return await service.update_unit(session, actor, unit_code, UnitUpdate(active=False))
