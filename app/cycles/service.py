"""Reporting cycle services, and the rule that decides whether a unit may write into a cycle."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.labels import kind_label
from app.cycles.schemas import Completeness, CycleCreate, CycleRead, CycleState, UnitCompleteness
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.indicators.catalogue import responsible_unit
from app.models import (
    Assignment,
    CycleReopening,
    Indicator,
    Observation,
    Plan,
    ReportingCycle,
    Submission,
    Target,
    Unit,
)
from app.models.base import utcnow
from app.models.enums import AssignmentRole, CycleKind
from app.outbox.service import emit
from app.plans.service import plan_by_code
from app.status.facts import sent_revisions
from app.status.publication import touch_plan


@dataclass(frozen=True)
class WriteWindow:
    """The cycle a write goes into, and whether it counts as late."""

    cycle: ReportingCycle
    late: bool


def required_year(plan: Plan, kind: CycleKind) -> int | None:
    """Mid-term evaluation in the plan's 3rd year, final evaluation in its last; annual in any year."""
    return {CycleKind.midterm: plan.start_year + 2, CycleKind.final: plan.end_year}.get(kind)


async def check_cycle_year(session: AsyncSession, plan: Plan, year: int, kind: CycleKind, field: str) -> None:
    """Annual, mid-term and final cycles lie within the plan's years; a baseline cycle before the plan starts,
    or in a base year one of its targets declares (以2020年为基数)."""
    if kind is CycleKind.baseline:
        if year < plan.start_year:
            return
        declared = set((await session.execute(select(col(Target.baseline_year)).where(
            col(Target.plan_id) == plan.id, col(Target.baseline_year).is_not(None)))).scalars())
        if year not in declared:
            raise ValidationFailed.field(field, t("a base-year report is for a year before the plan starts "
                                                  "({start}) or a base year its targets declare",
                                                  start=plan.start_year))
        return
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationFailed.field("year", t("must be within the plan's years {start}–{end}",
                                               start=plan.start_year, end=plan.end_year))
    expected = required_year(plan, kind)
    if expected is not None and year != expected:
        raise ValidationFailed.field(field, t("the {kind} of this plan is in {expected}, not {year}",
                                              kind=kind_label(kind), expected=expected, year=year))


def cycle_state(cycle: ReportingCycle, today: date) -> CycleState:
    if cycle.closed_at is not None:
        return "closed"
    if today < cycle.opens_on:
        return "scheduled"
    return "overdue" if today > cycle.due_on else "open"


async def list_cycles(session: AsyncSession, plan_code: str, today: date) -> list[CycleRead]:
    plan = await plan_by_code(session, plan_code)
    return (await _cycles_of(session, [plan], today))[0]


async def cycles_of_plans(session: AsyncSession, plan_codes: Sequence[str], today: date) -> list[list[CycleRead]]:
    """Each plan's cycles as `list_cycles` gives them, in three queries for any number of plans (none for a plan
    that does not exist)."""
    plans = {plan.code: plan for plan in (await session.execute(
        select(Plan).where(col(Plan.code).in_(list(plan_codes))))).scalars()}
    found = [plans[code] for code in plan_codes if code in plans]
    by_plan = dict(zip((plan.code for plan in found), await _cycles_of(session, found, today), strict=True))
    return [by_plan.get(code, []) for code in plan_codes]


async def _cycles_of(session: AsyncSession, plans: Sequence[Plan], today: date) -> list[list[CycleRead]]:
    cycles = (await session.execute(select(ReportingCycle).where(
        col(ReportingCycle.plan_id).in_([plan.id for plan in plans]))
        .order_by(col(ReportingCycle.year), col(ReportingCycle.kind)))).scalars().all()
    reopened = await _reopened_units(session, [c.id for c in cycles])  # type: ignore[misc]
    return [[_read(plan, c, today, reopened.get(c.id, [])) for c in cycles  # type: ignore[arg-type]
             if c.plan_id == plan.id] for plan in plans]


def cycle_among(cycles: Sequence[CycleRead], plan_code: str, year: int, kind: CycleKind) -> CycleRead:
    """The plan's cycle of that year and kind among its cycles (as `cycles_of_plans` gives them), or NotFound."""
    for cycle in cycles:
        if cycle.year == year and cycle.kind == kind.value:
            return cycle
    raise NotFound(t("Plan {plan} has no {kind} cycle for {year}.", plan=plan_code, kind=kind_label(kind),
                     year=year))


