"""What the reports say, read once: the stored verdicts (the same the status API serves), the plan's texts, unit
names, completeness per reporting cycle and the accepted narratives; and the pure rules the reports share
(attainment rate, warnings, labels in Chinese). The XLSX and DOCX builders only lay this out.
"""

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import visibility
from app.auth.actor import Actor
from app.cycles import service as cycles
from app.cycles.schemas import Completeness
from app.models import Committee, Plan, ReportingCycle, Submission, SubmissionRevision, Unit
from app.models.enums import CycleKind, SubmissionStatus, TargetOp
from app.plans.service import plan_by_code
from app.status import service as status_service
from app.status.export import PlanTexts, plan_texts
from app.status.rules import Flag, Status, format_value
from app.status.schemas import PlanStatus, StatusCounts, TargetStatus

FLAG_LABELS: dict[Flag, str] = {
    Flag.volatile: "波动较大",
    Flag.provisional: "含未审核数据",
    Flag.conflict: "各单位数值不一致",
    Flag.overdue: "逾期未报送",
    Flag.review: "待核对",
}
OP_LABELS: dict[TargetOp, str] = {
    TargetOp.ge: "≥", TargetOp.gt: ">", TargetOp.le: "≤", TargetOp.lt: "<", TargetOp.approx: "约", TargetOp.eq: "=",
    TargetOp.increase: "提高", TargetOp.decrease: "下降", TargetOp.maintain: "保持",
}
SUBMISSION_LABELS = {SubmissionStatus.draft.value: "草稿", SubmissionStatus.submitted.value: "已报送待审核",
                     SubmissionStatus.returned.value: "已退回", SubmissionStatus.accepted.value: "已审核通过",
                     "not_submitted": "未报送"}
CYCLE_LABELS = {CycleKind.baseline: "基数报送", CycleKind.annual: "年度报送", CycleKind.midterm: "中期评估报送",
                CycleKind.final: "终期评估报送"}
# Statuses in the order the reports list them (best first), each with its Chinese label.
STATUS_ORDER = (Status.achieved, Status.on_track, Status.at_risk, Status.off_track, Status.not_achieved,
                Status.insufficient_data, Status.no_data)
# A target is an early warning when its status or one of its flags says so.
WARNING_STATUSES = (Status.at_risk, Status.off_track, Status.not_achieved)
WARNING_FLAGS = (Flag.volatile, Flag.overdue)

ATTAINMENT_DEFINITION = ("达标率 = 已达标指标数 ÷ 有数据的适用指标数。“有数据”不含“无数据”“数据不足”的指标，"
                         "这两类另列，不计入分母；本年不适用的阶段性指标不计入。")


@dataclass(frozen=True)
class Attainment:
    """The attainment rate (达标率) of a set of counts, as ATTAINMENT_DEFINITION says."""

    achieved: int
    with_data: int
    without_data: int  # 无数据 + 数据不足: listed apart, not in the denominator
    applicable: int
    rate: float | None  # None when no target has data


def attainment(counts: StatusCounts) -> Attainment:
    applicable = sum(counts.model_dump().values())
    without = counts.no_data + counts.insufficient_data
    with_data = applicable - without
    return Attainment(counts.achieved, with_data, without, applicable,
                      counts.achieved / with_data if with_data else None)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rate_text(value: Attainment) -> str:
    return "—（没有有数据的指标）" if value.rate is None else f"{value.rate:.1%}"


def warning_reasons(target: TargetStatus) -> list[str]:
    """Why a target is an early warning (empty when it is not one): its status, 波动较大, 逾期."""
    reasons = [target.label] if target.status in WARNING_STATUSES else []
    return reasons + [FLAG_LABELS[f] for f in target.flags if f in WARNING_FLAGS]


def flags_text(flags: list[Flag]) -> str:
    return "、".join(FLAG_LABELS[f] for f in flags)


def target_words(target: TargetStatus) -> str:
    """The threshold as people read it: ≤7/10万, 提高."""
    op = OP_LABELS.get(target.op, target.op.value)
    return op if target.value is None else f"{op}{format_value(target.value, target.unit)}"


