"""Assigning goals and measures to member units; a goal or measure has at most one lead unit."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.assignments.schemas import AssignmentBulk, AssignmentCreate, AssignmentRead, AssignmentUpdate
from app.audit.service import record
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.pagination import PageParams, page_of_each, pages_by_parent, paginate, ranked_within
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Assignment, Goal, Measure, Plan, Unit
from app.models.enums import AssignmentRole
from app.plans.service import plan_by_code
from app.status.publication import touch_parents, touch_plan

S = TypeVar("S", bound=Select)


@dataclass(frozen=True)
class AssignmentFilter:
    unit: str | None = None
    task: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class TaskRef:
    goal_id: int | None
    measure_id: int | None

    @property
    def key(self) -> tuple[str, int]:
        return ("goal", self.goal_id) if self.goal_id is not None else ("measure", self.measure_id)  # type: ignore[return-value]

    def matches(self) -> ColumnElement[bool]:
        """SQL condition selecting the assignments of this task."""
        if self.goal_id is not None:
            return col(Assignment.goal_id) == self.goal_id
        return col(Assignment.measure_id) == self.measure_id


async def list_assignments(session: AsyncSession, actor: Actor, plan_code: str, filters: AssignmentFilter,
                           page: PageParams) -> tuple[list[AssignmentRead], int]:
    plan = await plan_by_code(session, plan_code)
    unit_code = visibility.unit_scope(actor, filters.unit)  # a unit only ever sees its own assignments
    stmt = _filtered(_query(plan), unit_code, filters).order_by(col(Assignment.id))
    rows, total = await paginate(session, stmt, page)
    return [_read(plan, *row) for row in rows], total


async def assignments_of_plans(session: AsyncSession, actor: Actor, plan_codes: Sequence[str],
                               filters: AssignmentFilter, page: PageParams) -> list[tuple[list[AssignmentRead], int]]:
    """A page of each plan's assignments as `list_assignments` gives it (items, total): one query for any number
    of plans."""
    unit_code = visibility.unit_scope(actor, filters.unit)
    base = _filtered(select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id))
                     .outerjoin(Goal, col(Goal.id) == col(Assignment.goal_id))
                     .outerjoin(Measure, col(Measure.id) == col(Assignment.measure_id))
                     .join(Plan, col(Plan.id) == col(Assignment.plan_id))
                     .where(col(Plan.code).in_(list(plan_codes))), unit_code, filters)
    ranked = ranked_within(base, col(Assignment.id), col(Plan.code), (col(Assignment.id),))
    stmt = (select(ranked.c.rn, ranked.c.total, Plan, Assignment, Unit, col(Goal.code), col(Measure.code))
            .join(ranked, ranked.c.id == col(Assignment.id)).join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .join(Plan, col(Plan.id) == col(Assignment.plan_id))
            .outerjoin(Goal, col(Goal.id) == col(Assignment.goal_id))
            .outerjoin(Measure, col(Measure.id) == col(Assignment.measure_id)))
    rows = (await session.execute(page_of_each(stmt, ranked, page))).all()
    return pages_by_parent(plan_codes, page, [(plan.code, rn, total, partial(_read, plan, *row))
                                              for rn, total, plan, *row in rows])


async def list_unit_assignments(session: AsyncSession, actor: Actor, unit_code: str,
                                page: PageParams) -> tuple[list[AssignmentRead], int]:
    unit = await unit_by_code(session, unit_code)
    visibility.require_own_unit(actor, unit.id)
    stmt = (select(Assignment, Unit, col(Goal.code), col(Measure.code), Plan)
            .join(Unit, col(Unit.id) == col(Assignment.unit_id)).join(Plan, col(Plan.id) == col(Assignment.plan_id))
            .outerjoin(Goal, col(Goal.id) == col(Assignment.goal_id))
            .outerjoin(Measure, col(Measure.id) == col(Assignment.measure_id))
            .where(col(Assignment.unit_id) == unit.id).order_by(col(Plan.code), col(Assignment.id)))
    rows, total = await paginate(session, stmt, page)
    items = [_read(plan, assignment, unit_row, goal, measure) for assignment, unit_row, goal, measure, plan in rows]
    return items, total


async def create_assignment(session: AsyncSession, actor: Actor, plan_code: str,
                            data: AssignmentCreate) -> AssignmentRead:
    plan = await plan_by_code(session, plan_code)
    tasks = await task_index(session, plan)
    task = _resolve_task(tasks, data.task, "task")
    unit = await _unit_of_committee(session, plan, data.unit, "unit")
    existing = (await session.execute(select(Assignment).where(task.matches()))).scalars().all()
    if any(a.unit_id == unit.id for a in existing):
        raise Conflict(t("Unit {unit} is already assigned to {task}; change its role instead.", unit=unit.code,
                         task=data.task))
    if data.role is AssignmentRole.lead and any(a.role == AssignmentRole.lead for a in existing):
        raise Conflict(t("{task} already has a lead unit; a goal or measure has at most one.", task=data.task))
    assignment = Assignment(plan_id=plan.id, unit_id=unit.id, goal_id=task.goal_id,  # type: ignore[arg-type]
                            measure_id=task.measure_id, role=data.role.value)
    session.add(assignment)
    await session.flush()
    touch_parents(session, plan.id, [task.key], "task decomposition changed")  # type: ignore[arg-type]
    result = _read(plan, assignment, unit, *_codes(data.task, task))
    await record(session, actor, "assignment.create", "assignment", str(assignment.id), after=_audit(result))
    return result


async def update_assignment(session: AsyncSession, actor: Actor, plan_code: str, assignment_id: int,
                            data: AssignmentUpdate) -> AssignmentRead:
    plan = await plan_by_code(session, plan_code)
    assignment, unit, goal_code, measure_code = await _assignment_row(session, plan, assignment_id)
    before = _read(plan, assignment, unit, goal_code, measure_code)
    if data.role.value != assignment.role:
        if data.role is AssignmentRole.lead:
            task = TaskRef(goal_id=assignment.goal_id, measure_id=assignment.measure_id)
            other_lead = (await session.execute(select(col(Assignment.id)).where(
                task.matches(), col(Assignment.role) == AssignmentRole.lead.value,
                col(Assignment.id) != assignment.id))).first()
            if other_lead:
                raise Conflict(t("{task} already has a lead unit; a goal or measure has at most one.",
                                  task=before.task))
        assignment.role = data.role.value
        await session.flush()
        touch_parents(session, plan.id, [_key(assignment)], "task decomposition changed")  # type: ignore[arg-type]
    result = _read(plan, assignment, unit, goal_code, measure_code)
    if before != result:
        await record(session, actor, "assignment.update", "assignment", str(assignment_id),
                     before=_audit(before), after=_audit(result))
    return result


async def delete_assignment(session: AsyncSession, actor: Actor, plan_code: str, assignment_id: int) -> None:
    plan = await plan_by_code(session, plan_code)
    assignment, unit, goal_code, measure_code = await _assignment_row(session, plan, assignment_id)
    before = _read(plan, assignment, unit, goal_code, measure_code)
    await session.delete(assignment)
    await session.flush()
    touch_parents(session, plan.id, [_key(assignment)], "task decomposition changed")  # type: ignore[arg-type]
    await record(session, actor, "assignment.delete", "assignment", str(assignment_id), before=_audit(before))


async def replace_assignments(session: AsyncSession, actor: Actor, plan_code: str,
                              data: AssignmentBulk) -> list[AssignmentRead]:
    """Replace a plan's whole decomposition; every row is validated before anything changes."""
    plan = await plan_by_code(session, plan_code)
    tasks = await task_index(session, plan)
    units = await _units_of_committee(session, plan, {item.unit for item in data.assignments})
    errors: list[dict[str, str]] = []
    rows: list[tuple[AssignmentCreate, TaskRef, Unit]] = []
    seen: dict[tuple[tuple[str, int], int], int] = {}
    leads: dict[tuple[str, int], int] = {}
    for index, item in enumerate(data.assignments):
        field = f"assignments[{index}]"
        task = tasks.get(item.task)
        unit = units.get(item.unit)
        if task is None:
            errors.append({"field": f"{field}.task",
                           "reason": t("no goal or measure {code} in this plan", code=item.task)})
        if unit is None:
            errors.append({"field": f"{field}.unit",
                           "reason": t("no active unit {code} in this plan's committee", code=item.unit)})
        if task is None or unit is None:
            continue
        if (task.key, unit.id) in seen:
            errors.append({"field": f"{field}.unit", "reason": t(
                "{unit} is already assigned to {task} at assignments[{index}]", unit=item.unit, task=item.task,
                index=seen[(task.key, unit.id)])})  # type: ignore[index]
            continue
        seen[(task.key, unit.id)] = index  # type: ignore[index]
        if item.role is AssignmentRole.lead:
            if task.key in leads:
                errors.append({"field": f"{field}.role", "reason": t(
                    "{task} already has a lead unit at assignments[{index}]; a goal or measure has at most one",
                    task=item.task, index=leads[task.key])})
                continue
            leads[task.key] = index
        rows.append((item, task, unit))
    if errors:
        raise ValidationFailed(t("{count} assignment(s) are invalid; nothing was changed.", count=len(errors)),
                               errors=errors)

    before = await session.execute(select(col(Assignment.id)).where(col(Assignment.plan_id) == plan.id))
    removed = len(before.all())
    await session.execute(delete(Assignment).where(col(Assignment.plan_id) == plan.id))
    created = [Assignment(plan_id=plan.id, unit_id=unit.id, goal_id=task.goal_id, measure_id=task.measure_id,  # type: ignore[arg-type]
                          role=item.role.value) for item, task, unit in rows]
    session.add_all(created)
    await session.flush()
    touch_plan(session, plan.id, "task decomposition changed")  # type: ignore[arg-type]
    results = [_read(plan, assignment, unit, *_codes(item.task, task))
               for assignment, (item, task, unit) in zip(created, rows, strict=True)]
    await record(session, actor, "assignment.replace", "plan", plan.code, before={"count": removed},
                 after={"count": len(results), "assignments": [_audit(r) for r in results]})
    return results


