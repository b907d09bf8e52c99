"""Read services for committees, plans and their structure. REST and GraphQL both call these."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.pagination import PageParams, paginate
from app.errors import NotFound
from app.models import Assignment, Committee, Domain, Goal, Measure, Plan, Target, Unit
from app.plans.schemas import (
    CommitteeRead,
    DomainRead,
    GoalRead,
    MeasureRead,
    ParsedTargetRead,
    ParseResult,
    PlanCounts,
    PlanDetail,
    PlanRead,
    TargetRead,
)
from app.plans.targets import parse_targets


@dataclass(frozen=True)
class PlanFilter:
    committee: str | None = None
    kind: str | None = None
    year: int | None = None
    q: str | None = None


@dataclass(frozen=True)
class ItemFilter:
    """Filters shared by goal and measure lists."""

    domain: str | None = None
    part: str | None = None
    unit: str | None = None
    role: str | None = None
    q: str | None = None
    has_targets: bool | None = None


@dataclass(frozen=True)
class TargetFilter:
    domain: str | None = None
    op: str | None = None
    review: bool | None = None
    q: str | None = None


# --- committees -------------------------------------------------------------------------------------------

async def list_committees(session: AsyncSession, page: PageParams) -> tuple[list[CommitteeRead], int]:
    rows, total = await paginate(session, select(Committee).order_by(Committee.code), page)
    return [_committee(row[0]) for row in rows], total


async def get_committee(session: AsyncSession, code: str) -> CommitteeRead:
    return _committee(await committee_by_code(session, code))


async def committee_by_code(session: AsyncSession, code: str) -> Committee:
    committee = (await session.execute(select(Committee).where(Committee.code == code))).scalar_one_or_none()
    if committee is None:
        raise NotFound(f"Committee {code!r} does not exist.")
    return committee


# --- plans ------------------------------------------------------------------------------------------------

async def list_plans(session: AsyncSession, filters: PlanFilter, page: PageParams) -> tuple[list[PlanRead], int]:
    stmt = select(Plan, Committee.code).join(Committee, Committee.id == Plan.committee_id)
    if filters.committee:
        stmt = stmt.where(Committee.code == filters.committee)
    if filters.kind:
        stmt = stmt.where(Plan.kind == filters.kind)
    if filters.year is not None:
        stmt = stmt.where(Plan.start_year <= filters.year, Plan.end_year >= filters.year)
    if filters.q:
        stmt = stmt.where(Plan.title.contains(filters.q, autoescape=True))  # type: ignore[attr-defined]
    rows, total = await paginate(session, stmt.order_by(Plan.code), page)
    return [_plan(plan, committee_code) for plan, committee_code in rows], total


async def plan_by_code(session: AsyncSession, code: str) -> Plan:
    plan = (await session.execute(select(Plan).where(Plan.code == code))).scalar_one_or_none()
    if plan is None:
        raise NotFound(f"Plan {code!r} does not exist.")
    return plan


async def get_plan(session: AsyncSession, code: str) -> PlanDetail:
    plan = await plan_by_code(session, code)
    committee = await session.get(Committee, plan.committee_id)
    assert committee is not None
    domains = (await session.execute(
        select(Domain).where(Domain.plan_id == plan.id).order_by(Domain.part.desc(), Domain.seq))).scalars().all()
    counts = {}
    for name, model in (("goals", Goal), ("measures", Measure), ("targets", Target)):
        counts[name] = (await session.execute(
            select(func.count()).select_from(model).where(model.plan_id == plan.id))).scalar_one()  # type: ignore[attr-defined]
    return PlanDetail(**_plan(plan, committee.code).model_dump(), anomalies=list(plan.anomalies or []),
                      counts=PlanCounts(domains=len(domains), **counts), domains=[_domain(d) for d in domains])


# --- domains ----------------------------------------------------------------------------------------------

async def list_domains(session: AsyncSession, plan_code: str) -> list[DomainRead]:
    plan = await plan_by_code(session, plan_code)
    domains = (await session.execute(
        select(Domain).where(Domain.plan_id == plan.id).order_by(Domain.part.desc(), Domain.seq))).scalars()
    return [_domain(d) for d in domains]


async def get_domain(session: AsyncSession, plan_code: str, domain_code: str) -> DomainRead:
    plan = await plan_by_code(session, plan_code)
    return _domain(await _domain_by_code(session, plan, domain_code))


async def _domain_by_code(session: AsyncSession, plan: Plan, code: str) -> Domain:
    domain = (await session.execute(
        select(Domain).where(Domain.plan_id == plan.id, Domain.code == code))).scalar_one_or_none()
    if domain is None:
        raise NotFound(f"Domain {code!r} does not exist in plan {plan.code!r}.")
    return domain


# --- goals and measures -----------------------------------------------------------------------------------

async def list_goals(session: AsyncSession, plan_code: str, filters: ItemFilter,
                     page: PageParams) -> tuple[list[GoalRead], int]:
    plan = await plan_by_code(session, plan_code)
    stmt = _item_query(Goal, plan, filters)
    rows, total = await paginate(session, stmt, page)
    return await _goals_with_targets(session, rows), total


async def get_goal(session: AsyncSession, plan_code: str, goal_code: str) -> GoalRead:
    plan = await plan_by_code(session, plan_code)
    row = (await session.execute(
        select(Goal, Domain.code).join(Domain, Domain.id == Goal.domain_id)
        .where(Goal.plan_id == plan.id, Goal.code == goal_code))).first()
    if row is None:
        raise NotFound(f"Goal {goal_code!r} does not exist in plan {plan_code!r}.")
    return (await _goals_with_targets(session, [row]))[0]


async def list_measures(session: AsyncSession, plan_code: str, filters: ItemFilter,
                        page: PageParams) -> tuple[list[MeasureRead], int]:
    plan = await plan_by_code(session, plan_code)
    rows, total = await paginate(session, _item_query(Measure, plan, filters), page)
    return await _measures_with_targets(session, rows), total


async def get_measure(session: AsyncSession, plan_code: str, measure_code: str) -> MeasureRead:
    plan = await plan_by_code(session, plan_code)
    row = (await session.execute(
        select(Measure, Domain.code).join(Domain, Domain.id == Measure.domain_id)
        .where(Measure.plan_id == plan.id, Measure.code == measure_code))).first()
    if row is None:
        raise NotFound(f"Measure {measure_code!r} does not exist in plan {plan_code!r}.")
    return (await _measures_with_targets(session, [row]))[0]


def _item_query(model: type[Goal] | type[Measure], plan: Plan,
                filters: ItemFilter) -> Select[tuple[Goal | Measure, str]]:
    """Goals or measures of a plan with their domain code, filtered, in plan order."""
    stmt = (select(model, Domain.code).join(Domain, Domain.id == model.domain_id)
            .where(model.plan_id == plan.id))
    if filters.domain:
        stmt = stmt.where(Domain.code == filters.domain)
    if filters.part:
        stmt = stmt.where(Domain.part == filters.part)
    if filters.q:
        needle = filters.q
        text_match = model.text.contains(needle, autoescape=True)  # type: ignore[attr-defined]
        stmt = stmt.where(or_(text_match, model.code == needle))
    if filters.unit:
        task_column = Assignment.goal_id if model is Goal else Assignment.measure_id
        assigned = (select(task_column).join(Unit, Unit.id == Assignment.unit_id)
                    .where(Unit.code == filters.unit, task_column.is_not(None)))  # type: ignore[union-attr]
        if filters.role:
            assigned = assigned.where(Assignment.role == filters.role)
        stmt = stmt.where(model.id.in_(assigned))  # type: ignore[union-attr]
    if filters.has_targets is not None:
        target_parent = Target.goal_id if model is Goal else Target.measure_id
        with_targets = select(target_parent).where(target_parent.is_not(None))  # type: ignore[union-attr]
        condition = model.id.in_(with_targets)  # type: ignore[union-attr]
        stmt = stmt.where(condition if filters.has_targets else ~condition)
    return stmt.order_by(Domain.part.desc(), Domain.seq, model.seq)  # type: ignore[return-value]


async def _goals_with_targets(session: AsyncSession, rows: Sequence[tuple[Goal, str]]) -> list[GoalRead]:
    goal_ids = [goal.id for goal, _ in rows]
    targets = await _targets_by_parent(session, Target.goal_id, goal_ids)  # type: ignore[arg-type]
    return [GoalRead(code=goal.code, domain_code=domain_code, seq=goal.seq, number=goal.number, title=goal.title,
                     text=goal.text, targets=targets.get(goal.id, [])) for goal, domain_code in rows]


async def _measures_with_targets(session: AsyncSession, rows: Sequence[tuple[Measure, str]]) -> list[MeasureRead]:
    measure_ids = [measure.id for measure, _ in rows]
    targets = await _targets_by_parent(session, Target.measure_id, measure_ids)  # type: ignore[arg-type]
    return [MeasureRead(code=m.code, domain_code=domain_code, seq=m.seq, number=m.number, title=m.title,
                        text=m.text, targets=targets.get(m.id, [])) for m, domain_code in rows]


async def _targets_by_parent(session: AsyncSession, parent_column: object,
                             parent_ids: list[int | None]) -> dict[int, list[TargetRead]]:
    """All targets of a page of goals or measures in one query (no N+1)."""
    if not parent_ids:
        return {}
    rows = (await session.execute(
        select(Target, Plan.end_year, Goal.code, Measure.code)
        .join(Plan, Plan.id == Target.plan_id)
        .outerjoin(Goal, Goal.id == Target.goal_id)
        .outerjoin(Measure, Measure.id == Target.measure_id)
        .where(parent_column.in_(parent_ids))  # type: ignore[attr-defined]
        .order_by(Target.seq))).all()
    grouped: dict[int, list[TargetRead]] = defaultdict(list)
    for target, end_year, goal_code, measure_code in rows:
        parent_id = target.goal_id if target.goal_id is not None else target.measure_id
        grouped[parent_id].append(_target(target, end_year, goal_code, measure_code))
    return grouped


# --- targets ----------------------------------------------------------------------------------------------

async def list_targets(session: AsyncSession, plan_code: str, filters: TargetFilter,
                       page: PageParams) -> tuple[list[TargetRead], int]:
    plan = await plan_by_code(session, plan_code)
    stmt = _target_query(plan)
    if filters.domain:
        stmt = stmt.where(or_(Goal.domain_id.in_(_domain_ids(plan, filters.domain)),  # type: ignore[union-attr]
                              Measure.domain_id.in_(_domain_ids(plan, filters.domain))))  # type: ignore[union-attr]
    if filters.op:
        stmt = stmt.where(Target.op == filters.op)
    if filters.review is not None:
        stmt = stmt.where(Target.review == filters.review)
    if filters.q:
        stmt = stmt.where(Target.metric.contains(filters.q, autoescape=True))  # type: ignore[attr-defined]
    rows, total = await paginate(session, stmt.order_by(Target.id), page)
    return [_target(*row) for row in rows], total


async def get_target(session: AsyncSession, plan_code: str, target_code: str) -> TargetRead:
    plan = await plan_by_code(session, plan_code)
    row = (await session.execute(_target_query(plan).where(Target.code == target_code))).first()
    if row is None:
        raise NotFound(f"Target {target_code!r} does not exist in plan {plan_code!r}.")
    return _target(*row)


def _target_query(plan: Plan) -> Select[tuple[Target, int, str | None, str | None]]:
    return (select(Target, Plan.end_year, Goal.code, Measure.code)
            .join(Plan, Plan.id == Target.plan_id)
            .outerjoin(Goal, Goal.id == Target.goal_id)
            .outerjoin(Measure, Measure.id == Target.measure_id)
            .where(Target.plan_id == plan.id))


def _domain_ids(plan: Plan, domain_code: str) -> Select[tuple[int]]:
    return select(Domain.id).where(Domain.plan_id == plan.id, Domain.code == domain_code)  # type: ignore[return-value]


# --- the target parser -----------------------------------------------------------------------------------

def parse_target_text(text: str) -> ParseResult:
    """Targets read from a goal sentence by the pure parser (no database)."""
    return ParseResult(targets=[ParsedTargetRead(**target.to_dict()) for target in parse_targets(text)])


# --- shaping ----------------------------------------------------------------------------------------------

def _committee(committee: Committee) -> CommitteeRead:
    return CommitteeRead(code=committee.code, name=committee.name, region=committee.region)


def _plan(plan: Plan, committee_code: str) -> PlanRead:
    return PlanRead(code=plan.code, committee_code=committee_code, title=plan.title, kind=plan.kind,
                    start_year=plan.start_year, end_year=plan.end_year, doc_number=plan.doc_number,
                    issued_date=plan.issued_date, status=plan.status, source_file=plan.source_file)  # type: ignore[arg-type]


def _domain(domain: Domain) -> DomainRead:
    return DomainRead(code=domain.code, part=domain.part, seq=domain.seq, title=domain.title,  # type: ignore[arg-type]
                      subtitle=domain.subtitle, inferred=domain.inferred)


def _target(target: Target, plan_end_year: int, goal_code: str | None, measure_code: str | None) -> TargetRead:
    return TargetRead(
        code=target.code, goal_code=goal_code, measure_code=measure_code, metric=target.metric,
        op=target.op, value=target.value, unit=target.unit, year=target.year,  # type: ignore[arg-type]
        due_year=target.year or plan_end_year, per_year=target.per_year, baseline_year=target.baseline_year,
        baseline_value=target.baseline_value, tolerance=target.tolerance, direction=target.direction,
        review=target.review, review_reason=target.review_reason, source_text=target.source_text)
