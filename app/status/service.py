"""The rules service: the status of every target and goal of a plan for a year, and the change feed.

:func:`load_facts` reads everything one plan's evaluation needs in a fixed number of queries, whatever the
plan's size; :func:`evaluate` then applies the pure rules of ``app/status/rules.py`` in memory. REST and GraphQL
both call :func:`plan_status` and its siblings.

The feed: :func:`refresh_plan` re-evaluates a plan on accepted data only, compares the result with the last
published status of each target and goal (``status_snapshot``) and appends one ``status_change`` row per
difference. Every write that can change a status calls it in the same transaction (an accepted submission, a
late submit, a new cycle, a changed task decomposition), and the feed catches up once a day with the calendar
(due dates passing make the ``overdue`` flag appear) before it is read. Refreshes take one lock, so change ids
grow in commit order and a consumer polling with the last id it saw never misses a change.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    Subquery,
    case,
    false,
    func,
    insert,
    literal,
    select,
    text,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.pagination import MAX_INT
from app.errors import NotFound, ValidationFailed
from app.indicators.catalogue import TargetFacts, level_unit, responsible_unit
from app.indicators.units import convert, convertible
from app.models import (
    Assignment,
    Domain,
    Goal,
    Indicator,
    Measure,
    Plan,
    ReportingCycle,
    StatusChange,
    StatusRefresh,
    StatusSnapshot,
    Submission,
    SubmissionRevision,
    SubmissionTask,
    Target,
    Unit,
)
from app.models.base import utcnow
from app.models.enums import AssignmentRole, SubmissionStatus
from app.models.indicator import Observation as ObservationRow
from app.plans.service import plan_by_code
from app.status.rules import (
    FLAG_CLAUSES,
    LABELS,
    SEVERITY,
    Evaluation,
    Flag,
    Observation,
    Status,
    TargetSpec,
    applicable_targets,
    evaluate_target,
    evaluate_task,
    worst,
)
from app.status.schemas import (
    BreakdownScope,
    BreakdownStatus,
    DomainStatus,
    GoalStatus,
    GoalStatusDetail,
    ObservationRead,
    PlanStatus,
    RefreshReport,
    StatusChangePage,
    StatusChangeRead,
    StatusCounts,
    StatusSummary,
    TargetStatus,
)

TaskKey = tuple[str, int]  # ("goal", id) or ("measure", id)
FEED_LOCK_KEY = 0x6665705F66656564  # pg_advisory_xact_lock key held by every refresh ("fep_feed")
MAX_FEED_LIMIT = 1000


@dataclass(frozen=True)
class StatusFilter:
    """`domain` and `unit` (the goals and measures it leads) scope the whole answer, summary included;
    `status` and `flag` only select the items listed."""

    domain: str | None = None
    unit: str | None = None
    status: Status | None = None
    flag: Flag | None = None


Group = tuple[str, str, str]  # sex, age group, area: ("total", "all", "all") are the totals
TOTALS: Group = ("total", "all", "all")
DIMENSION_INDEX = {"sex": 0, "age": 1, "area": 2}


@dataclass(frozen=True)
class Report:
    """One unit's value of one indicator for one year and group, in the indicator's unit."""

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


@dataclass(frozen=True)
class TaskReport:
    unit_id: int
    year: int
    progress: str
    provisional: bool
    stamp: datetime


@dataclass
class PlanFacts:
    """Everything the rules need about one plan, read once."""

    plan: Plan
    include_provisional: bool
    domains: list[Domain]
    goals: list[Goal]
    measures: list[Measure]
    targets: list[Target]
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


@dataclass(frozen=True)
class Evaluated:
    """The statuses of one plan for one year, in plan order."""

    targets: list[TargetStatus]
    goals: list[GoalStatus]


def _task_key(goal_id: int | None, measure_id: int | None) -> TaskKey:
    return ("goal", goal_id) if goal_id is not None else ("measure", measure_id)  # type: ignore[return-value]


# --- loading ----------------------------------------------------------------------------------------------

async def load_facts(session: AsyncSession, plan: Plan, *, include_provisional: bool = False) -> PlanFacts:
    """The plan's structure, task decomposition, indicators, units, observations, task progress, cycles and what
    what was reported: eleven queries, whatever the plan's size."""
    domains = list((await session.execute(select(Domain).where(col(Domain.plan_id) == plan.id)
                                          .order_by(col(Domain.part).desc(), col(Domain.seq)))).scalars())
    order = {d.id: i for i, d in enumerate(domains)}
    goals = sorted((await session.execute(select(Goal).where(col(Goal.plan_id) == plan.id))).scalars(),
                   key=lambda g: (order[g.domain_id], g.seq))
    measures = sorted((await session.execute(select(Measure).where(col(Measure.plan_id) == plan.id))).scalars(),
                      key=lambda m: (order[m.domain_id], m.seq))
    targets = list((await session.execute(select(Target).where(col(Target.plan_id) == plan.id)
                                          .order_by(col(Target.seq), col(Target.id)))).scalars())
    facts = PlanFacts(plan, include_provisional, domains, goals, measures, targets)

    for assignment, unit_code in (await session.execute(
            select(Assignment, col(Unit.code)).join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .where(col(Assignment.plan_id) == plan.id))).all():
        key = _task_key(assignment.goal_id, assignment.measure_id)
        facts.assigned[key].add(assignment.unit_id)
        facts.unit_codes[assignment.unit_id] = unit_code
        if assignment.role == AssignmentRole.lead.value:
            facts.leads[key] = assignment.unit_id

    for indicator_id, code, unit, source in (await session.execute(  # plain rows: the rules need four columns
            select(col(Indicator.id), col(Indicator.code), col(Indicator.unit), col(Indicator.data_source_unit_id))
            .where(col(Indicator.id).in_({target.indicator_id for target in targets})))).all():
        facts.indicators[indicator_id] = IndicatorFacts(indicator_id, code, unit, source)  # type: ignore[index, arg-type]
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
    for indicator_id, value, sex, age_group, area, unit_id, year, is_provisional, at in (await session.execute(
            select(col(ObservationRow.indicator_id), col(ObservationRow.value), col(ObservationRow.sex),
                   col(ObservationRow.age_group), col(ObservationRow.area), counted.c.unit_id, counted.c.year,
                   counted.c.provisional, counted.c.stamp)
            .join(counted, counted.c.revision_id == col(ObservationRow.revision_id))
            .where(col(ObservationRow.indicator_id).in_(facts.indicators)))).all():
        facts.reports[indicator_id].append(Report(unit_id, year, value, bool(is_provisional), at,
                                                  (sex, age_group, area)))
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
    sent = sent_revisions(col(Submission.plan_id) == plan.id)
    indicators_sent = (select(sent.c.year, sent.c.kind, literal("indicator").label("subject"),
                              col(ObservationRow.indicator_id).label("subject_id"))
                       .join(sent, sent.c.revision_id == col(ObservationRow.revision_id)))
    goals_sent = (select(sent.c.year, sent.c.kind, literal("goal").label("subject"),
                         col(SubmissionTask.goal_id).label("subject_id"))
                  .join(sent, sent.c.revision_id == col(SubmissionTask.revision_id))
                  .where(col(SubmissionTask.goal_id).is_not(None)))
    for year, kind, subject, subject_id in (await session.execute(union(indicators_sent, goals_sent))).all():
        facts.reported.add((year, kind, (subject, subject_id)))
    return facts