async def get_cycle(session: AsyncSession, plan_code: str, year: int, kind: CycleKind, today: date) -> CycleRead:
    plan = await plan_by_code(session, plan_code)
    cycle = await cycle_by_key(session, plan, year, kind)
    return await _read_one(session, plan, cycle, today)


async def create_cycle(session: AsyncSession, actor: Actor, plan_code: str, data: CycleCreate,
                       today: date) -> CycleRead:
    plan = await plan_by_code(session, plan_code)
    await check_cycle_year(session, plan, data.year, data.kind, "year")
    # A base year's figures are collected once the plan has started: by default, like its first annual cycle.
    report_year = max(data.year, plan.start_year) if data.kind is CycleKind.baseline else data.year
    opens_on = data.opens_on or date(report_year, 1, 1)
    due_on = data.due_on or date(report_year, 12, 31)
    if due_on < opens_on:
        raise ValidationFailed.field("due_on", t("must not be before opens_on"))
    if await _find(session, plan, data.year, data.kind) is not None:
        raise Conflict(t("Plan {plan} already has a {year} {kind} cycle.", plan=plan.code,
                         kind=kind_label(data.kind), year=data.year))
    cycle = ReportingCycle(plan_id=plan.id, year=data.year, kind=data.kind.value,  # type: ignore[arg-type]
                           opens_on=opens_on, due_on=due_on)
    session.add(cycle)
    await session.flush()
    if due_on < today:  # units that have not submitted for it are overdue from now on
        touch_plan(session, plan.id, f"{data.kind.value} cycle {data.year} created", [data.year])  # type: ignore[arg-type]
    result = _read(plan, cycle, today, [])
    await _emit(session, "cycle.opened", plan, result)
    await record(session, actor, "cycle.create", "cycle", _entity_id(plan, cycle), after=_audit(result))
    return result


async def close_cycle(session: AsyncSession, actor: Actor, plan_code: str, year: int, kind: CycleKind,
                      today: date) -> CycleRead:
    """Close the cycle for everyone, ending any per-unit reopening."""
    plan = await plan_by_code(session, plan_code)
    cycle = await cycle_by_key(session, plan, year, kind)
    before = await _read_one(session, plan, cycle, today)
    cycle.closed_at = cycle.closed_at or utcnow()
    await session.execute(delete(CycleReopening).where(col(CycleReopening.cycle_id) == cycle.id))
    await session.flush()
    result = await _read_one(session, plan, cycle, today)
    await record(session, actor, "cycle.close", "cycle", _entity_id(plan, cycle), before=_audit(before),
                 after=_audit(result))
    await _emit(session, "cycle.closed", plan, result)
    return result


async def reopen_cycle(session: AsyncSession, actor: Actor, plan_code: str, year: int, kind: CycleKind,
                       unit_code: str | None, today: date) -> CycleRead:
    """Reopen a closed cycle for one unit, or for everyone when no unit is named."""
    plan = await plan_by_code(session, plan_code)
    cycle = await cycle_by_key(session, plan, year, kind)
    before = await _read_one(session, plan, cycle, today)
    if unit_code is None:
        cycle.closed_at = None
        await session.execute(delete(CycleReopening).where(col(CycleReopening.cycle_id) == cycle.id))
    else:
        if cycle.closed_at is None:
            raise Conflict(t("The cycle is open for every unit; close it before reopening it for one unit."))
        unit = (await session.execute(select(Unit).where(
            col(Unit.code) == unit_code, col(Unit.committee_id) == plan.committee_id))).scalar_one_or_none()
        if unit is None:
            raise ValidationFailed.field("unit", t("no unit {code} in this plan's committee", code=unit_code))
        exists = (await session.execute(select(col(CycleReopening.id)).where(
            col(CycleReopening.cycle_id) == cycle.id, col(CycleReopening.unit_id) == unit.id))).first()
        if not exists:
            session.add(CycleReopening(cycle_id=cycle.id, unit_id=unit.id))  # type: ignore[arg-type]
    await session.flush()
    result = await _read_one(session, plan, cycle, today)
    await record(session, actor, "cycle.reopen", "cycle", _entity_id(plan, cycle), before=_audit(before),
                 after=_audit(result))
    await _emit(session, "cycle.reopened", plan, result)
    return result


