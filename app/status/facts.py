"""What the rules need about one plan, read in a fixed number of queries whatever the plan's size.

:func:`load_facts` reads the plan's structure, task decomposition, indicators, units, observations, task progress,
cycles and what was reported, as plain rows; ``app/status/evaluation.py`` applies the rules to them in memory.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    Subquery,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.db import any_of, core_execute
from app.models import (
    Assignment,
    Domain,
    Goal,
    Indicator,
    Measure,
    Plan,
    ReportingCycle,
    Submission,
    SubmissionRevision,
    SubmissionTask,
    Target,
    Unit,
)
from app.models.enums import AssignmentRole, SubmissionStatus
from app.models.indicator import Observation as ObservationRow

TaskKey = tuple[str, int]  # ("goal", id) or ("measure", id)
Group = tuple[str, str, str]  # sex, age group, area: ("total", "all", "all") are the totals
TOTALS: Group = ("total", "all", "all")
DIMENSION_INDEX = {"sex": 0, "age": 1, "area": 2}

class Report(NamedTuple):
    """One unit's value of one indicator for one year and group, in the indicator's unit (a tuple: a plan's facts
    hold one per counted observation, tens of thousands)."""

    unit_id: int
    year: int
    value: float
    provisional: bool
    stamp: datetime  # accepted (or, provisional, submitted) at: a unit's later report for a year wins
    group: Group = TOTALS


@dataclass(frozen=True)
class IndicatorFacts:
    """What the rules need of an indicator."""

    id: int
    code: str
    unit: str | None
    data_source_unit_id: int | None
    precision: int | None = None  # decimals a change must exceed to count


@dataclass(frozen=True)
class TaskReport:
    unit_id: int
    year: int
    progress: str
    provisional: bool
    stamp: datetime


@dataclass(frozen=True, slots=True)
class DomainFacts:
    id: int
    code: str
    title: str


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """A goal or a measure."""

    id: int
    code: str
    domain_id: int
    seq: int
    title: str | None = None


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """What the rules need of a target (plain values: the evaluation reads them thousands of times)."""

    id: int
    code: str
    goal_id: int | None
    measure_id: int | None
    seq: int
    indicator_id: int
    metric: str
    op: str
    value: float | None
    unit: str | None
    year: int | None
    per_year: bool
    baseline_year: int | None
    baseline_value: float | None
    tolerance: float | None
    direction: str | None
    review: bool
    scope_sex: str | None
    scope_age_group: str | None
    scope_area: str | None


TARGET_COLUMNS = [getattr(Target, name) for name in TargetFacts.__dataclass_fields__]


@dataclass
class PlanFacts:
    """Everything the rules need about one plan, read once."""

    plan: Plan
    include_provisional: bool
    domains: list[DomainFacts]
    goals: list[ItemFacts]
    measures: list[ItemFacts]
    targets: list[TargetFacts]
    leads: dict[TaskKey, int] = field(default_factory=dict)
    assigned: dict[TaskKey, set[int]] = field(default_factory=lambda: defaultdict(set))
    unit_codes: dict[int, str] = field(default_factory=dict)
    indicators: dict[int, IndicatorFacts] = field(default_factory=dict)
    reports: dict[int, list[Report]] = field(default_factory=lambda: defaultdict(list))  # by indicator id
    task_reports: dict[int, list[TaskReport]] = field(default_factory=lambda: defaultdict(list))
    committee_units: set[str] = field(default_factory=set)  # codes of every unit of the plan's committee
    due_dates: dict[int, list[tuple[str, date]]] = field(default_factory=lambda: defaultdict(list))
    # (year, cycle kind, ("indicator" | "goal", id)): what some unit has reported in a submission it sent
    reported: set[tuple[int, str, TaskKey]] = field(default_factory=set)
    # What evaluation.py derives from these facts once for every year it judges (the value that counts per year).
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


def task_key(goal_id: int | None, measure_id: int | None) -> TaskKey:
    return ("goal", goal_id) if goal_id is not None else ("measure", measure_id)  # type: ignore[return-value]



async def load_facts(session: AsyncSession, plan: Plan, *, include_provisional: bool = False,
                     parents: Collection[TaskKey] | None = None, years: Collection[int] | None = None,
                     today: date | None = None, breakdowns: bool = False) -> PlanFacts:
    """The plan's structure, task decomposition, indicators, units, observations, task progress, cycles and what
    was reported: at most twelve queries, whatever the plan's size. With ``parents`` (goals and measures) only the
    indicators of their targets, and those indicators' observations, are read. Observations are read for the groups
    the plan's targets are on (totals, 农村 …), with ``breakdowns`` for every group.

    What was reported only decides ``overdue``, year by year: with ``years`` (the years to be evaluated) it is read
    for those years only, and with ``today`` (the day they are judged on) only for years with a cycle due before
    it; when no such year is left it is not read at all (the usual case: nothing is late)."""
    # Plain rows, not ORM objects: the evaluation reads their attributes thousands of times.
    domains = [DomainFacts(*row) for row in (await session.execute(  # type: ignore[arg-type]
        select(col(Domain.id), col(Domain.code), col(Domain.title)).where(col(Domain.plan_id) == plan.id)
        .order_by(col(Domain.part).desc(), col(Domain.seq)))).all()]
    order = {d.id: i for i, d in enumerate(domains)}
    goals = sorted((ItemFacts(*row) for row in (await session.execute(  # type: ignore[arg-type]
        select(col(Goal.id), col(Goal.code), col(Goal.domain_id), col(Goal.seq), col(Goal.title))
        .where(col(Goal.plan_id) == plan.id))).all()), key=lambda g: (order[g.domain_id], g.seq))
    measures = sorted((ItemFacts(*row) for row in (await session.execute(  # type: ignore[arg-type]
        select(col(Measure.id), col(Measure.code), col(Measure.domain_id), col(Measure.seq))
        .where(col(Measure.plan_id) == plan.id))).all()), key=lambda m: (order[m.domain_id], m.seq))
    targets = [TargetFacts(*row) for row in (await session.execute(
        select(*TARGET_COLUMNS).where(col(Target.plan_id) == plan.id).order_by(col(Target.seq), col(Target.id))))
        .all()]
    facts = PlanFacts(plan, include_provisional, domains, goals, measures, targets)

    for member, goal_id, measure_id, role, unit_code in (await session.execute(
            select(col(Assignment.unit_id), col(Assignment.goal_id), col(Assignment.measure_id), col(Assignment.role),
                   col(Unit.code)).join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .where(col(Assignment.plan_id) == plan.id))).all():
        key = task_key(goal_id, measure_id)
        facts.assigned[key].add(member)
        facts.unit_codes[member] = unit_code
        if role == AssignmentRole.lead.value:
            facts.leads[key] = member

    for indicator_id, code, unit, source, precision in (await session.execute(  # plain rows: what the rules need
            select(col(Indicator.id), col(Indicator.code), col(Indicator.unit), col(Indicator.data_source_unit_id),
                   col(Indicator.precision))
            .where(col(Indicator.id).in_({target.indicator_id for target in targets if parents is None
                                          or task_key(target.goal_id, target.measure_id) in parents})))).all():
        facts.indicators[indicator_id] = IndicatorFacts(indicator_id, code, unit, source,  # type: ignore[index, arg-type]
                                                        precision)
    # Observations belong to the indicator, whichever plan of the committee a unit reported them in.
    committee_plans = select(col(Plan.id)).where(col(Plan.committee_id) == plan.committee_id)
    # The accepted revision of every submission, or with provisional data the current one while it awaits review.
    revision: SQLColumnExpression[int | None]
    is_provisional: SQLColumnExpression[bool]
    stamp: SQLColumnExpression[datetime | None]
    if include_provisional:
        awaiting = col(Submission.status) == SubmissionStatus.submitted.value
        revision = case((awaiting, col(Submission.revision)), else_=col(Submission.accepted_revision))
        is_provisional = awaiting
        stamp = case((awaiting, col(Submission.submitted_at)), else_=col(Submission.reviewed_at))
    else:
        revision, is_provisional, stamp = col(Submission.accepted_revision), false(), col(Submission.reviewed_at)
    counted = (select(col(SubmissionRevision.id).label("revision_id"), col(Submission.unit_id), col(Submission.year),
                      col(Submission.plan_id), is_provisional.label("provisional"), stamp.label("stamp"))
               .join(Submission, col(Submission.id) == col(SubmissionRevision.submission_id))
               .where(col(Submission.plan_id).in_(committee_plans), col(SubmissionRevision.revision) == revision)
               .subquery())
    # The counted revisions apart from their observations: a revision's unit, year and stamp are read (and the
    # stamp converted) once, not once per value.
    revisions = {revision_id: (unit_id, year, bool(is_provisional), at)
                 for revision_id, unit_id, year, is_provisional, at in (await session.execute(
                     select(counted.c.revision_id, counted.c.unit_id, counted.c.year, counted.c.provisional,
                            counted.c.stamp))).all()}
    reports = facts.reports
    # Without breakdowns a target is judged on its own group only: most values of a detailed submission are
    # breakdowns that no target is on (reading them would be most of the rows).
    scoped = [] if breakdowns else [tuple_(col(ObservationRow.sex), col(ObservationRow.age_group),
                                           col(ObservationRow.area)).in_(sorted(
        {(t.scope_sex or "total", t.scope_age_group or "all", t.scope_area or "all") for t in targets}))]
    for indicator_id, value, sex, age_group, area, revision_id in (await core_execute(session,
            select(col(ObservationRow.indicator_id), col(ObservationRow.value), col(ObservationRow.sex),
                   col(ObservationRow.age_group), col(ObservationRow.area), col(ObservationRow.revision_id))
            .join(counted, counted.c.revision_id == col(ObservationRow.revision_id))
            .where(col(ObservationRow.indicator_id).in_(facts.indicators), *scoped))).all():
        unit_id, year, provisional, at = revisions[revision_id]
        reports[indicator_id].append(Report(unit_id, year, value, provisional, at, (sex, age_group, area)))
    for goal_id, progress, unit_id, year, is_provisional, at in (await session.execute(
            select(col(SubmissionTask.goal_id), col(SubmissionTask.progress), counted.c.unit_id, counted.c.year,
                   counted.c.provisional, counted.c.stamp)
            .join(counted, counted.c.revision_id == col(SubmissionTask.revision_id))
            .where(col(SubmissionTask.goal_id).is_not(None), counted.c.plan_id == plan.id))).all():
        facts.task_reports[goal_id].append(TaskReport(unit_id, year, progress, bool(is_provisional), at))

    for unit_id, code in (await session.execute(
            select(col(Unit.id), col(Unit.code)).where(col(Unit.committee_id) == plan.committee_id))).all():
        facts.committee_units.add(code)
        facts.unit_codes[unit_id] = code  # type: ignore[index]  # data-source units may lead nothing
    for year, kind, due_on in (await session.execute(select(col(ReportingCycle.year), col(ReportingCycle.kind),
                                                            col(ReportingCycle.due_on))
                                                     .where(col(ReportingCycle.plan_id) == plan.id))).all():
        facts.due_dates[year].append((kind, due_on))
    # What was reported in the submissions units sent: the revision sent (while submitted, accepted or returned)
    # and the one accepted. Only that clears `overdue`, indicator by indicator.
    if today is not None:
        due_years = {year for year, cycles in facts.due_dates.items() if any(due < today for _, due in cycles)}
        years = due_years if years is None else due_years & set(years)
    if years is not None and not years:
        return facts
    of_plan = col(Submission.plan_id) == plan.id
    sent = sent_revisions(of_plan if years is None else of_plan & col(Submission.year).in_(sorted(years)))
    indicators_sent = (select(sent.c.year, sent.c.kind, literal("indicator").label("subject"),
                              col(ObservationRow.indicator_id).label("subject_id"))
                       .join(sent, sent.c.revision_id == col(ObservationRow.revision_id)))
    if parents is not None:
        indicators_sent = indicators_sent.where(col(ObservationRow.indicator_id).in_(facts.indicators))
    goals_sent = (select(sent.c.year, sent.c.kind, literal("goal").label("subject"),
                         col(SubmissionTask.goal_id).label("subject_id"))
                  .join(sent, sent.c.revision_id == col(SubmissionTask.revision_id))
                  .where(col(SubmissionTask.goal_id).is_not(None)))
    for year, kind, subject, subject_id in (await session.execute(union(indicators_sent, goals_sent))).all():
        facts.reported.add((year, kind, (subject, subject_id)))
    return facts


def _agreement() -> Any:
    """A row when some value of the revisions bound as ``revisions`` is not already counted: no accepted value of
    another revision for its indicator, breakdown and year in the committee's plans, or one that differs.

    One aggregate over their values and the others' of the same years, not a join of the two: a join's plan rests
    on the planner's row estimates, which a bulk load leaves far behind (a nested loop of seconds)."""
    revisions = any_of(col(SubmissionRevision.id), "revisions", Integer())
    key = (col(ObservationRow.indicator_id), col(ObservationRow.sex), col(ObservationRow.age_group),
           col(ObservationRow.area), col(Submission.year))
    theirs = (select(*key, col(ObservationRow.value), literal(0).label("mine"))
              .join(SubmissionRevision, col(SubmissionRevision.id) == col(ObservationRow.revision_id))
              .join(Submission, and_(col(Submission.id) == col(SubmissionRevision.submission_id),
                                     col(SubmissionRevision.revision) == col(Submission.accepted_revision)))
              .where(col(Submission.plan_id).in_(select(col(Plan.id)).where(
                  col(Plan.committee_id) == bindparam("committee_id"))), ~revisions,
                     col(Submission.year).in_(select(col(Submission.year))
                                              .join(SubmissionRevision,
                                                    col(SubmissionRevision.submission_id) == col(Submission.id))
                                              .where(revisions))))
    mine = (select(*key, col(ObservationRow.value), literal(1).label("mine"))
            .join(SubmissionRevision, col(SubmissionRevision.id) == col(ObservationRow.revision_id))
            .join(Submission, col(Submission.id) == col(SubmissionRevision.submission_id))
            .where(revisions))
    values = union_all(mine, theirs).subquery()
    mine_count = func.sum(values.c.mine)
    return (select(literal(1)).select_from(values)
            .group_by(values.c.indicator_id, values.c.sex, values.c.age_group, values.c.area, values.c.year)
            .having(mine_count > 0,
                    or_(func.count() == mine_count, func.min(values.c.value) != func.max(values.c.value)))
            .limit(1))