# --- evaluation (no I/O) ----------------------------------------------------------------------------------

def evaluate(facts: PlanFacts, year: int, today: date, breakdown: str | None = None) -> Evaluated:
    """Every target's and goal's status in ``year``, judged on ``today`` (for due dates); with ``breakdown``
    (sex, age or area) each target is also judged on every group of that dimension that has values."""
    domain_codes = {d.id: d.code for d in facts.domains}
    goal_codes = {g.id: g.code for g in facts.goals}
    measure_codes = {m.id: m.code for m in facts.measures}
    parent_domain = {("goal", g.id): g.domain_id for g in facts.goals}
    parent_domain.update({("measure", m.id): m.domain_id for m in facts.measures})

    by_parent: dict[TaskKey, list[Target]] = defaultdict(list)
    for target in facts.targets:
        by_parent[_task_key(target.goal_id, target.measure_id)].append(target)

    target_statuses: dict[int | None, TargetStatus] = {}  # by Target.id
    applicable: dict[tuple[str, int | None], list[Target]] = {}
    for key, targets in by_parent.items():
        specs = [_spec(t, facts.plan) for t in targets]
        chosen = {id(s) for s in applicable_targets(specs, year)}
        applicable[key] = [t for t, s in zip(targets, specs, strict=True) if id(s) in chosen]
        for target, spec in zip(targets, specs, strict=True):
            source = _data_unit(facts, target, key)
            evaluation = _evaluate_one(facts, target, spec, key, year, today, _scope_of(target))
            lead = facts.leads.get(key)
            status = _target_read(
                target, evaluation, spec.due_year, id(spec) in chosen, facts.unit_codes.get(lead) if lead else None,
                goal_codes.get(target.goal_id), measure_codes.get(target.measure_id),
                domain_codes[parent_domain[key]], facts, source)
            if breakdown is not None:
                status.breakdowns = _breakdowns(facts, target, spec, key, year, today, breakdown)
            target_statuses[target.id] = status

    goal_statuses = [_goal_status(facts, goal, [target_statuses[t.id] for t in applicable.get(("goal", goal.id), [])],
                                  domain_codes[goal.domain_id], year, today) for goal in facts.goals]
    # Plan order: per domain, the goals' targets, then the measures' targets.
    domain_rank = {d.id: i for i, d in enumerate(facts.domains)}
    parent_rank = {("goal", g.id): (0, g.seq) for g in facts.goals}
    parent_rank.update({("measure", m.id): (1, m.seq) for m in facts.measures})

    def plan_order(target: Target) -> tuple[int, int, int, int]:
        key = _task_key(target.goal_id, target.measure_id)
        return (domain_rank[parent_domain[key]], *parent_rank[key], target.seq)

    ordered = sorted(facts.targets, key=plan_order)
    return Evaluated(targets=[target_statuses[t.id] for t in ordered], goals=goal_statuses)