async def write_window(session: AsyncSession, plan: Plan, year: int, kind: CycleKind, unit_id: int,
                       today: date) -> WriteWindow:
    """May this unit write into the plan's cycle now? Raises 409 when not; says whether it is late."""
    cycle = await _find(session, plan, year, kind)
    reopened = False
    if cycle is not None and cycle.closed_at is not None:
        reopened = (await session.execute(select(col(CycleReopening.id)).where(
            col(CycleReopening.cycle_id) == cycle.id, col(CycleReopening.unit_id) == unit_id))).first() is not None
    return check_window(cycle, reopened, year, kind, today)


# Built once (a write runs it every time): the cost of building a statement and its cache key is the query's.
_PLAN_WITH_CYCLE = (
    select(Plan, ReportingCycle, exists().where(col(CycleReopening.cycle_id) == col(ReportingCycle.id),
                                                col(CycleReopening.unit_id) == bindparam("unit_id")).label("reopened"))
    .outerjoin(ReportingCycle, (col(ReportingCycle.plan_id) == col(Plan.id))
               & (col(ReportingCycle.year) == bindparam("year")) & (col(ReportingCycle.kind) == bindparam("kind")))
    .where(col(Plan.code) == bindparam("code")))


async def plan_with_cycle(session: AsyncSession, plan_code: str, year: int, kind: CycleKind,
                          unit_id: int) -> tuple[Plan, ReportingCycle | None, bool]:
    """A write's plan (NotFound when there is none), its cycle of that year and kind (None when there is none) and
    whether that cycle is reopened for the unit: one query where :func:`plan_by_code` and :func:`write_window` take
    two or three. Check the window with :func:`check_window`."""
    row = (await session.execute(_PLAN_WITH_CYCLE, {"code": plan_code, "year": year, "kind": kind.value,
                                                    "unit_id": unit_id})).first()
    if row is None:
        raise NotFound(t("Plan {code} does not exist.", code=plan_code))
    return row[0], row[1], bool(row[2])


def check_window(cycle: ReportingCycle | None, reopened: bool, year: int, kind: CycleKind,
                 today: date) -> WriteWindow:
    """The rule of :func:`write_window` on a cycle already read (None: the plan has none of that year and kind)."""
    if cycle is None:
        raise Conflict(t("There is no {kind} reporting cycle for {year}; the committee office opens cycles.",
                         kind=kind_label(kind), year=year))
    if today < cycle.opens_on:
        raise Conflict(t("The {kind} cycle for {year} opens on {date}.", kind=kind_label(kind), year=year,
                         date=cycle.opens_on.isoformat()))
    if cycle.closed_at is not None and not reopened:
        raise Conflict(t("The {kind} cycle for {year} is closed; ask the committee office to reopen it for "
                         "your unit.", kind=kind_label(kind), year=year))
    return WriteWindow(cycle=cycle, late=today > cycle.due_on)


async def completeness(session: AsyncSession, actor: Actor, plan_code: str, year: int, kind: CycleKind,
                       today: date) -> Completeness:
    """Which units have submitted, are late, or have sent nothing, and which of the indicators each must report
    are still missing: the office's daily question."""
    [result] = await completeness_of_cycles(session, actor, [(plan_code, year, kind)], today)
    if isinstance(result, AppError):
        raise result
    return result


CycleKey = tuple[str, int, CycleKind]  # plan code, year, kind


