"""Turning a submission's `values` into observations: resolve, convert, check, warn.

Errors (an unknown or unassigned indicator, an inconvertible unit, an impossible value) refuse the whole
submission with field-level reasons. Warnings (parts that do not add up to the total, a value far outside the
unit's own history, a breakdown the indicator does not expect) never refuse anything: they are stored with the
observation, beside the unit's justification, for the office to see in review.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Integer, String, bindparam, exists, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.core.i18n import t
from app.db import among_many, any_of, in_select
from app.indicators.catalogue import TargetFacts, level_unit
from app.indicators.units import UnitMismatch, canonical_unit, convert, range_problem
from app.models import Assignment, Indicator, Observation, Plan, Submission, SubmissionRevision, Target, Unit
from app.observations.breakdowns import Breakdown, normalise_age_group
from app.observations.checks import Reported, breakdown_warnings, expectation_warnings, history_warnings

BreakdownKey = tuple[int, str, str, str]  # indicator id, sex, age group, area


@dataclass(frozen=True)
class ValueLabel:
    """What a response says about a checked row besides its columns: the codes and names it was reported under."""

    indicator: str
    indicator_name: str
    target: str | None
    metric: str


@dataclass
class CheckedValues:
    """Observation rows ready to insert (columns only), each with its label and its index in the request."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    labels: list[ValueLabel] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """What the checks read of an indicator (plain rows: a plan has hundreds and a write reads them all)."""

    id: int
    code: str
    name: str
    unit: str | None
    precision: int | None
    breakdowns: list[str]
    age_groups: list[str]
    data_source_unit_id: int | None


@dataclass(frozen=True, slots=True)
class TargetRow:
    """What the checks read of a target."""

    id: int
    code: str
    indicator_id: int
    goal_id: int | None
    measure_id: int | None
    metric: str
    op: str
    unit: str | None
    per_year: bool
    baseline_year: int | None
    direction: str | None


def _columns(model: Any, row: type) -> list[Any]:
    return [getattr(model, name) for name in row.__dataclass_fields__]  # type: ignore[attr-defined]


# Built once (every write runs them): building a statement and its cache key costs as much as running it.
_TARGET_COLUMNS, _INDICATOR_COLUMNS = _columns(Target, TargetRow), _columns(Indicator, IndicatorRow)
_TARGETS_ONLY = (select(*_TARGET_COLUMNS, *_INDICATOR_COLUMNS)
                 .join(Indicator, col(Indicator.id) == col(Target.indicator_id))
                 .where(col(Target.plan_id) == bindparam("plan_id")))
_TARGETS = _TARGETS_ONLY.add_columns(exists().where(  # is the target on one of the unit's tasks?
    col(Assignment.plan_id) == bindparam("plan_id"), col(Assignment.unit_id) == bindparam("unit_id"), or_(
        col(Target.goal_id).is_not(None) & (col(Assignment.goal_id) == col(Target.goal_id)),
        col(Target.goal_id).is_(None) & (col(Assignment.measure_id) == col(Target.measure_id)))))
_NAMED = aliased(Target)
# The indicators a request names, by a target on them or by code: every target of the plan on them is read (a unit
# may report an indicator through any of them), no other.
_MENTIONED = in_select(col(Target.indicator_id), union(
    select(col(_NAMED.indicator_id)).where(col(_NAMED.plan_id) == bindparam("plan_id"),
                                           among_many(col(_NAMED.code), "target_codes", String())),
    select(col(Indicator.id)).where(among_many(col(Indicator.code), "indicator_codes", String()))))
_MENTIONED_TARGETS, _MENTIONED_TARGETS_ONLY = _TARGETS.where(_MENTIONED), _TARGETS_ONLY.where(_MENTIONED)


@dataclass(frozen=True)
class PlanIndicators:
    """The indicators a plan's targets measure, and which of them a unit may report."""

    indicators: dict[int, IndicatorRow]
    targets: dict[str, TargetRow]  # by code
    reportable: set[int]
    _default_units: dict[int, str | None] = field(default_factory=dict)

    def default_unit(self, target: TargetRow) -> str | None:
        """The unit a value reported under the target is in when none is named (the level's unit)."""
        if target.id not in self._default_units:
            self._default_units[target.id] = level_unit(_facts(target))
        return self._default_units[target.id]