_AGREEMENT = _agreement()


async def already_counted(session: AsyncSession, plan: Plan, revision_ids: Collection[int]) -> bool:
    """Whether every value of these revisions, accepted in this transaction, is what the plan's committee already
    counts: for its indicator, breakdown and year some other accepted revision has a value, and every such value
    is the same number. Then accepting them changes no value that counts (whichever unit's counts, it is this
    number), no conflict and no year with data: no verdict changes (units echoing the lead's figures)."""
    return (await session.execute(_AGREEMENT, {"revisions": sorted(revision_ids),
                                               "committee_id": plan.committee_id})).first() is None


def sent_revisions(where: ColumnElement[bool]) -> Subquery:
    """The revisions that say what a unit has reported: the one it sent (while the submission is submitted,
    accepted or returned) and the one accepted. Columns: revision_id, submission_id, unit_id, year, kind."""
    return (select(col(SubmissionRevision.id).label("revision_id"), col(Submission.id).label("submission_id"),
                   col(Submission.unit_id), col(Submission.year), col(Submission.kind))
            .join(Submission, col(Submission.id) == col(SubmissionRevision.submission_id))
            .where(where, col(Submission.submitted_at).is_not(None),
                   ((col(SubmissionRevision.revision) == col(Submission.revision))
                    & (col(Submission.status) != SubmissionStatus.draft.value))
                   | (col(SubmissionRevision.revision) == col(Submission.accepted_revision)))
            .subquery())


async def plans_measuring(session: AsyncSession, plan_id: int, submission_id: int, revision: int) -> list[Plan]:
    """The submission's plan and every plan with a target on an indicator the revision reports."""
    reported = (select(col(ObservationRow.indicator_id))
                .join(SubmissionRevision, col(SubmissionRevision.id) == col(ObservationRow.revision_id))
                .where(col(SubmissionRevision.submission_id) == submission_id,
                       col(SubmissionRevision.revision) == revision))
    sharing = select(col(Target.plan_id)).where(col(Target.indicator_id).in_(reported))
    return list((await session.execute(select(Plan).where(
        (col(Plan.id) == plan_id) | col(Plan.id).in_(sharing)).order_by(col(Plan.id)))).scalars())