def observed(value: float | None, unit: str | None) -> str:
    return "" if value is None else format_value(round(value, 4), unit)


@dataclass(frozen=True)
class UnitNarrative:
    """One unit's 工作成效 / 存在问题 / 下一步计划, from the revision the office accepted."""

    unit_code: str
    unit_name: str
    achievements: str | None
    problems: str | None
    next_steps: str | None


@dataclass(frozen=True)
class ReportContent:
    plan: Plan
    committee_name: str
    status: PlanStatus  # summarise() of the stored verdicts: what GET …/status answers
    texts: PlanTexts
    completeness: list[Completeness]  # one per reporting cycle of the year (evaluation: the cycle of its kind)
    narratives: list[UnitNarrative]
    kind: CycleKind | None = None  # the evaluation report's kind

    def unit_name(self, code: str | None) -> str:
        return self.texts.unit_name(code)


async def status_report_content(session: AsyncSession, actor: Actor, plan_code: str, year: int | None,
                                today: date) -> ReportContent:
    """Everything the status report shows, for every reporting cycle of the year."""
    visibility.require_reports(actor)
    plan = await plan_by_code(session, plan_code)
    year = status_service.plan_year(plan, year, today)
    kinds = (await session.execute(select(col(ReportingCycle.kind)).where(
        col(ReportingCycle.plan_id) == plan.id, col(ReportingCycle.year) == year))).scalars().all()
    ordered = [kind for kind in CycleKind if kind.value in kinds]
    return await _content(session, actor, plan, year, today, ordered, None)


async def evaluation_report_content(session: AsyncSession, actor: Actor, plan_code: str, year: int | None,
                                    kind: CycleKind, today: date) -> ReportContent:
    """Everything the evaluation report of ``kind`` shows: the year must suit the kind (mid-term: the plan's
    third year, final: its last), as for the reporting cycles."""
    visibility.require_reports(actor)
    plan = await plan_by_code(session, plan_code)
    if year is None:
        year = cycles.required_year(plan, kind) or status_service.plan_year(plan, None, today)
    await cycles.check_cycle_year(session, plan, year, kind, "year")
    has_cycle = (await session.execute(select(col(ReportingCycle.id)).where(
        col(ReportingCycle.plan_id) == plan.id, col(ReportingCycle.year) == year,
        col(ReportingCycle.kind) == kind.value))).first() is not None
    content = await _content(session, actor, plan, year, today, [kind] if has_cycle else [], kind)
    return replace(content, narratives=await _accepted_narratives(session, plan, year, kind))


async def _content(session: AsyncSession, actor: Actor, plan: Plan, year: int, today: date,
                   cycle_kinds: list[CycleKind], kind: CycleKind | None) -> ReportContent:
    evaluation = (await status_service.stored_verdicts(session, [plan], [year], today))[(plan.id, year)]  # type: ignore[index]
    committee = await session.get(Committee, plan.committee_id)
    assert committee is not None
    completeness = [await cycles.completeness(session, actor, plan.code, year, k, today) for k in cycle_kinds]
    return ReportContent(plan, committee.name, status_service.summarise(evaluation), await plan_texts(session, plan),
                         completeness, [], kind)


async def _accepted_narratives(session: AsyncSession, plan: Plan, year: int, kind: CycleKind) -> list[UnitNarrative]:
    rows = (await session.execute(
        select(col(Unit.code), col(Unit.name), col(SubmissionRevision.achievements),
               col(SubmissionRevision.problems), col(SubmissionRevision.next_steps))
        .select_from(Submission)
        .join(SubmissionRevision, and_(col(SubmissionRevision.submission_id) == col(Submission.id),
                                       col(SubmissionRevision.revision) == col(Submission.accepted_revision)))
        .join(Unit, col(Unit.id) == col(Submission.unit_id))
        .where(col(Submission.plan_id) == plan.id, col(Submission.year) == year, col(Submission.kind) == kind.value,
               col(Submission.accepted_revision).is_not(None))
        .order_by(col(Unit.code)))).all()
    return [UnitNarrative(*row) for row in rows]
