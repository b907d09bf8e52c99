"""Applying the pure rules (app/status/rules.py) to a plan's facts: the verdict on every target and goal.

No I/O: :func:`evaluate` takes the facts read by ``app/status/facts.py`` and returns the API's status objects.
"""

import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.indicators.catalogue import TargetFacts, level_unit, responsible_unit
from app.indicators.units import convert, convertible
from app.models import Plan
from app.status.facts import (
    DIMENSION_INDEX,
    TOTALS,
    Group,
    ItemFacts,
    PlanFacts,
    Report,
    TaskKey,
    TaskReport,
    task_key,
)
from app.status.facts import TargetFacts as Target
from app.status.rules import (
    FLAG_CLAUSES,
    LABELS,
    METHODOLOGY_VERSION,
    SEVERITY,
    Evaluation,
    Flag,
    Observation,
    TargetSpec,
    applicable_targets,
    evaluate_target,
    evaluate_task,
    worst,
)
from app.status.schemas import BreakdownScope, BreakdownStatus, GoalStatus, ObservationRead, TargetStatus


@dataclass(frozen=True)
class Evaluated:
    """The statuses of one plan for one year, in plan order."""

    targets: list[TargetStatus]
    goals: list[GoalStatus]



def evaluate(facts: PlanFacts, year: int, today: date, breakdown: str | None = None,
             parents: Collection[TaskKey] | None = None) -> Evaluated:
    """Every target's and goal's status in ``year``, judged on ``today`` (for due dates); with ``breakdown``
    (sex, age or area) each target is also judged on every group of that dimension that has values.

    With ``parents`` only those goals and measures are judged, with their targets (the facts may then hold only
    their indicators' observations: see :func:`app.status.facts.load_facts`).
    """
    domain_codes = {d.id: d.code for d in facts.domains}
    goal_codes = {g.id: g.code for g in facts.goals}
    measure_codes = {m.id: m.code for m in facts.measures}
    parent_domain = {("goal", g.id): g.domain_id for g in facts.goals}
    parent_domain.update({("measure", m.id): m.domain_id for m in facts.measures})

    by_parent = targets_by_parent(facts)

    target_statuses: dict[int | None, TargetStatus] = {}  # by Target.id
    applicable: dict[tuple[str, int | None], list[Target]] = {}
    for key, targets in by_parent.items():
        if parents is not None and key not in parents:
            continue
        specs = [_spec(t, facts.plan, facts.indicators[t.indicator_id].precision) for t in targets]
        chosen = {id(s) for s in applicable_targets(specs, year)}
        applicable[key] = [t for t, s in zip(targets, specs, strict=True) if id(s) in chosen]
        for target, spec in zip(targets, specs, strict=True):
            source = _data_unit(facts, target, key)
            evaluation = _evaluate_one(facts, target, spec, key, year, today, _scope_of(target))
            lead = facts.leads.get(key)
            status = _target_read(
                target, evaluation, spec.due_year, id(spec) in chosen, facts.unit_codes.get(lead) if lead else None,
                goal_codes.get(target.goal_id), measure_codes.get(target.measure_id),  # type: ignore[arg-type]
                domain_codes[parent_domain[key]], facts, source)
            if breakdown is not None:
                status = status.model_copy(update={
                    "breakdowns": _breakdowns(facts, target, spec, key, year, today, breakdown)})
            target_statuses[target.id] = status

    goal_statuses = [_goal_status(facts, goal, [target_statuses[t.id] for t in applicable.get(("goal", goal.id), [])],
                                  domain_codes[goal.domain_id], year, today) for goal in facts.goals
                     if parents is None or ("goal", goal.id) in parents]
    position = target_positions(facts)
    ordered = sorted((t for t in facts.targets if t.id in target_statuses), key=lambda t: position[t.id])
    return Evaluated(targets=[target_statuses[t.id] for t in ordered], goals=goal_statuses)