async def plan_indicators(session: AsyncSession, plan: Plan, unit: Unit,
                          assigned: set[tuple[str, int]] | None = None,
                          mentioned: tuple[Collection[str], Collection[str]] | None = None) -> PlanIndicators:
    """A unit reports an indicator when it is assigned a goal or measure with a target on it, or is the
    indicator's data-source unit. Without `assigned` (the unit's assigned tasks), the same query reads which
    targets are on the unit's tasks. With `mentioned` (target codes, indicator codes) only the indicators these
    name are read: a write of ten values in a plan of hundreds of targets reads ten, not hundreds."""
    params: dict[str, Any] = {"plan_id": plan.id, "unit_id": unit.id}
    if mentioned is None:  # each target with its indicator's columns
        statement = _TARGETS if assigned is None else _TARGETS_ONLY
    else:
        statement = _MENTIONED_TARGETS if assigned is None else _MENTIONED_TARGETS_ONLY
        params.update(target_codes=sorted(mentioned[0]), indicator_codes=sorted(mentioned[1]))
    rows = (await session.execute(statement, params)).all()
    split, end = len(_TARGET_COLUMNS), len(_TARGET_COLUMNS) + len(_INDICATOR_COLUMNS)
    targets = [TargetRow(*row[:split]) for row in rows]
    indicators: dict[int, IndicatorRow] = {}
    for row in rows:
        if row[split] not in indicators:
            indicators[row[split]] = IndicatorRow(*row[split:end])
    if assigned is None:
        reportable = {target.indicator_id for target, row in zip(targets, rows, strict=True) if row[end]}
        reportable |= {i.id for i in indicators.values() if i.data_source_unit_id == unit.id}
    else:
        reportable = reportable_indicators(targets, indicators.values(), unit.id, assigned)  # type: ignore[arg-type]
    return PlanIndicators(indicators, {target.code: target for target in targets}, reportable)


def reportable_indicators(targets: Iterable[Target | TargetRow], indicators: Iterable[Indicator | IndicatorRow],
                          unit_id: int, assigned: set[tuple[str, int]]) -> set[int]:
    """The indicators a unit reports: those of the targets on its assigned goals and measures, and those it is
    the data-source unit of."""
    reportable = {target.indicator_id for target in targets
                  if (("goal", target.goal_id) if target.goal_id is not None else ("measure", target.measure_id))
                  in assigned}
    return reportable | {i.id for i in indicators if i.data_source_unit_id == unit_id}  # type: ignore[misc]


