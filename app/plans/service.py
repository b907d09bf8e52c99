"""Read services for committees, plans and their structure. REST and GraphQL both call these."""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col

from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.pagination import PageParams, in_page, page_of_each, pages_by_parent, paginate, ranked_within
from app.errors import NotFound
from app.models import Assignment, Committee, Domain, Goal, Indicator, Measure, Plan, Target, Unit
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
    TargetScope,
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
    rows, total = await paginate(session, select(Committee).order_by(col(Committee.code)), page)
    return [_committee(row[0]) for row in rows], total


async def get_committee(session: AsyncSession, code: str) -> CommitteeRead:
    return _committee(await committee_by_code(session, code))


async def committee_by_code(session: AsyncSession, code: str) -> Committee:
    committee = (await session.execute(select(Committee).where(col(Committee.code) == code))).scalar_one_or_none()
    if committee is None:
        raise NotFound(t("Committee {code} does not exist.", code=code))
    return committee


# --- plans ------------------------------------------------------------------------------------------------

async def list_plans(session: AsyncSession, filters: PlanFilter, page: PageParams) -> tuple[list[PlanRead], int]:
    stmt = select(Plan, col(Committee.code)).join(Committee, col(Committee.id) == col(Plan.committee_id))
    if filters.committee:
        stmt = stmt.where(col(Committee.code) == filters.committee)
    if filters.kind:
        stmt = stmt.where(col(Plan.kind) == filters.kind)
    if filters.year is not None:
        stmt = stmt.where(col(Plan.start_year) <= filters.year, col(Plan.end_year) >= filters.year)
    if filters.q:
        stmt = stmt.where(col(Plan.title).contains(filters.q, autoescape=True))
    rows, total = await paginate(session, stmt.order_by(col(Plan.code)), page)
    return [_plan(plan, committee_code) for plan, committee_code in rows], total


async def plan_by_code(session: AsyncSession, code: str) -> Plan:
    plan = (await session.execute(select(Plan).where(col(Plan.code) == code))).scalar_one_or_none()
    if plan is None:
        raise NotFound(t("Plan {code} does not exist.", code=code))
    return plan


async def get_plan(session: AsyncSession, code: str) -> PlanDetail:
    plan = await plan_by_code(session, code)
    committee = await session.get(Committee, plan.committee_id)
    assert committee is not None
    domains = (await session.execute(
        select(Domain).where(col(Domain.plan_id) == plan.id)
        .order_by(col(Domain.part).desc(), col(Domain.seq)))).scalars().all()
    counts = {}
    models: tuple[tuple[str, type[Goal] | type[Measure] | type[Target]], ...] = (
        ("goals", Goal), ("measures", Measure), ("targets", Target))
    for name, model in models:
        counts[name] = (await session.execute(
            select(func.count()).select_from(model).where(col(model.plan_id) == plan.id))).scalar_one()
    return PlanDetail(**_plan(plan, committee.code).model_dump(), anomalies=list(plan.anomalies or []),
                      counts=PlanCounts(domains=len(domains), **counts), domains=[_domain(d) for d in domains])


# --- domains ----------------------------------------------------------------------------------------------

async def list_domains(session: AsyncSession, plan_code: str) -> list[DomainRead]:
    plan = await plan_by_code(session, plan_code)
    domains = (await session.execute(
        select(Domain).where(col(Domain.plan_id) == plan.id)
        .order_by(col(Domain.part).desc(), col(Domain.seq)))).scalars()
    return [_domain(d) for d in domains]


async def get_domain(session: AsyncSession, plan_code: str, domain_code: str) -> DomainRead:
    plan = await plan_by_code(session, plan_code)
    return _domain(await _domain_by_code(session, plan, domain_code))


async def _domain_by_code(session: AsyncSession, plan: Plan, code: str) -> Domain:
    domain = (await session.execute(
        select(Domain).where(col(Domain.plan_id) == plan.id, col(Domain.code) == code))).scalar_one_or_none()
    if domain is None:
        raise NotFound(t("Domain {code} does not exist in plan {plan}.", code=code, plan=plan.code))
    return domain


# --- goals and measures -----------------------------------------------------------------------------------