def parent_inputs(facts: PlanFacts, year: int, today: date,
                  parents: Collection[TaskKey] | None = None) -> dict[TaskKey, str]:
    """Per goal and measure with targets (with ``parents`` only those), a digest of everything :func:`evaluate`
    reads to judge it and its targets in ``year`` on ``today``: equal digests, equal verdicts. A publish stores
    it with the verdicts and leaves a goal's verdicts be when its digest has not changed (an acceptance whose
    values do not change what counts, e.g. a supporting unit reporting the lead's numbers).

    Each part below is something evaluate() or what it calls reads; a new input to the rules belongs here too
    (tests/status/test_publication.py checks that skipping never differs from judging everything). A target's
    values are digested as the whole series, not only up to ``year``: written out once for every year a publish
    judges, and a change in a later year then merely re-judges an earlier one to the same verdict."""
    digests = {}
    for key, (item, lead, targets, static) in _static_inputs(facts).items():
        if parents is not None and key not in parents:
            continue
        parts: list[object] = [year]
        if not targets:  # a qualitative goal: judged on its lead's progress reports
            parts += [_latest_task_report(facts, item, lead, year), _overdue(facts, lead, key, year, today)]
        for target in targets:
            parts.append(_overdue(facts, _data_unit(facts, target, key), ("indicator", target.indicator_id), year,
                                  today))
        digest = static.copy()
        digest.update(repr(parts).encode())
        digests[key] = digest.hexdigest()
    return digests


def _static_inputs(facts: PlanFacts) -> dict[TaskKey, tuple[ItemFacts, int | None, list[Target], Any]]:
    """Per goal and measure with targets: the item, its lead, its targets and the digest so far of what
    :func:`parent_inputs` reads of them that is the same in every year (computed once per facts: a publish digests
    many years). Facts read for some goals only (``load_facts(parents=...)``) hold only their indicators: the
    others get none."""
    cached = facts.derived.get("inputs.static")
    if cached is not None:
        return cached
    domain_codes = {d.id: d.code for d in facts.domains}
    positions = target_positions(facts)
    by_parent = targets_by_parent(facts)
    items: list[tuple[TaskKey, ItemFacts, int]] = [(("goal", g.id), g, i) for i, g in enumerate(facts.goals)]
    items += [(("measure", m.id), m, i) for i, m in enumerate(facts.measures) if ("measure", m.id) in by_parent]
    static = {}
    for key, item, position in items:
        lead = facts.leads.get(key)
        targets = by_parent.get(key, [])
        if any(target.indicator_id not in facts.indicators for target in targets):
            continue  # not among the goals the facts were read for
        parts: list[object] = [METHODOLOGY_VERSION, facts.include_provisional, facts.plan.end_year, key, item,
                               position, domain_codes[item.domain_id], facts.unit_codes.get(lead) if lead else None]
        for target in targets:
            data_unit = _data_unit(facts, target, key)
            observations, conflicts = _series_of(facts, target, key, _scope_of(target))
            parts += [target, facts.indicators[target.indicator_id], positions[target.id],
                      facts.unit_codes.get(data_unit) if data_unit is not None else None, observations,
                      sorted(conflicts)]
        static[key] = (item, lead, targets, hashlib.blake2b(repr(parts).encode(), digest_size=16))
    facts.derived["inputs.static"] = static
    return static


def targets_by_parent(facts: PlanFacts) -> dict[TaskKey, list[Target]]:
    """The targets of each goal and measure, in plan order within it (computed once per facts)."""
    cached = facts.derived.get("targets.by_parent")
    if cached is None:
        cached = facts.derived["targets.by_parent"] = defaultdict(list)
        for target in facts.targets:
            cached[task_key(target.goal_id, target.measure_id)].append(target)
    return cached


def target_positions(facts: PlanFacts) -> dict[int | None, int]:
    """Plan order of the targets (by id): per domain, the goals' targets, then the measures' targets (computed
    once per facts: a publish judges many years)."""
    cached = facts.derived.get("targets.positions")
    if cached is None:
        cached = facts.derived["targets.positions"] = _target_positions(facts)
    return cached