class ValueLike(Protocol):
    """What the checks read of a value: a ValueIn, or an import's row under the same names."""

    @property
    def indicator(self) -> str | None: ...
    @property
    def target(self) -> str | None: ...
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def sex(self) -> str: ...
    @property
    def age_group(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def justification(self) -> str | None: ...


async def check_values(session: AsyncSession, plan: Plan, unit: Unit, year: int, items: Sequence[ValueLike],
                       assigned: set[tuple[str, int]] | None, known: PlanIndicators | None = None) -> CheckedValues:
    """Resolve, convert and check `items`; a value repeated with the same number is kept once (its first index).
    `assigned`: the unit's assigned tasks, or None to read which indicators it reports in the same query."""
    known = known or await plan_indicators(session, plan, unit, assigned, mentioned=(
        {item.target for item in items if item.target is not None},
        {item.indicator for item in items if item.indicator is not None}))
    by_code = {indicator.code: indicator for indicator in known.indicators.values()}
    result = CheckedValues()
    seen: dict[BreakdownKey, tuple[int, float]] = {}
    for index, item in enumerate(items):
        row = _resolve(index, item, unit, known, by_code, result.errors)
        if row is None:
            continue
        key = (row["indicator_id"], row["sex"], row["age_group"], row["area"])
        if key in seen:
            first, value = seen[key]
            if abs(value - row["value"]) <= 1e-9 * max(1.0, abs(value)):
                continue  # the same number sent again under another milestone of the indicator: one observation
            result.errors.append({"field": f"values[{index}]", "code": "duplicate_value", "reason": t(
                "reports the same indicator and breakdown as values[{index}] with a different value", index=first)})
            continue
        seen[key] = (index, row["value"])
        result.rows.append(row)
        result.indices.append(index)
        indicator = known.indicators[row["indicator_id"]]
        target = known.targets[item.target] if row["target_id"] is not None and item.target is not None else None
        result.labels.append(ValueLabel(indicator.code, indicator.name, target.code if target else None,
                                        (target.metric if target else None) or indicator.name))
    if not result.errors:
        await _attach_warnings(session, unit, year, known, result.rows)
    return result


def _resolve(index: int, item: ValueLike, unit: Unit, known: PlanIndicators, by_code: dict[str, IndicatorRow],
             errors: list[dict[str, str]]) -> dict[str, Any] | None:
    """The observation row for one value, or None after appending why it cannot be one."""
    field_name = f"values[{index}]"
    target = None
    if item.target is not None:
        target = known.targets.get(item.target)
        if target is None:
            errors.append({"field": f"{field_name}.target", "code": "unknown_target",
                           "reason": t("no target {code} in this plan", code=item.target)})
            return None
        indicator = known.indicators[target.indicator_id]
        if item.indicator is not None and item.indicator != indicator.code:
            errors.append({"field": f"{field_name}.indicator", "code": "indicator_mismatch", "reason": t(
                "target {target} measures indicator {indicator}, not {given}", target=target.code,
                indicator=indicator.code, given=item.indicator)})
            return None
    elif item.indicator is not None:
        found = by_code.get(item.indicator)
        if found is None:
            errors.append({"field": f"{field_name}.indicator", "code": "unknown_indicator",
                           "reason": t("no indicator {code} among this plan's indicators", code=item.indicator)})
            return None
        indicator = found
    else:
        errors.append({"field": f"{field_name}.indicator", "code": "missing",
                       "reason": t("name the indicator (or a target on it)")})
        return None
    if indicator.id not in known.reportable:
        named = "target" if item.target is not None else "indicator"
        errors.append({"field": f"{field_name}.{named}", "code": "not_assigned", "reason": t(
            "indicator {code} ({name}) is not assigned to unit {unit}", code=indicator.code, name=indicator.name,
            unit=unit.code)})
        return None
    try:
        age_group = normalise_age_group(item.age_group)
    except ValueError:
        errors.append({"field": f"{field_name}.age_group", "code": "invalid", "reason": t("must not be empty")})
        return None
    default_unit = known.default_unit(target) if target is not None else indicator.unit
    reported_unit = canonical_unit(item.unit) or default_unit or indicator.unit
    try:
        value = convert(item.value, reported_unit, indicator.unit)
    except UnitMismatch as exc:
        errors.append({"field": f"{field_name}.unit", "code": "inconvertible_unit", "reason": str(exc)})
        return None
    stored_unit = indicator.unit or reported_unit
    problem = range_problem(value, stored_unit)
    if problem:
        if value != item.value:  # say what the reported number became in the indicator's unit
            problem = t("{reported} is {converted}; {problem}", reported=f"{item.value:g}{reported_unit or ''}",
                        converted=f"{value:g}{stored_unit or ''}", problem=problem)
        errors.append({"field": f"{field_name}.value", "code": "out_of_range", "reason": problem})
        return None
    return {"indicator_id": indicator.id, "target_id": target.id if target is not None else None, "value": value,
            "unit": stored_unit, "reported_value": item.value, "reported_unit": reported_unit, "sex": item.sex,
            "age_group": age_group, "area": item.area, "source": item.source, "note": item.note,
            "justification": item.justification, "warnings": [], "_index": index}


def _facts(target: TargetRow) -> TargetFacts:
    return TargetFacts(metric=target.metric, op=target.op, unit=target.unit, per_year=target.per_year,
                       baseline_year=target.baseline_year, direction=target.direction)


async def _attach_warnings(session: AsyncSession, unit: Unit, year: int, known: PlanIndicators,
                           rows: list[dict[str, Any]]) -> None:
    history = await _history(session, unit, year, {row["indicator_id"] for row in rows})
    by_indicator: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_indicator[row["indicator_id"]].append(row)
    for indicator_id, group in by_indicator.items():
        indicator = known.indicators[indicator_id]
        reported = {row["_index"]: Reported(
            row["_index"], Breakdown.unchecked(row["sex"], row["age_group"], row["area"]), row["value"])
            for row in group}
        found = breakdown_warnings(list(reported.values()), indicator.unit, indicator.precision)
        for row in group:
            value = reported[row["_index"]]
            if indicator.breakdowns:  # only once the office has said which breakdowns it expects
                found += expectation_warnings(value, indicator.breakdowns, indicator.age_groups)
            found += history_warnings(value, history.get((indicator_id, row["sex"], row["age_group"], row["area"]), []),
                                      indicator.precision)
        rows_by_index = {row["_index"]: row for row in group}
        for warning in found:
            rows_by_index[warning.index]["warnings"].append(
                {"code": warning.code, "message": warning.message, "params": warning.params})
    for row in rows:
        del row["_index"]


_ACCEPTED_IN_OTHER_YEARS = (  # built once, as _TARGETS
    select(col(SubmissionRevision.id)).join(Submission, col(Submission.id) == col(SubmissionRevision.submission_id))
    .where(col(Submission.unit_id) == bindparam("unit_id"), col(Submission.year) != bindparam("year"),
           col(SubmissionRevision.revision) == col(Submission.accepted_revision)))
_HISTORY = (
    select(col(Observation.indicator_id), col(Observation.sex), col(Observation.age_group), col(Observation.area),
           col(Observation.value))
    .where(any_of(col(Observation.revision_id), "revision_ids", Integer()),
           any_of(col(Observation.indicator_id), "indicator_ids", Integer())))


async def _history(session: AsyncSession, unit: Unit, year: int,
                   indicator_ids: set[int]) -> dict[BreakdownKey, list[float]]:
    """The unit's accepted values of these indicators in other years, per breakdown."""
    if not indicator_ids:
        return {}
    # The unit's few accepted revisions first, then their values by the observation key's index: as one query
    # the planner, before statistics exist (a new database, a bulk load), may start from the indicators, whose
    # observations span every unit (2 ms where this takes 0.1). A unit with nothing accepted yet needs one query.
    revision_ids = list((await session.execute(_ACCEPTED_IN_OTHER_YEARS, {"unit_id": unit.id, "year": year}))
                        .scalars())
    if not revision_ids:
        return {}
    rows = await session.execute(_HISTORY, {"revision_ids": revision_ids, "indicator_ids": sorted(indicator_ids)})
    history: dict[BreakdownKey, list[float]] = defaultdict(list)
    for indicator_id, sex, age_group, area, value in rows.all():
        history[(indicator_id, sex, age_group, area)].append(value)
    return history