async def list_goals(session: AsyncSession, actor: Actor, plan_code: str, filters: ItemFilter,
                     page: PageParams) -> tuple[list[GoalRead], int]:
    visibility.require_own_unit(actor, unit_code=filters.unit)  # another unit's tasks are its own business
    plan = await plan_by_code(session, plan_code)
    stmt = _item_query(Goal, plan, filters)
    rows, total = await paginate(session, stmt, page)
    return await _goals_with_targets(session, rows), total


async def get_goal(session: AsyncSession, plan_code: str, goal_code: str) -> GoalRead:
    plan = await plan_by_code(session, plan_code)
    row = (await session.execute(
        select(Goal, col(Domain.code)).join(Domain, col(Domain.id) == col(Goal.domain_id))
        .where(col(Goal.plan_id) == plan.id, col(Goal.code) == goal_code))).first()
    if row is None:
        raise NotFound(t("Goal {code} does not exist in plan {plan}.", code=goal_code, plan=plan_code))
    return (await _goals_with_targets(session, [row]))[0]


async def list_measures(session: AsyncSession, actor: Actor, plan_code: str, filters: ItemFilter,
                        page: PageParams) -> tuple[list[MeasureRead], int]:
    visibility.require_own_unit(actor, unit_code=filters.unit)
    plan = await plan_by_code(session, plan_code)
    rows, total = await paginate(session, _item_query(Measure, plan, filters), page)
    return await _measures_with_targets(session, rows), total


async def get_measure(session: AsyncSession, plan_code: str, measure_code: str) -> MeasureRead:
    plan = await plan_by_code(session, plan_code)
    row = (await session.execute(
        select(Measure, col(Domain.code)).join(Domain, col(Domain.id) == col(Measure.domain_id))
        .where(col(Measure.plan_id) == plan.id, col(Measure.code) == measure_code))).first()
    if row is None:
        raise NotFound(t("Measure {code} does not exist in plan {plan}.", code=measure_code, plan=plan_code))
    return (await _measures_with_targets(session, [row]))[0]


Item = TypeVar("Item", Goal, Measure)
V = TypeVar("V")
S = TypeVar("S", bound=Select)


def _item_query(model: type[Item], plan: Plan, filters: ItemFilter) -> Select[Item, str]:
    """Goals or measures of a plan with their domain code, filtered, in plan order."""
    return _items_filtered(model, filters).where(col(model.plan_id) == plan.id).order_by(*_item_order(model))


def _item_order(model: type[Item]) -> tuple[Any, ...]:
    return col(Domain.part).desc(), col(Domain.seq), col(model.seq)


def _items_filtered(model: type[Item], filters: ItemFilter) -> Select[Item, str]:
    """Goals or measures of any plan with their domain code, filtered (no order)."""
    stmt = select(model, col(Domain.code)).join(Domain, col(Domain.id) == col(model.domain_id))
    if filters.domain:
        stmt = stmt.where(col(Domain.code) == filters.domain)
    if filters.part:
        stmt = stmt.where(col(Domain.part) == filters.part)
    if filters.q:
        needle = filters.q
        text_match = col(model.text).contains(needle, autoescape=True)
        stmt = stmt.where(or_(text_match, col(model.code) == needle))
    if filters.unit:
        task_column = col(Assignment.goal_id) if model is Goal else col(Assignment.measure_id)
        assigned = (select(task_column).join(Unit, col(Unit.id) == col(Assignment.unit_id))
                    .where(col(Unit.code) == filters.unit, task_column.is_not(None)))
        if filters.role:
            assigned = assigned.where(col(Assignment.role) == filters.role)
        stmt = stmt.where(col(model.id).in_(assigned))
    if filters.has_targets is not None:
        target_parent = col(Target.goal_id) if model is Goal else col(Target.measure_id)
        with_targets = select(target_parent).where(target_parent.is_not(None))
        condition = col(model.id).in_(with_targets)
        stmt = stmt.where(condition if filters.has_targets else ~condition)
    return stmt


async def goals_of_plans(session: AsyncSession, actor: Actor, plan_codes: Sequence[str], filters: ItemFilter,
                         page: PageParams) -> list[tuple[list[GoalRead], int]]:
    """A page of each plan's goals as `list_goals` gives it (items, total): two queries for any number of plans."""
    visibility.require_own_unit(actor, unit_code=filters.unit)  # another unit's tasks are its own business
    rows = await _items_of_plans(session, Goal, plan_codes, filters, page)
    return await _paged(plan_codes, page, rows, lambda inside: _goals_with_targets(session, inside))