def _target_positions(facts: PlanFacts) -> dict[int | None, int]:
    parent_domain = {("goal", g.id): g.domain_id for g in facts.goals}
    parent_domain.update({("measure", m.id): m.domain_id for m in facts.measures})
    domain_rank = {d.id: i for i, d in enumerate(facts.domains)}
    parent_rank = {("goal", g.id): (0, g.seq) for g in facts.goals}
    parent_rank.update({("measure", m.id): (1, m.seq) for m in facts.measures})

    def plan_order(target: Target) -> tuple[int, int, int, int]:
        key = task_key(target.goal_id, target.measure_id)
        return (domain_rank[parent_domain[key]], *parent_rank[key], target.seq)

    return {t.id: i for i, t in enumerate(sorted(facts.targets, key=plan_order))}


def _spec(target: Target, plan: Plan, precision: int | None = None) -> TargetSpec:
    return TargetSpec(metric=target.metric, op=target.op, value=target.value, unit=target.unit,
                      due_year=target.year or plan.end_year, per_year=target.per_year,
                      baseline_year=target.baseline_year, baseline_value=target.baseline_value,
                      tolerance=target.tolerance, direction=target.direction, review=target.review,
                      precision=precision)


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
    if counted_years(spec, evaluation) & conflict_years:
        evaluation = evaluate_target(spec, observations, year, extra_flags=[*flags, Flag.conflict], notes=notes)
    return evaluation


def counted_years(spec: TargetSpec, evaluation: Evaluation) -> set[int]:
    """The years whose reported values the verdict rests on: conflicting reports matter only there.

    A declared baseline replaces whatever units reported for its year, so that year does not count.
    """
    declared = spec.baseline_year if spec.baseline_value is not None else None
    return {obs.year for obs in (evaluation.baseline, evaluation.latest)
            if obs is not None and not (obs.year == declared and obs.value == spec.baseline_value)}


def _observations(facts: PlanFacts, target: Target, key: TaskKey, year: int,
                  group: Group) -> tuple[list[Observation], set[int]]:
    """One value of the target's indicator and group per year up to ``year``, in the target's unit, and the years
    in which units reported different values (see :func:`_series_of`)."""
    observations, conflicts = _series_of(facts, target, key, group)
    if observations and observations[-1].year > year:
        observations = [o for o in observations if o.year <= year]
        conflicts = {y for y in conflicts if y <= year}
    return observations, conflicts


def _series_of(facts: PlanFacts, target: Target, key: TaskKey,
               group: Group) -> tuple[list[Observation], set[int]]:
    """The value that counts in every year with reports, computed once per facts (a publish judges many years).

    Which value counts: the indicator's data-source unit's, else the lead unit's, else the most recently accepted
    other unit's. Observations belong to the unit that reported them, so a change of lead never erases a year.
    The choice in one year never depends on later years, so a year's series is a prefix of this one.
    """
    cache_key = ("series", target.id, key, group)
    cached = facts.derived.get(cache_key)
    if cached is not None:
        return cached
    indicator = facts.indicators[target.indicator_id]
    preferred = [u for u in (indicator.data_source_unit_id, facts.leads.get(key)) if u is not None]
    per_year: dict[int, dict[int, Report]] = defaultdict(dict)
    for report in facts.reports.get(target.indicator_id, ()):
        if report.group != group:
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
    facts.derived[cache_key] = observations, conflicts
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


def _goal_status(facts: PlanFacts, goal: ItemFacts, targets: list[TargetStatus], domain_code: str, year: int,
                 today: date) -> GoalStatus:
    lead = facts.leads.get(("goal", goal.id))
    common = {"code": goal.code, "domain_code": domain_code, "title": goal.title,
              "lead_unit": facts.unit_codes.get(lead) if lead is not None else None}
    if not targets:
        report = _latest_task_report(facts, goal, lead, year)
        flags, notes = _overdue(facts, lead, ("goal", goal.id), year, today)
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


def _latest_task_report(facts: PlanFacts, goal: ItemFacts, lead: int | None, year: int) -> TaskReport | None:
    """The lead unit's most recent progress report on the goal up to ``year``."""
    reports = [r for r in facts.task_reports.get(goal.id, ())
               if r.unit_id == lead and r.year <= year]
    return max(reports, key=lambda r: (r.year, r.stamp), default=None)
