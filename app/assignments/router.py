"""REST routes for task decomposition: the office assigns, units read their own."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.assignments import service
from app.assignments.schemas import AssignmentBulk, AssignmentCreate, AssignmentRead, AssignmentUpdate
from app.auth.deps import AdminOnly, AnyRole
from app.core.pagination import Page, PageDep, RowId
from app.db import SessionDep
from app.models.enums import AssignmentRole

router = APIRouter(prefix="/api/v1", tags=["assignments"])


@router.get("/plans/{plan_code}/assignments", summary="List a plan's assignments (a unit sees its own)")
async def list_assignments(
    plan_code: str, session: SessionDep, actor: AnyRole, page: PageDep,
    unit: Annotated[str | None, Query(description="Unit code.")] = None,
    task: Annotated[str | None, Query(description="Goal or measure code.")] = None,
    role: Annotated[AssignmentRole | None, Query(description="lead or support.")] = None,
) -> Page[AssignmentRead]:
    filters = service.AssignmentFilter(unit=unit, task=task, role=role.value if role else None)
    items, total = await service.list_assignments(session, actor, plan_code, filters, page)
    return Page(items=items, total=total)


@router.put("/plans/{plan_code}/assignments", summary="Replace a plan's whole decomposition (admin)",
            responses={409: {"description": "Another request changed the decomposition at the same time; retry"}})
async def replace_assignments(plan_code: str, data: AssignmentBulk, session: SessionDep,
                              actor: AdminOnly) -> Page[AssignmentRead]:
    items = await service.replace_assignments(session, actor, plan_code, data)
    return Page(items=items, total=len(items))


@router.post("/plans/{plan_code}/assignments", status_code=status.HTTP_201_CREATED,
             summary="Assign one goal or measure to a unit (admin)",
             responses={409: {"description": "The unit is already assigned to this goal or measure, or it already "
                                             "has a lead unit"}})
async def create_assignment(plan_code: str, data: AssignmentCreate, session: SessionDep,
                            actor: AdminOnly) -> AssignmentRead:
    return await service.create_assignment(session, actor, plan_code, data)


@router.patch("/plans/{plan_code}/assignments/{assignment_id}", summary="Change an assignment's role (admin)",
              responses={409: {"description": "The goal or measure already has a lead unit"}})
async def update_assignment(plan_code: str, assignment_id: RowId, data: AssignmentUpdate, session: SessionDep,
                            actor: AdminOnly) -> AssignmentRead:
    return await service.update_assignment(session, actor, plan_code, assignment_id, data)


@router.delete("/plans/{plan_code}/assignments/{assignment_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove an assignment (admin)")
async def delete_assignment(plan_code: str, assignment_id: RowId, session: SessionDep, actor: AdminOnly) -> Response:
    await service.delete_assignment(session, actor, plan_code, assignment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/units/{unit_code}/assignments", summary="What a unit is assigned, across plans (a unit: its own)")
async def unit_assignments(unit_code: str, session: SessionDep, actor: AnyRole, page: PageDep) -> Page[AssignmentRead]:
    items, total = await service.list_unit_assignments(session, actor, unit_code, page)
    return Page(items=items, total=total)
