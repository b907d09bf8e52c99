"""The indicator catalogue: reads, time series, and the office's edits. REST and GraphQL both call these.

Every read runs a fixed number of queries whatever the plan's size; every edit is audited and republishes the
statuses of each plan of the committee with a target on the indicators it touched.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.pagination import PageParams
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.indicators.catalogue import loose_key
from app.indicators.schemas import (
    IndicatorObservationRead,
    IndicatorRead,
    IndicatorTargetRead,
    IndicatorUpdate,
    MergeRequest,
    ObservationSeries,
    SplitRequest,
)
from app.indicators.units import convert, convertible
from app.models import (
    Domain,
    Goal,
    Indicator,
    Measure,
    Observation,
    Plan,
    Submission,
    SubmissionRevision,
    Target,
    Unit,
)
from app.models.base import utcnow
from app.models.enums import SubmissionStatus
from app.observations.breakdowns import AGE_GROUPS, DIMENSIONS, normalise_age_group
from app.plans.service import plan_by_code
from app.status.publication import touch_indicators
from app.status.schemas import BreakdownScope

BreakdownFilter = Literal["sex", "age", "area", "all"]
CODE_PATTERN = re.compile(r"^I(\d+)$")


@dataclass(frozen=True)
class IndicatorFilter:
    q: str | None = None
    review: bool | None = None


@dataclass(frozen=True)
class SeriesFilter:
    unit: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    breakdown: BreakdownFilter | None = None
    include_provisional: bool = False


# --- reads ------------------------------------------------------------------------------------------------

async def list_indicators(session: AsyncSession, plan_code: str, filters: IndicatorFilter,
                          page: PageParams) -> tuple[list[IndicatorRead], int]:
    """The indicators the plan's targets measure, in plan order of their first target, each with this plan's
    targets: three queries whatever the plan's size."""
    plan = await plan_by_code(session, plan_code)
    return (await _indicators_of(session, [plan.code], col(Target.plan_id) == plan.id, filters, page))[0]


async def indicators_of_plans(session: AsyncSession, plan_codes: Sequence[str], filters: IndicatorFilter,
                              page: PageParams) -> list[tuple[list[IndicatorRead], int]]:
    """`list_indicators` of many plans (a plan that does not exist has none): two queries for any number."""
    return await _indicators_of(session, plan_codes, col(Plan.code).in_(list(plan_codes)), filters, page)


async def _indicators_of(session: AsyncSession, plan_codes: Sequence[str], of_plans: Any, filters: IndicatorFilter,
                         page: PageParams) -> list[tuple[list[IndicatorRead], int]]:
    targets = await targets_where(session, of_plans)
    per_plan: dict[str, list[TargetRow]] = defaultdict(list)
    for row in targets:
        per_plan[row[1].plan_code].append(row)
    indicators = await _indicators_where(session, col(Indicator.id).in_({target.indicator_id for target, _ in targets}))
    results: list[tuple[list[IndicatorRead], int]] = []
    for code in plan_codes:
        rows = per_plan.get(code, [])
        order: list[int] = list(dict.fromkeys(target.indicator_id for target, _ in rows))
        chosen = [indicators[i] for i in order if _matches(indicators[i][0], filters)]
        by_indicator = _group_targets(rows)
        results.append(([_read(indicator, source, merged, by_indicator[indicator.id])  # type: ignore[index]
                         for indicator, source, merged in chosen[page.offset:page.offset + page.limit]], len(chosen)))
    return results


async def get_indicator(session: AsyncSession, plan_code: str, code: str) -> IndicatorRead:
    """One indicator of the plan's committee with its targets in every plan of the committee."""
    plan = await plan_by_code(session, plan_code)
    return (await _reads(session, plan, [await indicator_by_code(session, plan, code)]))[0]