async def completeness_of_cycles(session: AsyncSession, actor: Actor, keys: Sequence[CycleKey],
                                 today: date) -> list[Completeness | AppError]:
    """:func:`completeness` of many cycles, of any plans, in eight queries; a missing plan or cycle gets its
    error, the others still answer."""
    visibility.require_completeness(actor)
    plans = {plan.code: plan for plan in (await session.execute(
        select(Plan).where(col(Plan.code).in_({code for code, _, _ in keys})))).scalars()}
    cycles = {(c.plan_id, c.year, c.kind): c for c in (await session.execute(select(ReportingCycle).where(
        col(ReportingCycle.plan_id).in_([plan.id for plan in plans.values()])))).scalars()}
    found: dict[CycleKey, tuple[Plan, ReportingCycle] | AppError] = {}
    for code, year, kind in keys:
        plan = plans.get(code)
        cycle = cycles.get((plan.id, year, kind.value)) if plan is not None else None  # type: ignore[arg-type]
        if plan is None:
            found[(code, year, kind)] = NotFound(t("Plan {code} does not exist.", code=code))
        elif cycle is None:
            found[(code, year, kind)] = NotFound(t("Plan {plan} has no {kind} cycle for {year}.", plan=plan.code,
                                                   kind=kind_label(kind), year=year))
        else:
            found[(code, year, kind)] = (plan, cycle)
    asked = [pair for pair in found.values() if not isinstance(pair, AppError)]
    plan_ids = list({plan.id for plan, _ in asked})
    cycle_ids = [cycle.id for _, cycle in asked]
    assigned, expected = await _assigned_and_expected(session, plan_ids)  # type: ignore[arg-type]
    unit_ids = set().union(*assigned.values(), *(e.keys() for e in expected.values()))
    units = (await session.execute(select(Unit).where(col(Unit.id).in_(unit_ids))
                                   .order_by(col(Unit.code)))).scalars().all()
    submissions = {(s.cycle_id, s.unit_id): s for s in (await session.execute(select(Submission).where(
        col(Submission.cycle_id).in_(cycle_ids)))).scalars()}
    sent = sent_revisions(col(Submission.cycle_id).in_(cycle_ids))
    reported: dict[tuple[int, int], set[str]] = defaultdict(set)
    for cycle_id, unit_id, code in (await session.execute(
            select(col(Submission.cycle_id), sent.c.unit_id, col(Indicator.code))
            .join(Submission, col(Submission.id) == sent.c.submission_id)
            .join(Observation, col(Observation.revision_id) == sent.c.revision_id)
            .join(Indicator, col(Indicator.id) == col(Observation.indicator_id)).distinct())).all():
        reported[(cycle_id, unit_id)].add(code)
    reopened = await _reopened_units(session, cycle_ids)  # type: ignore[arg-type]
    results: list[Completeness | AppError] = []
    for key in keys:
        pair = found[key]
        if isinstance(pair, AppError):
            results.append(pair)
            continue
        plan, cycle = pair
        plan_expected = expected.get(plan.id, {})  # type: ignore[arg-type]
        plan_units = [u for u in units if u.id in assigned.get(plan.id, set()) or u.id in plan_expected]  # type: ignore[arg-type]
        results.append(_completeness(plan, cycle, today, plan_units, plan_expected,
                                     {unit_id: s for (cycle_id, unit_id), s in submissions.items()
                                      if cycle_id == cycle.id},
                                     {unit_id: codes for (cycle_id, unit_id), codes in reported.items()
                                      if cycle_id == cycle.id},
                                     reopened.get(cycle.id, [])))  # type: ignore[arg-type]
    return results


def _completeness(plan: Plan, cycle: ReportingCycle, today: date, units: Sequence[Unit],
                  expected: dict[int, set[str]], submissions: dict[int, Submission], reported: dict[int, set[str]],
                  reopened_for: list[str]) -> Completeness:
    rows: list[UnitCompleteness] = []
    for unit in units:
        sub = submissions.get(unit.id)  # type: ignore[arg-type]
        sent_it = sub is not None and sub.submitted_at is not None
        status = sub.status if sent_it and sub is not None else "not_submitted"
        wanted = sorted(expected.get(unit.id, set()))  # type: ignore[arg-type]
        got = reported.get(unit.id, set())  # type: ignore[arg-type]
        rows.append(UnitCompleteness(
            unit=unit.code, unit_name=unit.name, submission_id=sub.id if sub else None, status=status,
            late=bool(sub.late) if sent_it and sub else cycle_state(cycle, today) in ("overdue", "closed"),
            submitted_at=sub.submitted_at if sub else None, revision=sub.revision if sub else None,
            indicators_expected=wanted, indicators_reported=[c for c in wanted if c in got],
            indicators_missing=[c for c in wanted if c not in got]))
    summary: Counter[str] = Counter(row.status for row in rows)
    summary["late"] = sum(row.late for row in rows)
    summary["units"] = len(rows)
    summary["indicators_missing"] = sum(len(row.indicators_missing) for row in rows)
    return Completeness(cycle=_read(plan, cycle, today, reopened_for), summary=dict(summary), units=rows)