def _spec(target: Target, plan: Plan) -> TargetSpec:
    return TargetSpec(metric=target.metric, op=target.op, value=target.value, unit=target.unit,
                      due_year=target.year or plan.end_year, per_year=target.per_year,
                      baseline_year=target.baseline_year, baseline_value=target.baseline_value,
                      tolerance=target.tolerance, direction=target.direction, review=target.review)


def _scope_of(target: Target) -> Group:
    """The group a target is on (农村…, 女性…), else the totals."""
    return (target.scope_sex or "total", target.scope_age_group or "all", target.scope_area or "all")


def _data_unit(facts: PlanFacts, target: Target, key: TaskKey) -> int | None:
    """The unit whose value counts and who must report it: the indicator's data source, else the lead unit."""
    return responsible_unit(facts.indicators[target.indicator_id].data_source_unit_id, facts.leads.get(key))


def _evaluate_one(facts: PlanFacts, target: Target, spec: TargetSpec, key: TaskKey, year: int, today: date,
                  group: Group) -> Evaluation:
    observations, conflict_years = _observations(facts, target, key, year, group)
    flags, notes = _overdue(facts, _data_unit(facts, target, key), ("indicator", target.indicator_id), year, today)
    evaluation = evaluate_target(spec, observations, year, extra_flags=flags, notes=notes)
    # Conflicting reports matter only in the years the verdict rests on.
    used = {obs.year for obs in (evaluation.baseline, evaluation.latest) if obs is not None}
    if used & conflict_years:
        evaluation = evaluate_target(spec, observations, year, extra_flags=[*flags, Flag.conflict], notes=notes)
    return evaluation