async def measures_of_plans(session: AsyncSession, actor: Actor, plan_codes: Sequence[str], filters: ItemFilter,
                            page: PageParams) -> list[tuple[list[MeasureRead], int]]:
    """A page of each plan's measures as `list_measures` gives it: two queries for any number of plans."""
    visibility.require_own_unit(actor, unit_code=filters.unit)
    rows = await _items_of_plans(session, Measure, plan_codes, filters, page)
    return await _paged(plan_codes, page, rows, lambda inside: _measures_with_targets(session, inside))


async def _items_of_plans(session: AsyncSession, model: type[Item], plan_codes: Sequence[str], filters: ItemFilter,
                          page: PageParams) -> list[Any]:
    """(plan code, rn, total, item, domain code) of every plan's page, in one query."""
    base = _items_filtered(model, filters).join(Plan, col(Plan.id) == col(model.plan_id)) \
        .where(col(Plan.code).in_(list(plan_codes)))
    ranked = ranked_within(base, col(model.id), col(Plan.code), _item_order(model))
    stmt = (select(ranked.c.parent, ranked.c.rn, ranked.c.total, model, col(Domain.code))
            .join(ranked, ranked.c.id == col(model.id)).join(Domain, col(Domain.id) == col(model.domain_id)))
    return list((await session.execute(page_of_each(stmt, ranked, page))).all())


async def _paged(plan_codes: Sequence[str], page: PageParams, rows: list[Any],
                 shape: Callable[[list[Any]], Awaitable[Sequence[V]]]) -> list[tuple[list[V], int]]:
    """Rows of (plan code, rn, total, *row) cut into each plan's page; `shape` builds the reads of the rows inside
    a page at once (their children in one query)."""
    inside = [row for row in rows if in_page(row[1], page)]
    reads = dict(zip(((row[0], row[1]) for row in inside), await shape([tuple(row[3:]) for row in inside]),
                     strict=True))
    return pages_by_parent(plan_codes, page, [(row[0], row[1], row[2], partial(reads.__getitem__, (row[0], row[1])))
                                              for row in rows])


async def _goals_with_targets(session: AsyncSession, rows: Sequence[tuple[Goal, str]]) -> list[GoalRead]:
    goal_ids = [goal.id for goal, _ in rows]
    targets = await _targets_by_parent(session, col(Target.goal_id), goal_ids)
    return [GoalRead(code=goal.code, domain_code=domain_code, seq=goal.seq, number=goal.number, title=goal.title,
                     text=goal.text, targets=targets.get(goal.id, [])) for goal, domain_code in rows]


async def _measures_with_targets(session: AsyncSession, rows: Sequence[tuple[Measure, str]]) -> list[MeasureRead]:
    measure_ids = [measure.id for measure, _ in rows]
    targets = await _targets_by_parent(session, col(Target.measure_id), measure_ids)
    return [MeasureRead(code=m.code, domain_code=domain_code, seq=m.seq, number=m.number, title=m.title,
                        text=m.text, targets=targets.get(m.id, [])) for m, domain_code in rows]


async def _targets_by_parent(session: AsyncSession, parent_column: Mapped[int | None],
                             parent_ids: list[int | None]) -> dict[int | None, list[TargetRead]]:
    """All targets of a page of goals or measures in one query (no N+1)."""
    if not parent_ids:
        return {}
    rows = (await session.execute(
        _with_parents(select(Target, col(Plan.end_year), col(Goal.code), col(Measure.code), Indicator))
        .where(parent_column.in_(parent_ids))
        .order_by(col(Target.seq)))).all()
    grouped: dict[int | None, list[TargetRead]] = defaultdict(list)
    for row in rows:
        target = row[0]
        parent_id = target.goal_id if target.goal_id is not None else target.measure_id
        grouped[parent_id].append(_target(*row))
    return grouped


# --- targets ----------------------------------------------------------------------------------------------

async def list_targets(session: AsyncSession, plan_code: str, filters: TargetFilter,
                       page: PageParams) -> tuple[list[TargetRead], int]:
    plan = await plan_by_code(session, plan_code)
    stmt = _filter_targets(_target_query(plan), filters, col(Domain.plan_id) == plan.id)
    rows, total = await paginate(session, stmt.order_by(col(Target.id)), page)
    return [_target(*row) for row in rows], total