async def _assigned_and_expected(session: AsyncSession, plan_ids: list[int]
                                 ) -> tuple[dict[int, set[int]], dict[int, dict[int, set[str]]]]:
    """Per plan: the units with an assignment in it, and per unit the codes of the plan's indicators it is
    responsible for reporting (two queries for any number of plans)."""
    assigned: dict[int, set[int]] = defaultdict(set)
    leads: dict[tuple[int, int | None, int | None], int] = {}
    for assignment in (await session.execute(select(Assignment).where(
            col(Assignment.plan_id).in_(plan_ids)))).scalars():
        assigned[assignment.plan_id].add(assignment.unit_id)
        if assignment.role == AssignmentRole.lead.value:
            leads[(assignment.plan_id, assignment.goal_id, assignment.measure_id)] = assignment.unit_id
    expected: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for plan_id, goal_id, measure_id, code, source in (await session.execute(
            select(col(Target.plan_id), col(Target.goal_id), col(Target.measure_id), col(Indicator.code),
                   col(Indicator.data_source_unit_id))
            .join(Indicator, col(Indicator.id) == col(Target.indicator_id))
            .where(col(Target.plan_id).in_(plan_ids)))).all():
        unit_id = responsible_unit(source, leads.get((plan_id, goal_id, measure_id)))
        if unit_id is not None:
            expected[plan_id][unit_id].add(code)
    return assigned, expected


async def cycle_by_key(session: AsyncSession, plan: Plan, year: int, kind: CycleKind) -> ReportingCycle:
    cycle = await _find(session, plan, year, kind)
    if cycle is None:
        raise NotFound(t("Plan {plan} has no {kind} cycle for {year}.", plan=plan.code, kind=kind_label(kind),
                          year=year))
    return cycle


async def _find(session: AsyncSession, plan: Plan, year: int, kind: CycleKind) -> ReportingCycle | None:
    return (await session.execute(select(ReportingCycle).where(
        col(ReportingCycle.plan_id) == plan.id, col(ReportingCycle.year) == year,
        col(ReportingCycle.kind) == kind.value))).scalar_one_or_none()


async def _reopened_units(session: AsyncSession, cycle_ids: list[int]) -> dict[int, list[str]]:
    rows = await session.execute(
        select(col(CycleReopening.cycle_id), col(Unit.code)).join(Unit, col(Unit.id) == col(CycleReopening.unit_id))
        .where(col(CycleReopening.cycle_id).in_(cycle_ids)).order_by(col(Unit.code)))
    grouped: dict[int, list[str]] = {}
    for cycle_id, code in rows.all():
        grouped.setdefault(cycle_id, []).append(code)
    return grouped


async def _read_one(session: AsyncSession, plan: Plan, cycle: ReportingCycle, today: date) -> CycleRead:
    reopened = await _reopened_units(session, [cycle.id])  # type: ignore[list-item]
    return _read(plan, cycle, today, reopened.get(cycle.id, []))  # type: ignore[arg-type]


def _read(plan: Plan, cycle: ReportingCycle, today: date, reopened_for: list[str]) -> CycleRead:
    return CycleRead(plan_code=plan.code, year=cycle.year, kind=cycle.kind, opens_on=cycle.opens_on,
                     due_on=cycle.due_on, state=cycle_state(cycle, today), closed_at=cycle.closed_at,
                     reopened_for=reopened_for)


async def _emit(session: AsyncSession, event_type: str, plan: Plan, cycle: CycleRead) -> None:
    await emit(session, event_type, f"cycle:{plan.code}/{cycle.year}/{cycle.kind.value}",
               cycle.model_dump(mode="json"), plan_id=plan.id, year=cycle.year)


async def announce_due_cycles(session: AsyncSession, today: date) -> int:
    """A ``cycle.due`` event for every cycle whose due date has passed, once (the worker's daily job). Rows are
    claimed with SKIP LOCKED on PostgreSQL, so several workers never announce a cycle twice."""
    stmt = (select(ReportingCycle, Plan).join(Plan, col(Plan.id) == col(ReportingCycle.plan_id))
            .where(col(ReportingCycle.due_on) < today, col(ReportingCycle.due_announced_at).is_(None))
            .order_by(col(ReportingCycle.id)).with_for_update(skip_locked=True, of=ReportingCycle))
    announced = 0
    for cycle, plan in (await session.execute(stmt)).all():
        cycle.due_announced_at = utcnow()
        await _emit(session, "cycle.due", plan, _read(plan, cycle, today, []))
        announced += 1
    await session.flush()
    return announced


def _entity_id(plan: Plan, cycle: ReportingCycle) -> str:
    return f"{plan.code}/{cycle.year}/{cycle.kind}"


def _audit(cycle: CycleRead) -> dict[str, Any]:
    return cycle.model_dump(mode="json", include={"opens_on", "due_on", "closed_at", "reopened_for"})