def _observations(facts: PlanFacts, target: Target, key: TaskKey, year: int,
                  group: Group) -> tuple[list[Observation], set[int]]:
    """One value of the target's indicator and group per year up to ``year``, in the target's unit.

    Which value counts: the indicator's data-source unit's, else the lead unit's, else the most recently accepted
    other unit's. Observations belong to the unit that reported them, so a change of lead never erases a year.
    Returns the observations and the years in which units reported different values.
    """
    indicator = facts.indicators[target.indicator_id]
    preferred = [u for u in (indicator.data_source_unit_id, facts.leads.get(key)) if u is not None]
    per_year: dict[int, dict[int, Report]] = defaultdict(dict)
    for report in facts.reports.get(target.indicator_id, ()):
        if report.year > year or report.group != group:
            continue
        current = per_year[report.year].get(report.unit_id)
        if current is None or report.stamp >= current.stamp:
            per_year[report.year][report.unit_id] = report
    unit = level_unit(TargetFacts(metric=target.metric, op=target.op, unit=target.unit, per_year=target.per_year,
                                  baseline_year=target.baseline_year, direction=target.direction))
    rescale = unit is not None and indicator.unit is not None and unit != indicator.unit and convertible(
        indicator.unit, unit)
    observations, conflicts = [], set()
    for y in sorted(per_year):
        reports = per_year[y]
        values = sorted(r.value for r in reports.values())
        if values[-1] - values[0] > 1e-9 * max(1.0, abs(values[-1])):
            conflicts.add(y)
        chosen = next((reports[u] for u in preferred if u in reports), None) or max(
            reports.values(), key=lambda r: r.stamp)
        value = convert(chosen.value, indicator.unit, unit) if rescale else chosen.value
        observations.append(Observation(y, value, chosen.provisional))
    return observations, conflicts


def _breakdowns(facts: PlanFacts, target: Target, spec: TargetSpec, key: TaskKey, year: int, today: date,
                dimension: str) -> list[BreakdownStatus]:
    """The target judged on each group of ``dimension`` that has values, the other dimensions kept at its scope."""
    scope = _scope_of(target)
    position = DIMENSION_INDEX[dimension]
    groups = sorted({r.group[position] for r in facts.reports.get(target.indicator_id, ())
                     if r.group[position] != TOTALS[position]
                     and all(r.group[i] == scope[i] for i in range(3) if i != position)})
    rows = []
    for name in groups:
        group = tuple(name if i == position else scope[i] for i in range(3))
        evaluation = _evaluate_one(facts, target, spec, key, year, today, group)  # type: ignore[arg-type]
        rows.append(BreakdownStatus(dimension=dimension, group=name, status=evaluation.status,
                                    label=evaluation.label, flags=list(evaluation.flags), rule=evaluation.rule,
                                    explanation=evaluation.explanation, baseline=_observation(evaluation.baseline),
                                    latest=_observation(evaluation.latest)))
    return rows


CYCLE_NAMES = {"baseline": "基期数据", "annual": "年度自评", "midterm": "中期评估", "final": "终期评估"}


def _overdue(facts: PlanFacts, unit_id: int | None, subject: TaskKey, year: int,
             today: date) -> tuple[list[Flag], dict[Flag, str]]:
    """`overdue` when ``subject`` (an indicator, or a qualitative goal's progress) has not been reported in a cycle
    of ``year`` past its due date, naming the cycle.

    Whoever reported it counts, not only today's responsible unit: after a change of lead unit, the years the
    former lead reported are not overdue (the per-unit view of what is missing is the cycle's completeness).
    """
    if unit_id is None:
        return [], {}
    missing = [CYCLE_NAMES.get(kind, kind) for kind, due in sorted(facts.due_dates.get(year, ()))
               if due < today and (year, kind, subject) not in facts.reported]
    if not missing:
        return [], {}
    return [Flag.overdue], {Flag.overdue: f"（{year}年{'、'.join(missing)}）"}