async def indicators_by_code(session: AsyncSession, keys: Sequence[tuple[str, str]]) -> list[IndicatorRead | AppError]:
    """(plan code, indicator code) → `get_indicator`, in four queries; a missing plan or indicator gets its error."""
    plans = {plan.code: plan for plan in (await session.execute(select(Plan).where(
        col(Plan.code).in_({plan_code for plan_code, _ in keys})))).scalars()}
    rows = await session.execute(select(col(Plan.code), col(Indicator.code), col(Indicator.id))
                                 .join(Plan, col(Plan.committee_id) == col(Indicator.committee_id))
                                 .where(tuple_(col(Plan.code), col(Indicator.code)).in_(list(keys))))
    ids: dict[tuple[str, str], int] = {(plan_code, code): int(indicator_id)  # type: ignore[arg-type]
                                       for plan_code, code, indicator_id in rows.all()}
    reads = await indicators_by_id(session, sorted(set(ids.values())))
    results: list[IndicatorRead | AppError] = []
    for plan_code, code in keys:
        if plan_code not in plans:
            results.append(NotFound(t("Plan {code} does not exist.", code=plan_code)))
        elif (plan_code, code) not in ids:
            results.append(NotFound(t("Indicator {code} does not exist in the committee of plan {plan}.", code=code,
                                      plan=plan_code)))
        else:
            results.append(reads[ids[(plan_code, code)]])
    return results


async def indicators_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, IndicatorRead]:
    """Indicators with their targets in every plan of their committee, in three queries (GraphQL's loader)."""
    found = await _indicators_where(session, col(Indicator.id).in_(ids))
    committees = {indicator.committee_id for indicator, _, _ in found.values()}
    targets = await targets_where(session, and_(col(Plan.committee_id).in_(committees),
                                                col(Target.indicator_id).in_(ids)))
    by_indicator = _group_targets(targets)
    return {i: _read(indicator, source, merged, by_indicator[i]) for i, (indicator, source, merged) in found.items()}


async def indicators_of_targets(session: AsyncSession, keys: Sequence[tuple[str, str]]
                                ) -> list[IndicatorRead | None]:
    """(plan code, target code) → the target's indicator, in four queries (GraphQL's `Target.indicator`)."""
    rows = await session.execute(select(col(Plan.code), col(Target.code), col(Target.indicator_id))
                                 .join(Plan, col(Plan.id) == col(Target.plan_id))
                                 .where(tuple_(col(Plan.code), col(Target.code)).in_(list(keys))))
    ids = {(plan_code, code): indicator_id for plan_code, code, indicator_id in rows.all()}
    reads = await indicators_by_id(session, sorted(set(ids.values())))
    return [reads.get(ids[key]) if key in ids else None for key in keys]


async def observations_by_code(session: AsyncSession, actor: Actor, keys: Sequence[tuple[str, str]],
                               filters: SeriesFilter) -> list[list[IndicatorObservationRead]]:
    """(plan code, indicator code) → the indicator's series, in two queries (GraphQL's `Indicator.observations`)."""
    rows = await session.execute(select(col(Plan.code), col(Indicator.code), col(Indicator.id))
                                 .join(Plan, col(Plan.committee_id) == col(Indicator.committee_id))
                                 .where(tuple_(col(Plan.code), col(Indicator.code)).in_(list(keys))))
    ids = {(plan_code, code): indicator_id for plan_code, code, indicator_id in rows.all()}
    series = await observations_of(session, actor, [i for i in ids.values() if i is not None], filters)
    return [series.get(ids[key], []) if ids.get(key) is not None else [] for key in keys]  # type: ignore[arg-type]


async def observation_series(session: AsyncSession, actor: Actor, plan_code: str, code: str,
                             filters: SeriesFilter) -> ObservationSeries:
    """The indicator's observations, oldest first, from any plan of the committee, as the actor may see them."""
    plan = await plan_by_code(session, plan_code)
    indicator = await indicator_by_code(session, plan, code)
    read = (await _reads(session, plan, [indicator]))[0]
    assert indicator.id is not None
    items = (await observations_of(session, actor, [indicator.id], filters))[indicator.id]
    return ObservationSeries(indicator=read, items=items)


