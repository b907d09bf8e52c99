"""`seed --demo`: example self-assessments of one unit, accepted, and a later change of lead unit.

Everything goes through the services a unit and the office use (create, review, cycles, assignments), so the
example data carries observations, warnings, audit events and published statuses like real data. The values and
texts are in seeds/demo.yaml, and every narrative and source says 示例数据.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.assignments.schemas import AssignmentCreate, AssignmentUpdate
from app.assignments.service import create_assignment, update_assignment
from app.auth.actor import Actor
from app.cycles.schemas import CycleCreate
from app.cycles.service import create_cycle
from app.models import Assignment, Committee, Goal, Plan, ReportingCycle, Submission, Unit
from app.models.enums import AssignmentRole, CycleKind
from app.submissions.schemas import Narrative, ReviewIn, SubmissionCreate, ValueIn
from app.submissions.service import create_submission, review_submission


@dataclass
class DemoSubmissions:
    plan: str
    unit: str
    submissions: int = 0
    skipped: bool = False


async def load_demo_submissions(session: AsyncSession, actor: Actor, rules: dict[str, Any],
                                today: date) -> DemoSubmissions:
    """The example unit's accepted submissions (base year first), then the example lead change."""
    spec = rules["example_submissions"]
    plan = (await session.execute(select(Plan).where(col(Plan.code) == spec["plan"]))).scalar_one_or_none()
    if plan is None:
        return DemoSubmissions(spec["plan"], spec["unit"], skipped=True)
    prefix = (await session.execute(
        select(col(Committee.code)).where(col(Committee.id) == plan.committee_id))).scalar_one()
    unit = (await session.execute(select(Unit).where(col(Unit.code) == f"{prefix}-{spec['unit']}"))
            ).scalar_one_or_none()
    report = DemoSubmissions(plan.code, f"{prefix}-{spec['unit']}")
    if unit is None or not unit.is_example or not await _example_decomposition(session, plan) or (await session.execute(
            select(col(Submission.id)).where(col(Submission.plan_id) == plan.id,
                                             col(Submission.unit_id) == unit.id).limit(1))).first():
        report.skipped = True
        return report
    await _ensure_baseline_cycle(session, actor, plan, int(spec["baseline_year"]), today)
    narrative = Narrative(**spec["narrative"])
    for year, values in sorted(spec["values"].items()):
        kind = CycleKind.baseline if year == spec["baseline_year"] else CycleKind.annual
        created = await create_submission(session, actor, plan.code, SubmissionCreate(
            unit=unit.code, year=year, kind=kind, narrative=narrative, submit=True,
            values=[ValueIn(source=spec["source"], **value) for value in values]), today)
        await review_submission(session, actor, created.id, ReviewIn(decision="accept"), None)
        report.submissions += 1
    await _change_lead(session, actor, plan, prefix, spec["lead_change"])
    return report


async def _example_decomposition(session: AsyncSession, plan: Plan) -> bool:
    """True when every assignment of the plan is an example one (and there are some)."""
    flags = set((await session.execute(select(col(Assignment.is_example)).where(
        col(Assignment.plan_id) == plan.id).distinct())).scalars())
    return flags == {True}


async def _ensure_baseline_cycle(session: AsyncSession, actor: Actor, plan: Plan, year: int, today: date) -> None:
    exists = (await session.execute(select(col(ReportingCycle.id)).where(
        col(ReportingCycle.plan_id) == plan.id, col(ReportingCycle.year) == year,
        col(ReportingCycle.kind) == CycleKind.baseline.value))).first()
    if not exists:
        await create_cycle(session, actor, plan.code, CycleCreate(year=year, kind=CycleKind.baseline), today)


async def _change_lead(session: AsyncSession, actor: Actor, plan: Plan, prefix: str, change: dict[str, str]) -> None:
    """The office hands a goal to another example unit; the old lead stays on as support."""
    goal_id = (await session.execute(select(col(Goal.id)).where(
        col(Goal.plan_id) == plan.id, col(Goal.code) == change["task"]))).scalar_one()
    old = (await session.execute(select(Assignment).where(
        col(Assignment.goal_id) == goal_id, col(Assignment.role) == AssignmentRole.lead.value))).scalar_one()
    await update_assignment(session, actor, plan.code, old.id, AssignmentUpdate(role=AssignmentRole.support))  # type: ignore[arg-type]
    created = await create_assignment(session, actor, plan.code, AssignmentCreate(
        task=change["task"], unit=f"{prefix}-{change['unit']}", role=AssignmentRole.lead))
    new = await session.get(Assignment, created.id)
    assert new is not None
    new.is_example = True
    await session.flush()