def _target_read(target: Target, evaluation: Evaluation, due_year: int, applies: bool, lead_unit: str | None,
                 goal_code: str | None, measure_code: str | None, domain_code: str, facts: PlanFacts,
                 data_unit: int | None) -> TargetStatus:
    sex, age_group, area = _scope_of(target)
    return TargetStatus(
        code=target.code, goal_code=goal_code, measure_code=measure_code, domain_code=domain_code,
        lead_unit=lead_unit, indicator=facts.indicators[target.indicator_id].code,
        data_unit=facts.unit_codes.get(data_unit) if data_unit is not None else None,
        scope=BreakdownScope(sex=sex, age_group=age_group, area=area),
        metric=target.metric, op=target.op, value=target.value, unit=target.unit, due_year=due_year,
        applies=applies, status=evaluation.status, label=evaluation.label, flags=list(evaluation.flags),
        rule=evaluation.rule, explanation=evaluation.explanation, required=evaluation.required,
        projected=evaluation.projected, progress=evaluation.progress,
        baseline=_observation(evaluation.baseline), latest=_observation(evaluation.latest))


def _observation(obs: Observation | None) -> ObservationRead | None:
    return None if obs is None else ObservationRead(year=obs.year, value=obs.value, provisional=obs.provisional)


def _goal_status(facts: PlanFacts, goal: Goal, targets: list[TargetStatus], domain_code: str, year: int,
                 today: date) -> GoalStatus:
    lead = facts.leads.get(("goal", goal.id))  # type: ignore[arg-type]
    common = {"code": goal.code, "domain_code": domain_code, "title": goal.title,
              "lead_unit": facts.unit_codes.get(lead) if lead is not None else None}
    if not targets:
        report = _latest_task_report(facts, goal, lead, year)
        flags, notes = _overdue(facts, lead, ("goal", goal.id), year, today)  # type: ignore[arg-type]
        if report is not None and report.provisional:
            flags.append(Flag.provisional)
        evaluation = evaluate_task(report.progress if report else None, year=report.year if report else None,
                                   has_lead=lead is not None, extra_flags=flags, notes=notes)
        return GoalStatus(**common, qualitative=True, status=evaluation.status, label=evaluation.label,
                          flags=list(evaluation.flags), rule=evaluation.rule, explanation=evaluation.explanation,
                          targets=[])
    status = worst(t.status for t in targets)
    flags = sorted({flag for t in targets for flag in t.flags})
    counts = "、".join(f"{n}项{LABELS[s]}" for s in SEVERITY
                      if (n := sum(1 for t in targets if t.status is s)))
    worst_metrics = "、".join(dict.fromkeys(t.metric for t in targets if t.status is status))
    if len(targets) == 1:
        text = f"唯一适用指标（{worst_metrics}）{LABELS[status]}，目标记为{LABELS[status]}"
    else:
        text = f"{len(targets)}项适用指标中{counts}，按最差一项（{worst_metrics}）记为{LABELS[status]}"
    return GoalStatus(**common, qualitative=False, status=status, label=LABELS[status], flags=flags,
                      rule="goal.worst_of_targets", explanation=text + "".join(FLAG_CLAUSES[f] for f in flags) + "。",
                      targets=[t.code for t in targets])


def _latest_task_report(facts: PlanFacts, goal: Goal, lead: int | None, year: int) -> TaskReport | None:
    """The lead unit's most recent progress report on the goal up to ``year``."""
    reports = [r for r in facts.task_reports.get(goal.id, ())  # type: ignore[arg-type]
               if r.unit_id == lead and r.year <= year]
    return max(reports, key=lambda r: (r.year, r.stamp), default=None)


# --- reads ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanEvaluation:
    """One plan evaluated for one year: what :func:`summarise` and the GraphQL fields shape."""

    facts: PlanFacts
    year: int
    as_of: date
    evaluated: Evaluated

    @property
    def plan_code(self) -> str:
        return self.facts.plan.code


async def evaluate_plan(session: AsyncSession, actor: Actor, plan_code: str, year: int | None, today: date, *,
                        include_provisional: bool = False, breakdown: str | None = None) -> PlanEvaluation:
    """Every status of a plan in ``year`` (default: this year, kept within the plan's years)."""
    plan = await plan_by_code(session, plan_code)
    if include_provisional:
        visibility.require_provisional(actor)
    if year is None:
        year = min(max(today.year, plan.start_year), plan.end_year)
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationFailed.field("year", t("must be within the plan's years {start}–{end}",
                                               start=plan.start_year, end=plan.end_year))
    facts = await load_facts(session, plan, include_provisional=include_provisional)
    return PlanEvaluation(facts, year, today, evaluate(facts, year, today, breakdown))


