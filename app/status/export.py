"""The status table as CSV for the committee office (Excel opens it with the BOM the router adds), and the plan
texts and unit names it and the reports (app/reports) show beside the verdicts' codes."""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.models import Goal, Measure, Plan, Target, Unit
from app.plans.service import plan_by_code
from app.status.rules import format_value
from app.status.schemas import PlanStatus

CSV_COLUMNS = ("类型", "编码", "领域", "所属目标/措施", "指标", "目标值", "目标年份", "本年适用", "状态", "状态说明",
               "标记", "基数年份", "基数", "最新年份", "最新值", "要求值", "推算值", "牵头单位", "说明",
               "目标/措施内容", "牵头单位名称")


@dataclass(frozen=True)
class PlanTexts:
    """Plan text and names the verdicts carry only as codes."""

    parents: dict[str, str]  # goal or measure code → its text, verbatim
    targets: dict[str, str]  # target code → the clause it was read from, verbatim
    unit_names: dict[str, str]  # unit code → name (units of the plan's committee)

    def unit_name(self, code: str | None) -> str:
        return "" if code is None else self.unit_names.get(code, code)


async def plan_texts(session: AsyncSession, plan: Plan) -> PlanTexts:
    """Four queries, whatever the size of the plan."""
    parents = {code: text for code, text in (await session.execute(
        select(col(Goal.code), col(Goal.text)).where(col(Goal.plan_id) == plan.id))).all()}
    parents.update((code, text) for code, text in (await session.execute(
        select(col(Measure.code), col(Measure.text)).where(col(Measure.plan_id) == plan.id))).all())
    targets = {code: text for code, text in (await session.execute(
        select(col(Target.code), col(Target.source_text)).where(col(Target.plan_id) == plan.id))).all() if text}
    names = {code: name for code, name in (await session.execute(
        select(col(Unit.code), col(Unit.name)).where(col(Unit.committee_id) == plan.committee_id))).all()}
    return PlanTexts(parents, targets, names)


async def plan_texts_by_code(session: AsyncSession, plan_code: str) -> PlanTexts:
    return await plan_texts(session, await plan_by_code(session, plan_code))


def status_csv(result: PlanStatus, texts: PlanTexts) -> str:
    """One row per goal, then one per target, in plan order; codes, and beside them the goal's or measure's text
    and the lead unit's name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for g in result.goals:
        writer.writerow(["目标", g.code, g.domain_code, "", g.title or "", "", "", "是", g.status.value, g.label,
                         " ".join(f.value for f in g.flags), "", "", "", "", "", "", g.lead_unit or "",
                         g.explanation, texts.parents.get(g.code, ""), texts.unit_name(g.lead_unit)])
    for t in result.targets:
        threshold = t.op.value if t.value is None else f"{t.op.value}{format_value(t.value, t.unit)}"
        parent = t.goal_code or t.measure_code or ""
        writer.writerow([
            "指标", t.code, t.domain_code, parent, t.metric, threshold,
            t.due_year, "是" if t.applies else "否", t.status.value, t.label, " ".join(f.value for f in t.flags),
            t.baseline.year if t.baseline else "", _number(t.baseline.value) if t.baseline else "",
            t.latest.year if t.latest else "", _number(t.latest.value) if t.latest else "",
            _number(t.required), _number(t.projected), t.lead_unit or "", t.explanation,
            texts.parents.get(parent, ""), texts.unit_name(t.lead_unit)])
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")