async def observations_of(session: AsyncSession, actor: Actor, ids: Sequence[int],
                          filters: SeriesFilter) -> dict[int, list[IndicatorObservationRead]]:
    """The observations of several indicators (one query, plus one to check a `unit` filter)."""
    unit_code = visibility.observation_scope(actor, filters.unit, filters.include_provisional)
    if filters.from_year is not None and filters.to_year is not None and filters.from_year > filters.to_year:
        raise ValidationFailed.field("from", t("must not be after `to` ({year})", year=filters.to_year))
    if unit_code is not None and filters.unit is not None:
        exists = (await session.execute(select(col(Unit.id)).where(col(Unit.code) == unit_code))).first()
        if exists is None:
            raise ValidationFailed.field("unit", t("no unit {code}", code=unit_code))
    accepted = col(SubmissionRevision.revision) == col(Submission.accepted_revision)
    awaiting = and_(col(Submission.status) == SubmissionStatus.submitted.value,
                    col(SubmissionRevision.revision) == col(Submission.revision),
                    or_(col(Submission.accepted_revision).is_(None),
                        col(Submission.accepted_revision) != col(Submission.revision)))
    stmt = (select(Observation, Submission, col(SubmissionRevision.revision), col(Unit.code), col(Unit.name))
            .join(SubmissionRevision, col(SubmissionRevision.id) == col(Observation.revision_id))
            .join(Submission, col(Submission.id) == col(SubmissionRevision.submission_id))
            .join(Unit, col(Unit.id) == col(Submission.unit_id))
            .where(col(Observation.indicator_id).in_(ids), or_(accepted, awaiting) if filters.include_provisional
                   else accepted))
    if unit_code is not None:
        stmt = stmt.where(col(Unit.code) == unit_code)
    if filters.from_year is not None:
        stmt = stmt.where(col(Submission.year) >= filters.from_year)
    if filters.to_year is not None:
        stmt = stmt.where(col(Submission.year) <= filters.to_year)
    stmt = stmt.where(*_breakdown_condition(filters.breakdown))
    stmt = stmt.order_by(col(Submission.year), col(Unit.code), col(Submission.kind), col(Observation.sex),
                         col(Observation.age_group), col(Observation.area), col(SubmissionRevision.revision))
    grouped: dict[int, list[IndicatorObservationRead]] = defaultdict(list)
    for obs, submission, revision, code, name in (await session.execute(stmt)).all():
        grouped[obs.indicator_id].append(IndicatorObservationRead(
            year=submission.year, unit=code, unit_name=name, kind=submission.kind, sex=obs.sex,
            age_group=obs.age_group, area=obs.area, value=obs.value, measure_unit=obs.unit,
            reported_value=obs.reported_value, reported_unit=obs.reported_unit, source=obs.source, note=obs.note,
            provisional=revision != submission.accepted_revision, submission_id=submission.id, revision=revision,
            warnings=list(obs.warnings or []), justification=obs.justification))
    return {i: grouped.get(i, []) for i in ids}


def _breakdown_condition(breakdown: BreakdownFilter | None) -> list[Any]:
    """Totals only by default; one dimension broken down (the others at their totals); or every row."""
    if breakdown == "all":
        return []
    columns = {"sex": (col(Observation.sex), "total"), "age": (col(Observation.age_group), "all"),
               "area": (col(Observation.area), "all")}
    return [column != total if dimension == breakdown else column == total
            for dimension, (column, total) in columns.items()]


# --- edits ------------------------------------------------------------------------------------------------