def summarise(evaluation: PlanEvaluation, filters: StatusFilter = StatusFilter()) -> PlanStatus:
    """Summary counts per status for the plan and each domain, and the items the filters select."""
    facts = evaluation.facts
    scoped_targets, scoped_goals = _scope(facts, evaluation.evaluated, filters)
    domains = [DomainStatus(code=d.code, title=d.title,
                            targets=_counts(t for t in scoped_targets if t.domain_code == d.code),
                            goals=_counts(g for g in scoped_goals if g.domain_code == d.code))
               for d in facts.domains if filters.domain in (None, d.code)]
    return PlanStatus(
        plan_code=facts.plan.code, year=evaluation.year, include_provisional=facts.include_provisional,
        as_of=evaluation.as_of, summary=StatusSummary(targets=_counts(scoped_targets), goals=_counts(scoped_goals)),
        domains=domains, targets=[t for t in scoped_targets if _selected(t, filters)],
        goals=[g for g in scoped_goals if _selected(g, filters)])


def goal_detail(evaluation: PlanEvaluation, goal_code: str) -> GoalStatusDetail:
    goal = next((g for g in evaluation.evaluated.goals if g.code == goal_code), None)
    if goal is None:
        raise NotFound(t("Goal {code} does not exist in plan {plan}.", code=goal_code, plan=evaluation.plan_code))
    return GoalStatusDetail(plan_code=evaluation.plan_code, year=evaluation.year,
                            include_provisional=evaluation.facts.include_provisional, as_of=evaluation.as_of,
                            goal=goal, targets=[t for t in evaluation.evaluated.targets if t.goal_code == goal_code])


def goal_of(evaluation: PlanEvaluation, goal_code: str) -> GoalStatus:
    return goal_detail(evaluation, goal_code).goal


def target_of(evaluation: PlanEvaluation, target_code: str) -> TargetStatus:
    target = next((t for t in evaluation.evaluated.targets if t.code == target_code), None)
    if target is None:
        raise NotFound(t("Target {code} does not exist in plan {plan}.", code=target_code, plan=evaluation.plan_code))
    return target


async def plan_status(session: AsyncSession, actor: Actor, plan_code: str, year: int | None, today: date,
                      filters: StatusFilter = StatusFilter(), *, include_provisional: bool = False,
                      breakdown: str | None = None) -> PlanStatus:
    evaluation = await evaluate_plan(session, actor, plan_code, year, today, include_provisional=include_provisional,
                                     breakdown=breakdown)
    return summarise(evaluation, filters)


async def goal_status(session: AsyncSession, actor: Actor, plan_code: str, goal_code: str, year: int | None,
                      today: date, *, include_provisional: bool = False,
                      breakdown: str | None = None) -> GoalStatusDetail:
    evaluation = await evaluate_plan(session, actor, plan_code, year, today, include_provisional=include_provisional,
                                     breakdown=breakdown)
    return goal_detail(evaluation, goal_code)


def _scope(facts: PlanFacts, evaluated: Evaluated,
           filters: StatusFilter) -> tuple[list[TargetStatus], list[GoalStatus]]:
    targets, goals = evaluated.targets, evaluated.goals
    if filters.domain is not None:
        if filters.domain not in {d.code for d in facts.domains}:
            raise ValidationFailed.field("domain", t("no domain {code} in plan {plan}", code=filters.domain,
                                                     plan=facts.plan.code))
        targets = [t for t in targets if t.domain_code == filters.domain]
        goals = [g for g in goals if g.domain_code == filters.domain]
    if filters.unit is not None:
        if filters.unit not in facts.committee_units:
            raise ValidationFailed.field("unit", t("no unit {code} in the committee of plan {plan}", code=filters.unit,
                                                   plan=facts.plan.code))
        led = {key for key, unit_id in facts.leads.items() if facts.unit_codes.get(unit_id) == filters.unit}
        goal_codes = {g.code for g in facts.goals if ("goal", g.id) in led}
        measure_codes = {m.code for m in facts.measures if ("measure", m.id) in led}
        targets = [t for t in targets if t.goal_code in goal_codes or t.measure_code in measure_codes]
        goals = [g for g in goals if g.code in goal_codes]
    return targets, goals