async def task_index(session: AsyncSession, plan: Plan) -> dict[str, TaskRef]:
    """Every goal and measure code of a plan, in two queries."""
    goals = await session.execute(select(col(Goal.code), col(Goal.id)).where(col(Goal.plan_id) == plan.id))
    measures = await session.execute(select(col(Measure.code), col(Measure.id)).where(col(Measure.plan_id) == plan.id))
    index = {code: TaskRef(goal_id=goal_id, measure_id=None) for code, goal_id in goals.all()}
    index.update({code: TaskRef(goal_id=None, measure_id=measure_id) for code, measure_id in measures.all()})
    return index


async def unit_by_code(session: AsyncSession, code: str) -> Unit:
    unit = (await session.execute(select(Unit).where(col(Unit.code) == code))).scalar_one_or_none()
    if unit is None:
        raise NotFound(t("Unit {code} does not exist.", code=code))
    return unit


def _resolve_task(tasks: dict[str, TaskRef], code: str, field: str) -> TaskRef:
    task = tasks.get(code)
    if task is None:
        raise ValidationFailed.field(field, t("no goal or measure {code} in this plan", code=code))
    return task


async def _unit_of_committee(session: AsyncSession, plan: Plan, code: str, field: str) -> Unit:
    unit = (await _units_of_committee(session, plan, {code})).get(code)
    if unit is None:
        raise ValidationFailed.field(field, t("no active unit {code} in this plan's committee", code=code))
    return unit