async def update_indicator(session: AsyncSession, actor: Actor, plan_code: str, code: str, data: IndicatorUpdate,
                           today: date) -> IndicatorRead:
    """The office's corrections to an indicator; fields left out are kept. Its unit is not editable."""
    plan = await plan_by_code(session, plan_code)
    indicator = await indicator_by_code(session, plan, code)
    before = await _audited(session, plan, indicator)
    given = data.model_fields_set
    errors: list[dict[str, str]] = []
    if "name" in given and data.name is None:
        errors.append({"field": "name", "code": "missing", "reason": t("must not be null")})
    source_id: int | None = None
    if "data_source_unit" in given and data.data_source_unit is not None:
        source_id = (await session.execute(select(col(Unit.id)).where(
            col(Unit.code) == data.data_source_unit, col(Unit.committee_id) == plan.committee_id))).scalar()
        if source_id is None:
            errors.append({"field": "data_source_unit", "code": "unknown_unit", "reason": t(
                "no unit {code} in the committee of plan {plan}", code=data.data_source_unit, plan=plan.code)})
    age_groups = _age_groups(data.age_groups or [], errors)
    if errors:
        raise ValidationFailed(t("The indicator was not changed: {count} problem(s).", count=len(errors)),
                               errors=errors)
    if "name" in given and data.name is not None:
        indicator.name = data.name
    for name in ("definition", "direction", "precision", "national_code"):
        if name in given:
            setattr(indicator, name, getattr(data, name))
    if "data_source_unit" in given:
        indicator.data_source_unit_id = source_id
    if "breakdowns" in given:
        chosen = set(data.breakdowns or [])
        indicator.breakdowns = [d for d in DIMENSIONS if d in chosen]
    if "age_groups" in given:
        indicator.age_groups = age_groups
    if data.review is not None:
        indicator.review = not data.review.resolved
        if data.review.comment is not None:
            indicator.review_reason = data.review.comment
    indicator.updated_at = utcnow()
    await session.flush()
    after = await _audited(session, plan, indicator)
    await record(session, actor, "indicator.update", "indicator", _entity(indicator), before=before, after=after)
    touch_indicators(session, [indicator.id], f"indicator {indicator.code} updated")  # type: ignore[list-item]
    return await get_indicator(session, plan_code, indicator.code)


def _age_groups(labels: Iterable[str], errors: list[dict[str, str]]) -> list[str]:
    """The labels in their stored spelling, each from the controlled list; unknown ones are errors."""
    result: list[str] = []
    for index, label in enumerate(labels):
        try:
            normalised = normalise_age_group(label)
        except ValueError:
            normalised = ""
        if normalised not in AGE_GROUPS:
            errors.append({"field": f"age_groups[{index}]", "code": "unknown_age_group", "reason": t(
                "{label} is not in the controlled list of age groups ({known})", label=label,
                known="、".join(AGE_GROUPS))})
        elif normalised not in result:
            result.append(normalised)
    return result


async def merge_indicator(session: AsyncSession, actor: Actor, plan_code: str, code: str, data: MergeRequest,
                          today: date) -> IndicatorRead:
    """Move the indicator's targets and observations to `into` (values converted into its unit); the merged
    indicator stays, pointing at `into`, and is no longer listed or reportable."""
    plan = await plan_by_code(session, plan_code)
    source = await indicator_by_code(session, plan, code)
    if data.into == source.code:
        raise ValidationFailed.field("into", t("an indicator cannot be merged into itself"))
    target = await indicator_by_code(session, plan, data.into, field="into")
    for merged in (source, target):
        if merged.merged_into_id is not None:
            raise Conflict(t("Indicator {code} has already been merged into another.", code=merged.code))
    if not convertible(source.unit, target.unit):
        raise ValidationFailed.field("into", t("unit {unit} of {code} cannot be converted into unit {target} of "
                                               "{into}", unit=source.unit, code=source.code, target=target.unit,
                                               into=target.code))
    other = Observation.__table__.alias("other")  # type: ignore[attr-defined]
    clash = other.c
    both = (await session.execute(
        select(col(Observation.revision_id)).join(other, and_(
            clash.revision_id == col(Observation.revision_id), clash.sex == col(Observation.sex),
            clash.age_group == col(Observation.age_group), clash.area == col(Observation.area)))
        .where(col(Observation.indicator_id) == source.id, clash.indicator_id == target.id).limit(1))).first()
    if both is not None:
        raise Conflict(t("A submission revision reports both {code} and {into} for the same breakdown; the office "
                         "must decide which value stands before merging.", code=source.code, into=target.code))
    before = {"merged": await _audited(session, plan, source), "into": await _audited(session, plan, target)}
    moved = list((await session.execute(select(Observation).where(
        col(Observation.indicator_id) == source.id))).scalars())
    if moved:
        await session.execute(update(Observation), [
            {"id": o.id, "indicator_id": target.id, "value": convert(o.value, o.unit or source.unit, target.unit),
             "unit": target.unit if target.unit is not None else o.unit} for o in moved])
    await session.execute(update(Target).where(col(Target.indicator_id) == source.id)
                          .values(indicator_id=target.id))
    source.merged_into_id, source.updated_at, target.updated_at = target.id, utcnow(), utcnow()
    await session.flush()
    for observation in moved:  # the bulk update by primary key bypassed the identity map
        session.expire(observation)
    after = {"merged": await _audited(session, plan, source), "into": await _audited(session, plan, target),
             "observations": len(moved)}
    await record(session, actor, "indicator.merge", "indicator", _entity(source), before=before, after=after)
    touch_indicators(session, [target.id], f"indicator {source.code} merged into {target.code}")  # type: ignore[list-item]
    return await get_indicator(session, plan_code, target.code)


