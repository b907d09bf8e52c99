"""`seed --demo`: example member units, task decomposition and reporting cycles, clearly marked as examples.

The plans do not name lead units; committees publish that separately. This builds an *example*
decomposition from keyword rules in seeds/demo.yaml so the submission workflow can be tried end to end.
Every unit and assignment it creates has `is_example` set; plans that already have assignments are left alone.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import ScalarResult, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.models import Assignment, Committee, Goal, Measure, Plan, ReportingCycle, Target, Unit
from app.models.enums import AssignmentRole, CycleKind
from app.status.publication import touch_plan

Item = TypeVar("Item", bound=Goal | Measure)


@dataclass
class DemoReport:
    units: int = 0
    assignments: int = 0
    cycles: int = 0
    skipped_plans: list[str] = field(default_factory=list)


def read_demo_rules(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def lead_for(text: str, rules: dict[str, Any]) -> str:
    """The unit suffix whose keyword comes first in the rule list (pure)."""
    for rule in rules["lead_rules"]:
        if any(keyword in text for keyword in rule["keywords"]):
            return str(rule["lead"])
    return str(rules["default_lead"])


async def load_demo(session: AsyncSession, rules: dict[str, Any], today: date) -> DemoReport:
    report = DemoReport()
    for plan in (await session.execute(select(Plan).order_by(col(Plan.code)))).scalars():
        units = await _ensure_units(session, plan, rules, report)
        await _ensure_cycles(session, plan, today, report)
        touch_plan(session, plan.id, "example task decomposition loaded")  # type: ignore[arg-type]
        if (await session.execute(
                select(col(Assignment.id)).where(col(Assignment.plan_id) == plan.id).limit(1))).first():
            report.skipped_plans.append(plan.code)
            continue
        with_targets = set((await session.execute(
            select(col(Target.goal_id))
            .where(col(Target.plan_id) == plan.id, col(Target.goal_id).is_not(None)))).scalars())
        statistics = units[rules["statistics_support"]]
        models: tuple[type[Goal] | type[Measure], ...] = (Goal, Measure)
        for model in models:
            for item in await _items(session, model, plan):
                lead = units[lead_for(item.text, rules)]
                task = {"goal_id": item.id} if model is Goal else {"measure_id": item.id}
                session.add(Assignment(plan_id=plan.id, unit_id=lead.id, role=AssignmentRole.lead.value,  # type: ignore[arg-type]
                                       is_example=True, **task))
                report.assignments += 1
                if model is Goal and item.id in with_targets and statistics.id != lead.id:
                    session.add(Assignment(plan_id=plan.id, unit_id=statistics.id,  # type: ignore[arg-type]
                                           role=AssignmentRole.support.value, is_example=True, **task))
                    report.assignments += 1
    await session.flush()
    return report


async def _items(session: AsyncSession, model: type[Item], plan: Plan) -> ScalarResult[Item]:
    return (await session.execute(select(model).where(col(model.plan_id) == plan.id))).scalars()


async def _ensure_units(session: AsyncSession, plan: Plan, rules: dict[str, Any],
                        report: DemoReport) -> dict[str, Unit]:
    code = (await session.execute(
        select(col(Committee.code)).where(col(Committee.id) == plan.committee_id))).scalar_one()
    wanted = {suffix: f"{code}-{suffix}" for suffix in rules["units"]}
    existing = {u.code: u for u in (await session.execute(
        select(Unit).where(col(Unit.code).in_(wanted.values())))).scalars()}
    units: dict[str, Unit] = {}
    for suffix, unit_code in wanted.items():
        unit = existing.get(unit_code)
        if unit is None:
            unit = Unit(committee_id=plan.committee_id, code=unit_code, name=rules["units"][suffix], is_example=True)
            session.add(unit)
            report.units += 1
        units[suffix] = unit
    await session.flush()
    return units


async def _ensure_cycles(session: AsyncSession, plan: Plan, today: date, report: DemoReport) -> None:
    """Annual cycles for every plan year that has begun, and the mid-term and final evaluations."""
    existing = {(c.year, c.kind) for c in (await session.execute(
        select(ReportingCycle).where(col(ReportingCycle.plan_id) == plan.id))).scalars()}
    wanted = [(year, CycleKind.annual) for year in range(plan.start_year, min(plan.end_year, today.year) + 1)]
    wanted += [(plan.start_year + 2, CycleKind.midterm), (plan.end_year, CycleKind.final)]
    for year, kind in wanted:
        if (year, kind.value) not in existing and year <= today.year:
            session.add(ReportingCycle(plan_id=plan.id, year=year, kind=kind.value,  # type: ignore[arg-type]
                                       opens_on=date(year, 1, 1), due_on=date(year, 12, 31)))
            report.cycles += 1