async def _units_of_committee(session: AsyncSession, plan: Plan, codes: set[str]) -> dict[str, Unit]:
    rows = await session.execute(select(Unit).where(
        col(Unit.code).in_(codes), col(Unit.committee_id) == plan.committee_id, col(Unit.active).is_(True)))
    return {unit.code: unit for unit in rows.scalars()}


async def _assignment_row(session: AsyncSession, plan: Plan,
                          assignment_id: int) -> tuple[Assignment, Unit, str | None, str | None]:
    row = (await session.execute(_query(plan).where(col(Assignment.id) == assignment_id))).first()
    if row is None:
        raise NotFound(t("Assignment {id} does not exist in plan {plan}.", id=assignment_id, plan=plan.code))
    return row[0], row[1], row[2], row[3]


def _query(plan: Plan) -> Select[Assignment, Unit, str | None, str | None]:
    return (select(Assignment, Unit, col(Goal.code), col(Measure.code))
            .join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .outerjoin(Goal, col(Goal.id) == col(Assignment.goal_id))
            .outerjoin(Measure, col(Measure.id) == col(Assignment.measure_id))
            .where(col(Assignment.plan_id) == plan.id))


def _filtered(stmt: S, unit_code: str | None, filters: AssignmentFilter) -> S:
    """Assignments (joined with their unit, goal and measure) narrowed by the list filters."""
    if unit_code:
        stmt = stmt.where(col(Unit.code) == unit_code)
    if filters.task:
        stmt = stmt.where((col(Goal.code) == filters.task) | (col(Measure.code) == filters.task))
    if filters.role:
        stmt = stmt.where(col(Assignment.role) == filters.role)
    return stmt


def _codes(code: str, task: TaskRef) -> tuple[str | None, str | None]:
    return (code, None) if task.goal_id is not None else (None, code)


def _read(plan: Plan, assignment: Assignment, unit: Unit, goal_code: str | None,
          measure_code: str | None) -> AssignmentRead:
    return AssignmentRead(id=assignment.id, plan_code=plan.code, task=goal_code or measure_code,
                          task_type="goal" if goal_code else "measure", unit=unit.code, unit_name=unit.name,
                          role=assignment.role, is_example=assignment.is_example)


def _audit(assignment: AssignmentRead) -> dict[str, Any]:
    return assignment.model_dump(mode="json", include={"id", "task", "unit", "role"})


def _key(assignment: Assignment) -> tuple[str, int]:
    return TaskRef(goal_id=assignment.goal_id, measure_id=assignment.measure_id).key