async def split_indicator(session: AsyncSession, actor: Actor, plan_code: str, code: str, data: SplitRequest,
                          today: date) -> IndicatorRead:
    """A new indicator (same unit and direction) takes some of this plan's targets on the indicator, and the
    observations reported under those target codes."""
    plan = await plan_by_code(session, plan_code)
    source = await indicator_by_code(session, plan, code)
    if source.merged_into_id is not None:
        raise Conflict(t("Indicator {code} has already been merged into another.", code=source.code))
    on_source = {target.code: target for target in (await session.execute(select(Target).where(
        col(Target.plan_id) == plan.id, col(Target.indicator_id) == source.id))).scalars()}
    errors = [{"field": f"targets[{i}]", "code": "unknown_target", "reason": t(
        "no target {code} of plan {plan} on indicator {indicator}", code=c, plan=plan.code, indicator=source.code)}
        for i, c in enumerate(data.targets) if c not in on_source]
    if errors:
        raise ValidationFailed(t("The indicator was not split: {count} problem(s).", count=len(errors)),
                               errors=errors)
    moving = {on_source[c].id for c in data.targets}
    remaining = (await session.execute(select(func.count()).select_from(Target).where(
        col(Target.indicator_id) == source.id, col(Target.id).not_in(moving)))).scalar_one()
    if remaining == 0:
        raise ValidationFailed.field("targets", t("would take every target of {code}: keep at least one",
                                                  code=source.code))
    before = await _audited(session, plan, source)
    created = Indicator(committee_id=plan.committee_id, code=await _next_code(session, plan.committee_id),
                        name=data.name, match_key=loose_key(data.name), unit=source.unit, direction=source.direction)
    session.add(created)
    await session.flush()
    await session.execute(update(Target).where(col(Target.id).in_(moving)).values(indicator_id=created.id))
    moved = await session.execute(update(Observation).where(
        col(Observation.indicator_id) == source.id, col(Observation.target_id).in_(moving))
        .values(indicator_id=created.id))
    source.updated_at = utcnow()
    await session.flush()
    after = {"split": await _audited(session, plan, source), "new": await _audited(session, plan, created),
             "observations": moved.rowcount}  # type: ignore[attr-defined]
    await record(session, actor, "indicator.split", "indicator", _entity(source), before=before, after=after)
    touch_indicators(session, [source.id, created.id],  # type: ignore[list-item]
                     f"indicator {source.code} split into {created.code}")
    return await get_indicator(session, plan_code, created.code)


async def _next_code(session: AsyncSession, committee_id: int) -> str:
    codes = (await session.execute(select(col(Indicator.code))
                                   .where(col(Indicator.committee_id) == committee_id))).scalars()
    numbers = [int(m.group(1)) for c in codes if (m := CODE_PATTERN.match(c))]
    return f"I{max(numbers, default=0) + 1:03d}"


async def _audited(session: AsyncSession, plan: Plan, indicator: Indicator) -> dict[str, Any]:
    read = (await _reads(session, plan, [indicator]))[0]
    return read.model_dump(mode="json", exclude={"targets"}) | {
        "targets": [f"{t.plan_code}/{t.code}" for t in read.targets]}


def _entity(indicator: Indicator) -> str:
    """Indicator codes are unique per committee: the audit names the row."""
    return str(indicator.id)


# --- helpers ----------------------------------------------------------------------------------------------