def _selected(item: TargetStatus | GoalStatus, filters: StatusFilter) -> bool:
    return (filters.status is None or item.status is filters.status) and (
        filters.flag is None or filters.flag in item.flags)


def _counts(items: Iterable[TargetStatus | GoalStatus]) -> StatusCounts:
    """Statuses of the year: milestones that do not apply this year are listed but not counted."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        if getattr(item, "applies", True):
            counts[item.status.value] += 1
    return StatusCounts(**counts)


# --- snapshots and the change feed ------------------------------------------------------------------------

async def refresh_plan(session: AsyncSession, plan: Plan, today: date, cause: str,
                       years: Iterable[int] | None = None) -> int:
    """Publish the plan's current statuses (accepted data only) for ``years`` (default: all), return the changes.

    A target or goal never published counts as ``no_data`` without flags, so a plan nobody has reported on
    makes no noise in the feed.
    """
    await _lock_feed(session)
    full = years is None
    year_list = sorted(set(range(plan.start_year, plan.end_year + 1) if years is None else years)
                       & set(range(plan.start_year, plan.end_year + 1)))
    facts = await load_facts(session, plan)
    snapshots = {(s.year, s.subject_type, s.subject_code): s for s in (await session.execute(
        select(StatusSnapshot).where(col(StatusSnapshot.plan_id) == plan.id,
                                     col(StatusSnapshot.year).in_(year_list)))).scalars()}
    now = utcnow()
    inserts, updates, changes = [], [], []
    for year in year_list:
        evaluated = evaluate(facts, year, today)
        items: list[tuple[str, TargetStatus | GoalStatus]] = [("target", t) for t in evaluated.targets]
        items += [("goal", g) for g in evaluated.goals]
        for subject_type, item in items:
            flags = ",".join(sorted(f.value for f in item.flags))
            snapshot = snapshots.get((year, subject_type, item.code))
            before = (snapshot.status, snapshot.flags) if snapshot else (Status.no_data.value, "")
            if (item.status.value, flags) == before:
                continue
            changes.append({"plan_id": plan.id, "year": year, "subject_type": subject_type,
                            "subject_code": item.code, "from_status": snapshot.status if snapshot else None,
                            "to_status": item.status.value, "from_flags": snapshot.flags if snapshot else None,
                            "to_flags": flags, "explanation": item.explanation, "cause": cause[:100],
                            "changed_at": now})
            if snapshot is None:
                inserts.append({"plan_id": plan.id, "year": year, "subject_type": subject_type,
                                "subject_code": item.code, "status": item.status.value, "flags": flags,
                                "updated_at": now})
            else:
                updates.append({"id": snapshot.id, "status": item.status.value, "flags": flags, "updated_at": now})
    if inserts:
        await session.execute(insert(StatusSnapshot), inserts)
    if updates:
        await session.execute(update(StatusSnapshot), updates)
    if changes:
        await session.execute(insert(StatusChange), changes)
    if full:
        await _mark_refreshed(session, plan, today, now)
    return len(changes)


async def refresh_all(session: AsyncSession, today: date, cause: str, *, only_stale: bool = False) -> RefreshReport:
    """Refresh every plan (or, with ``only_stale``, those not fully refreshed ``today``)."""
    plans = list((await session.execute(select(Plan).order_by(col(Plan.code)))).scalars())
    if only_stale:
        fresh = set((await session.execute(select(col(StatusRefresh.plan_id))
                                           .where(col(StatusRefresh.refreshed_on) >= today))).scalars())
        plans = [p for p in plans if p.id not in fresh]
        if plans:
            # Re-check under the lock: a concurrent reader may have just done it.
            await _lock_feed(session)
            fresh = set((await session.execute(select(col(StatusRefresh.plan_id))
                                               .where(col(StatusRefresh.refreshed_on) >= today))).scalars())
            plans = [p for p in plans if p.id not in fresh]
    changes = 0
    for plan in plans:
        changes += await refresh_plan(session, plan, today, cause)
    return RefreshReport(plans=len(plans), years=sum(p.end_year - p.start_year + 1 for p in plans), changes=changes)


async def list_changes(session: AsyncSession, since: str | None, limit: int, today: date,
                       plan_code: str | None = None, year: int | None = None) -> StatusChangePage:
    """Changes after the cursor ``since`` (or none, with ``since="now"``), oldest first.

    The feed first catches up with today's calendar. ``next_cursor`` is where the next poll starts: the last item
    of a full page, else the newest change of the whole feed (nothing after it matched the filters).
    """
    if not 1 <= limit <= MAX_FEED_LIMIT:
        raise ValidationFailed.field("limit", t("must be between 1 and {max}", max=MAX_FEED_LIMIT))
    plan = await plan_by_code(session, plan_code) if plan_code is not None else None
    await refresh_all(session, today, "daily refresh", only_stale=True)
    # Read before the page: a change committed in between is then in the page or after the cursor, never skipped.
    newest = (await session.execute(select(func.max(col(StatusChange.id))))).scalar_one() or 0
    after = newest if since == "now" else _parse_cursor(since)
    if after > newest:
        raise ValidationFailed.field("since", t("is ahead of the feed (its newest change is {newest}); use a "
                                                "next_cursor this feed returned", newest=newest))
    stmt = (select(StatusChange, col(Plan.code)).join(Plan, col(Plan.id) == col(StatusChange.plan_id))
            .where(col(StatusChange.id) > after).order_by(col(StatusChange.id)).limit(limit))
    if plan is not None:
        stmt = stmt.where(col(StatusChange.plan_id) == plan.id)
    if year is not None:
        stmt = stmt.where(col(StatusChange.year) == year)
    items = [_change_read(change, code) for change, code in (await session.execute(stmt)).all()]
    if len(items) == limit:
        next_cursor = items[-1].cursor
    else:
        next_cursor = str(max(newest, int(items[-1].cursor) if items else after))
    return StatusChangePage(items=items, next_cursor=next_cursor)


def _parse_cursor(since: str | None) -> int:
    if since is None or since == "":
        return 0
    if not (since.isascii() and since.isdigit()) or int(since) > MAX_INT:
        raise ValidationFailed.field("since", t("must be a cursor returned by this feed (a non-negative integer) "
                                                "or `now`"))
    return int(since)


def _change_read(change: StatusChange, plan_code: str) -> StatusChangeRead:
    def flags(value: str | None) -> list[Flag] | None:
        return None if value is None else [Flag(f) for f in value.split(",") if f]

    return StatusChangeRead(
        cursor=str(change.id), plan_code=plan_code, year=change.year, subject_type=change.subject_type,
        subject_code=change.subject_code, from_status=change.from_status, to_status=change.to_status,
        from_flags=flags(change.from_flags), to_flags=flags(change.to_flags) or [],
        explanation=change.explanation, cause=change.cause, changed_at=change.changed_at)


async def _lock_feed(session: AsyncSession) -> None:
    """Serialise refreshes until commit, so change ids grow in commit order.

    SQLite needs nothing: every transaction takes the database's write lock (BEGIN IMMEDIATE, app/db.py).
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})


async def _mark_refreshed(session: AsyncSession, plan: Plan, today: date, now: datetime) -> None:
    marker = await session.get(StatusRefresh, plan.id)
    if marker is None:
        session.add(StatusRefresh(plan_id=plan.id, refreshed_on=today, refreshed_at=now))  # type: ignore[arg-type]
    else:
        marker.refreshed_on, marker.refreshed_at = today, now
    await session.flush()


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


def changed_years(plan: Plan, from_year: int) -> Sequence[int]:
    """The years whose status a value for ``from_year`` can change: that year and every later one."""
    return range(max(from_year, plan.start_year), plan.end_year + 1)