async def targets_of_plans(session: AsyncSession, plan_codes: Sequence[str], filters: TargetFilter,
                           page: PageParams) -> list[tuple[list[TargetRead], int]]:
    """A page of each plan's targets as `list_targets` gives it (items, total): one query for any number of plans."""
    base = _filter_targets(_with_parents(select(Target)).where(col(Plan.code).in_(list(plan_codes))), filters,
                           col(Domain.plan_id) == col(Target.plan_id))
    ranked = ranked_within(base, col(Target.id), col(Plan.code), (col(Target.id),))
    stmt = _with_parents(select(ranked.c.parent, ranked.c.rn, ranked.c.total, Target, col(Plan.end_year),
                                col(Goal.code), col(Measure.code), Indicator))
    rows: Sequence[Any] = (await session.execute(
        page_of_each(stmt.join(ranked, ranked.c.id == col(Target.id)), ranked, page))).all()
    return pages_by_parent(plan_codes, page, [(row[0], row[1], row[2], partial(_target, *row[3:])) for row in rows])


def _filter_targets(stmt: Any, filters: TargetFilter, domain_of_plan: Any) -> Any:
    """`stmt` (targets with their parents) narrowed by the filters; `domain_of_plan` ties a domain to the plan."""
    if filters.domain:
        domain_ids = select(col(Domain.id)).where(domain_of_plan, col(Domain.code) == filters.domain)
        stmt = stmt.where(or_(col(Goal.domain_id).in_(domain_ids), col(Measure.domain_id).in_(domain_ids)))
    if filters.op:
        stmt = stmt.where(col(Target.op) == filters.op)
    if filters.review is not None:
        stmt = stmt.where(col(Target.review) == filters.review)
    if filters.q:
        stmt = stmt.where(col(Target.metric).contains(filters.q, autoescape=True))
    return stmt


async def get_target(session: AsyncSession, plan_code: str, target_code: str) -> TargetRead:
    plan = await plan_by_code(session, plan_code)
    row = (await session.execute(_target_query(plan).where(col(Target.code) == target_code))).first()
    if row is None:
        raise NotFound(t("Target {code} does not exist in plan {plan}.", code=target_code, plan=plan_code))
    return _target(*row)


TargetRow = Select[Target, int, str | None, str | None, Indicator]


def _target_query(plan: Plan) -> TargetRow:
    """The plan's targets with what their shape needs (plan end year, parent codes, indicator): one query."""
    return _with_parents(select(Target, col(Plan.end_year), col(Goal.code), col(Measure.code), Indicator)) \
        .where(col(Target.plan_id) == plan.id)


def _with_parents(stmt: S) -> S:
    return (stmt.join(Plan, col(Plan.id) == col(Target.plan_id))
            .join(Indicator, col(Indicator.id) == col(Target.indicator_id))
            .outerjoin(Goal, col(Goal.id) == col(Target.goal_id))
            .outerjoin(Measure, col(Measure.id) == col(Target.measure_id)))


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
                    issued_date=plan.issued_date, status=plan.status, source_file=plan.source_file)


def _domain(domain: Domain) -> DomainRead:
    return DomainRead(code=domain.code, part=domain.part, seq=domain.seq, title=domain.title,
                      subtitle=domain.subtitle, inferred=domain.inferred)


def target_etag(target: Target) -> str:
    return f'"target-{target.id}-{target.version}"'


def _target(target: Target, plan_end_year: int, goal_code: str | None, measure_code: str | None,
            indicator: Indicator) -> TargetRead:
    return TargetRead(
        code=target.code, goal_code=goal_code, measure_code=measure_code, metric=target.metric,
        op=target.op, value=target.value, unit=target.unit, year=target.year,
        due_year=target.year or plan_end_year, per_year=target.per_year, baseline_year=target.baseline_year,
        baseline_value=target.baseline_value, tolerance=target.tolerance, direction=target.direction,
        review=target.review, review_reason=target.review_reason, source_text=target.source_text,
        parse_rule=target.parse_rule, indicator=indicator.code, indicator_name=indicator.name,
        scope=TargetScope(sex=target.scope_sex, age_group=target.scope_age_group, area=target.scope_area),
        baseline_source=target.baseline_source, version=target.version, review_comment=target.review_comment,
        curated_at=target.curated_at, etag=target_etag(target))