async def indicator_by_code(session: AsyncSession, plan: Plan, code: str, *, field: str | None = None) -> Indicator:
    """An indicator of the plan's committee; unknown is 404 (or, named in a body `field`, 422)."""
    indicator = (await session.execute(select(Indicator).where(
        col(Indicator.committee_id) == plan.committee_id, col(Indicator.code) == code))).scalar_one_or_none()
    if indicator is None:
        if field is not None:
            raise ValidationFailed.field(field, t("no indicator {code} in the committee of plan {plan}", code=code,
                                                  plan=plan.code))
        raise NotFound(t("Indicator {code} does not exist in the committee of plan {plan}.", code=code,
                         plan=plan.code))
    return indicator


TargetRow = tuple[Target, IndicatorTargetRead]


async def targets_where(session: AsyncSession, condition: Any) -> list[TargetRow]:
    """Targets (with their plan) matching `condition`, by plan code and then in plan order: domain, the goals'
    targets before the measures', position."""
    parent_domain = func.coalesce(col(Goal.domain_id), col(Measure.domain_id))
    rows = await session.execute(
        select(Target, col(Plan.code), col(Plan.end_year))
        .join(Plan, col(Plan.id) == col(Target.plan_id))
        .outerjoin(Goal, col(Goal.id) == col(Target.goal_id))
        .outerjoin(Measure, col(Measure.id) == col(Target.measure_id))
        .join(Domain, col(Domain.id) == parent_domain)
        .where(condition)
        .order_by(col(Plan.code), col(Domain.part).desc(), col(Domain.seq), col(Goal.seq).is_(None),
                  func.coalesce(col(Goal.seq), col(Measure.seq)), col(Target.seq), col(Target.id)))
    return [(target, IndicatorTargetRead(
        plan_code=code, code=target.code, metric=target.metric, op=target.op, value=target.value, unit=target.unit,
        due_year=target.year or end_year, scope=BreakdownScope(
            sex=target.scope_sex or "total", age_group=target.scope_age_group or "all",
            area=target.scope_area or "all")))
        for target, code, end_year in rows.all()]


IndicatorRow = tuple[Indicator, str | None, str | None]  # the indicator, its data-source unit's code, merged into


async def _indicators_where(session: AsyncSession, condition: Any) -> dict[int, IndicatorRow]:
    merged = Indicator.__table__.alias("merged")  # type: ignore[attr-defined]
    rows = await session.execute(
        select(Indicator, col(Unit.code), merged.c.code)
        .outerjoin(Unit, col(Unit.id) == col(Indicator.data_source_unit_id))
        .outerjoin(merged, merged.c.id == col(Indicator.merged_into_id))
        .where(condition))
    return {row[0].id: (row[0], row[1], row[2]) for row in rows.all()}


async def _reads(session: AsyncSession, plan: Plan, indicators: list[Indicator]) -> list[IndicatorRead]:
    """Indicators of the plan's committee with their targets in every plan of the committee."""
    ids = [i.id for i in indicators]
    found = await _indicators_where(session, col(Indicator.id).in_(ids))
    targets = await targets_where(session, and_(col(Plan.committee_id) == plan.committee_id,
                                                col(Target.indicator_id).in_(ids)))
    by_indicator = _group_targets(targets)
    return [_read(*found[i], by_indicator[i]) for i in ids]  # type: ignore[index]


def _group_targets(rows: list[TargetRow]) -> dict[int, list[IndicatorTargetRead]]:
    grouped: dict[int, list[IndicatorTargetRead]] = defaultdict(list)
    for target, read in rows:
        grouped[target.indicator_id].append(read)
    return grouped


def _matches(indicator: Indicator, filters: IndicatorFilter) -> bool:
    return indicator.merged_into_id is None and (filters.q is None or filters.q in indicator.name) and (
        filters.review is None or indicator.review == filters.review)


def _read(indicator: Indicator, source_unit: str | None, merged_into: str | None,
          targets: list[IndicatorTargetRead]) -> IndicatorRead:
    return IndicatorRead(
        code=indicator.code, name=indicator.name, unit=indicator.unit, direction=indicator.direction,
        definition=indicator.definition, data_source_unit=source_unit,
        breakdowns=list(indicator.breakdowns or []), age_groups=list(indicator.age_groups or []),
        precision=indicator.precision, national_code=indicator.national_code, review=indicator.review,
        review_reason=indicator.review_reason, merged_into=merged_into, targets=targets)
