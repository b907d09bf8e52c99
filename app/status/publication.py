"""Keeping the stored verdicts current: writers say what changed, one hook before commit recomputes.

A writer calls :func:`touch_plan`, :func:`touch_parents` or :func:`touch_indicators` with what its change can
affect (a plan, some goals and measures, indicators; some years). The first touch registers :func:`publish` as the
session's before-commit hook (app/db.py), which, once per transaction:

1. resolves indicators to the goals and measures of every plan with a target on them,
2. takes a lock per plan (PostgreSQL; SQLite has one writer at a time), in plan order, so that two transactions
   publishing the same plan do not overwrite each other's newer verdicts, while other plans' writers go on,
3. reads the facts of only the touched goals and measures (app/status/facts.py), digests them per goal or
   measure and year (``evaluation.parent_inputs``) and evaluates, for the touched years, those whose digest is
   not the one their verdicts were stored with (app/status/evaluation.py); compares with the stored verdicts as
   plain values and writes only the differences, each with ``version + 1``,
4. writes one ``verdict.changed`` outbox event per change of status or flags.

A target or goal never stored counts as ``no_data`` without flags, so a new plan nobody reports on makes no noise.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.core.clock import today as local_today
from app.db import before_commit, core_execute, insert_rows, update_rows
from app.models import Plan, StatusRefresh, Target, Verdict
from app.models.base import utcnow
from app.outbox.service import emit_many, event_row
from app.status.evaluation import evaluate, parent_inputs, target_positions, targets_by_parent
from app.status.facts import PlanFacts, TaskKey, already_counted, load_facts, task_key
from app.status.rules import METHODOLOGY_VERSION, Status
from app.status.schemas import GoalStatus, RefreshReport, TargetStatus

PENDING = "verdicts.pending"
LOCK_NAMESPACE = 0x76657264  # "verd": pg_advisory_xact_lock(namespace, plan id)
ALL_YEARS = None


@dataclass
class Touched:
    """What a transaction changed in one plan (``parents`` None: everything)."""

    parents: set[TaskKey] | None = field(default_factory=set)
    years: set[int] | None = field(default_factory=set)  # None: all the plan's years
    causes: list[str] = field(default_factory=list)
    # When every change is the first acceptance of a revision of values: those revisions (None: some other change).
    # If their values are all already counted (facts.already_counted), no verdict can change.
    acceptances: set[int] | None = field(default_factory=set)

    def add(self, parents: Iterable[TaskKey] | None, years: Iterable[int] | None, cause: str,
            acceptances: Iterable[int] | None = None) -> None:
        if parents is None or self.parents is None:
            self.parents = None
        else:
            self.parents.update(parents)
        if years is None or self.years is None:
            self.years = None
        else:
            self.years.update(years)
        if acceptances is None or self.acceptances is None:
            self.acceptances = None
        else:
            self.acceptances.update(acceptances)
        if cause not in self.causes:
            self.causes.append(cause)


@dataclass
class Pending:
    plans: dict[int, Touched] = field(default_factory=lambda: defaultdict(Touched))
    indicators: dict[int, Touched] = field(default_factory=lambda: defaultdict(Touched))


def _pending(session: AsyncSession) -> Pending:
    pending = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = Pending()
        before_commit(session, PENDING, publish)
    return pending


def from_year(year: int) -> range:
    """The years a value for ``year`` can change: that one and every later one."""
    return range(year, 2101)


def touch_plan(session: AsyncSession, plan_id: int, cause: str, years: Iterable[int] | None = ALL_YEARS) -> None:
    """Every target and goal of the plan may have changed in ``years`` (default: all)."""
    _pending(session).plans[plan_id].add(None, years, cause)


def touch_parents(session: AsyncSession, plan_id: int, parents: Iterable[TaskKey], cause: str,
                  years: Iterable[int] | None = ALL_YEARS) -> None:
    """These goals and measures (("goal", id) / ("measure", id)) and their targets may have changed."""
    _pending(session).plans[plan_id].add(list(parents), years, cause)


def touch_indicators(session: AsyncSession, indicator_ids: Iterable[int], cause: str,
                     years: Iterable[int] | None = ALL_YEARS, *, acceptance: int | None = None) -> None:
    """Every target on these indicators, in any plan, and its goal may have changed. ``acceptance``: the change is
    only that this revision, of values and nothing else, counts now (its submission's first acceptance)."""
    pending = _pending(session)
    for indicator_id in indicator_ids:
        pending.indicators[indicator_id].add([], years, cause, None if acceptance is None else [acceptance])


async def publish(session: AsyncSession) -> None:
    """Recompute what the transaction touched and store the changes (the before-commit hook)."""
    pending: Pending | None = session.info.pop(PENDING, None)
    if pending is None:
        return
    plans = pending.plans
    if pending.indicators:
        for plan_id, goal_id, measure_id, indicator_id in (await session.execute(
                select(col(Target.plan_id), col(Target.goal_id), col(Target.measure_id), col(Target.indicator_id))
                .where(col(Target.indicator_id).in_(pending.indicators)))).all():
            touched = pending.indicators[indicator_id]
            plans[plan_id].add([task_key(goal_id, measure_id)], touched.years, ", ".join(touched.causes),
                               touched.acceptances)
    day = local_today()
    for plan_id in sorted(plans):
        await _publish_plan(session, plan_id, plans[plan_id], day)


async def _lock_plan(session: AsyncSession, plan_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:namespace, :plan)"),
                              {"namespace": LOCK_NAMESPACE, "plan": plan_id})


def stored_years(plan: Plan, day: date) -> range:
    """The years whose verdicts are stored: the plan's years up to the current one. A later year has no data of
    its own, only projections, and is evaluated when asked (app/status/service.py): so a value accepted for
    2025 in a 2021–2030 plan recomputes 2025 and 2026, not six years nobody has reached."""
    return range(plan.start_year, min(plan.end_year, day.year) + 1)


@dataclass(frozen=True)
class Stored:
    """What is stored of a plan's verdicts: every year through `through`, at `version`."""

    through: int  # the year of the plan's last whole computation
    version: str  # changes whenever any of its stored verdicts does ("" before the first change counted)


async def stored_state(session: AsyncSession, plan_ids: Collection[int]) -> dict[int, Stored]:
    """Per plan, the last year whose verdicts are all stored and their version (absent: none stored yet, e.g.
    right after a migration, or a new year before the worker's daily catch-up)."""
    if not plan_ids:
        return {}
    rows = await session.execute(select(col(StatusRefresh.plan_id), col(StatusRefresh.refreshed_on),
                                        col(StatusRefresh.version)).where(col(StatusRefresh.plan_id).in_(plan_ids)))
    return {plan_id: Stored(day.year, version or "") for plan_id, day, version in rows.all()}


async def stored_through(session: AsyncSession, plan_ids: Collection[int]) -> dict[int, int]:
    """Per plan, the last year whose verdicts are all stored (see :func:`stored_state`)."""
    return {plan_id: stored.through for plan_id, stored in (await stored_state(session, plan_ids)).items()}


async def _publish_plan(session: AsyncSession, plan_id: int, touched: Touched, day: date) -> int:
    plan = await session.get(Plan, plan_id)
    if plan is None:
        return 0
    plan_years = stored_years(plan, day)
    years = sorted(set(plan_years) if touched.years is None else set(plan_years) & touched.years)
    parents = touched.parents
    whole = parents is None and len(years) == len(plan_years)
    if parents is not None and not parents or not years and not whole:
        return 0  # nothing stored to change (e.g. values of a year not reached yet): no lock either
    await _lock_plan(session, plan_id)  # before reading the facts: they are then at least as new as the last publish
    if touched.acceptances and await already_counted(session, plan, touched.acceptances):
        return 0  # units echoing figures already accepted: decided in one query, not by reading the plan's facts
    facts = await load_facts(session, plan, parents=parents, years=years, today=day)
    inputs = {year: parent_inputs(facts, year, day, parents) for year in years}
    subjects = _subjects(facts, parents)
    stored_query = select(col(Verdict.id), col(Verdict.year), col(Verdict.subject_type), col(Verdict.subject_code),
                          col(Verdict.position), col(Verdict.domain_code), col(Verdict.lead_unit),
                          col(Verdict.applies), col(Verdict.status), col(Verdict.flags), col(Verdict.payload),
                          col(Verdict.methodology), col(Verdict.version), col(Verdict.inputs)
                          ).where(col(Verdict.plan_id) == plan_id)
    if parents is None:
        if not whole:  # a whole computation also deletes what it no longer stores (later years, removed items)
            stored_query = stored_query.where(col(Verdict.year).in_(years))
    else:
        stored_query = stored_query.where(col(Verdict.year).in_(years), col(Verdict.subject_code).in_(
            {code for codes in subjects.values() for _, code in codes}))
    stored = {(r.year, r.subject_type, r.subject_code): r for r in (await core_execute(session, stored_query)).all()}
    judged = _to_judge(years, inputs, subjects, stored, whole)
    rows = _verdict_rows(facts, judged, day, inputs, subjects)

    now = utcnow()
    cause = ", ".join(touched.causes)[:100]
    inserts, updates, digests, events = [], [], [], []
    for row, explanation in rows:
        key = (row["year"], row["subject_type"], row["subject_code"])
        before = stored.pop(key, None)
        if before is not None and all(getattr(before, name) == row[name] for name in COMPARED):
            if before.inputs != row["inputs"]:  # the same verdict from other inputs: not a change
                digests.append({"id": before.id, "inputs": row["inputs"]})
            continue
        if before is None:
            inserts.append({**row, "plan_id": plan_id, "version": 1, "computed_on": day, "updated_at": now})
        else:
            updates.append({**row, "id": before.id, "version": before.version + 1, "computed_on": day,
                            "updated_at": now})
        from_status, from_flags = (before.status, before.flags) if before else (Status.no_data.value, "")
        if (from_status, from_flags) != (row["status"], row["flags"]):
            events.append(_event(plan, row, explanation, before, cause))
    await insert_rows(session, Verdict, inserts)
    await update_rows(session, Verdict, updates)
    await update_rows(session, Verdict, digests)
    deleted = [r.id for r in stored.values()] if parents is None else []
    if deleted:  # targets and goals no longer in the plan, or years not stored
        await session.execute(delete(Verdict).where(col(Verdict.id).in_(deleted)))
    await emit_many(session, events)
    if whole:
        await _mark_computed(session, plan_id, day)
    elif inserts or updates or deleted:
        await session.execute(update(StatusRefresh).where(col(StatusRefresh.plan_id) == plan_id)
                              .values(version=new_version()))
    return len(events)


def new_version() -> str:
    """A version token for a plan's stored verdicts. Random, not a counter: a database restored from a backup, or
    another database served by the same process, never reuses a token for other verdicts."""
    return uuid.uuid4().hex


COMPARED = ("position", "domain_code", "lead_unit", "applies", "status", "flags", "payload", "methodology")


def _to_judge(years: list[int], inputs: dict[int, dict[TaskKey, str]], subjects: dict[TaskKey, list[tuple[str, str]]],
              stored: dict[tuple[int, str, str], Any], whole: bool) -> dict[int, Collection[TaskKey] | None]:
    """Per year, the goals and measures to judge (None: all). A whole computation judges everything (the daily
    catch-up so also repairs what an increment could have missed); an increment leaves be those whose stored
    verdicts were computed from the same inputs by today's rules, and takes their rows out of ``stored``: they are
    neither changes nor leftovers."""
    judged: dict[int, Collection[TaskKey] | None] = {}
    for year in years:
        if whole:
            judged[year] = None
            continue
        changed = []
        for parent, digest in inputs[year].items():
            keys = [(year, subject_type, code) for subject_type, code in subjects[parent]]
            if all((row := stored.get(key)) is not None and row.inputs == digest
                   and row.methodology == METHODOLOGY_VERSION for key in keys):
                for key in keys:
                    del stored[key]
            else:
                changed.append(parent)
        judged[year] = changed
    return judged


def _subjects(facts: PlanFacts, parents: Collection[TaskKey] | None) -> dict[TaskKey, list[tuple[str, str]]]:
    """The verdicts of each goal and measure (with ``parents`` only those): its targets', and a goal's own."""
    subjects: dict[TaskKey, list[tuple[str, str]]] = {("goal", goal.id): [("goal", goal.code)] for goal in facts.goals}
    for key, targets in targets_by_parent(facts).items():
        subjects.setdefault(key, []).extend(("target", target.code) for target in targets)
    return subjects if parents is None else {key: subjects[key] for key in parents if key in subjects}


def _verdict_rows(facts: PlanFacts, judged: dict[int, Collection[TaskKey] | None], day: date,
                  inputs: dict[int, dict[TaskKey, str]], subjects: dict[TaskKey, list[tuple[str, str]]]
                  ) -> list[tuple[dict[str, Any], str]]:
    """The verdict rows of the goals and measures judged per year (None: all), each with its explanation (for the
    event) and the digest of its inputs."""
    positions = target_positions(facts)
    codes = {t.code: positions[t.id] for t in facts.targets}
    goal_positions = {g.code: i for i, g in enumerate(facts.goals)}
    parent_of = {subject: key for key, listed in subjects.items() for subject in listed}
    rows = []
    for year, parents in judged.items():
        if parents is not None and not parents:
            continue
        evaluated = evaluate(facts, year, day, parents=parents)
        items: list[tuple[str, TargetStatus | GoalStatus, int]] = [
            ("target", t, codes[t.code]) for t in evaluated.targets]
        items += [("goal", g, goal_positions[g.code]) for g in evaluated.goals]
        for subject_type, item, position in items:
            rows.append(({"year": year, "subject_type": subject_type, "subject_code": item.code,
                         "position": position, "domain_code": item.domain_code, "lead_unit": item.lead_unit,
                         "applies": getattr(item, "applies", True), "status": item.status.value,
                         "flags": ",".join(sorted(f.value for f in item.flags)),
                         "payload": item.model_dump_json(), "methodology": METHODOLOGY_VERSION,
                         "inputs": inputs[year][parent_of[(subject_type, item.code)]]}, item.explanation))
    return rows


def _event(plan: Plan, row: dict[str, Any], explanation: str, before: Any, cause: str) -> dict[str, Any]:
    def flags(value: str) -> list[str]:
        return [f for f in value.split(",") if f]

    return event_row("verdict.changed", f"{row['subject_type']}:{row['subject_code']}", {
        "plan_code": plan.code, "year": row["year"], "subject_type": row["subject_type"],
        "subject_code": row["subject_code"], "from_status": before.status if before else None,
        "to_status": row["status"], "from_flags": flags(before.flags) if before else None,
        "to_flags": flags(row["flags"]), "explanation": explanation, "cause": cause},
        plan_id=plan.id, year=row["year"])


async def _mark_computed(session: AsyncSession, plan_id: int, day: date) -> None:
    marker = await session.get(StatusRefresh, plan_id)
    if marker is None:
        session.add(StatusRefresh(plan_id=plan_id, refreshed_on=day, refreshed_at=utcnow(), version=new_version()))
    else:  # a new version even when no verdict changed: the documents carry the day computed ("as_of")
        marker.refreshed_on, marker.refreshed_at, marker.version = day, utcnow(), new_version()
    await session.flush()


# --- the daily catch-up (the worker's job) ----------------------------

def _outdated() -> Any:
    """Plans with a verdict computed by other rules than today's (a new METHODOLOGY_VERSION)."""
    return select(col(Verdict.plan_id)).where(col(Verdict.methodology) != METHODOLOGY_VERSION).distinct()


async def stale_plans(session: AsyncSession, day: date, *, everything: bool = False) -> list[int]:
    """The plans whose verdicts were not all computed on ``day`` or with today's rules (or, ``everything``, all
    plans)."""
    plans = select(col(Plan.id)).order_by(col(Plan.id))
    if not everything:
        plans = plans.where(col(Plan.id).not_in(
            select(col(StatusRefresh.plan_id)).where(col(StatusRefresh.refreshed_on) >= day))
            | col(Plan.id).in_(_outdated()))
    return [plan_id for plan_id in (await session.execute(plans)).scalars() if plan_id is not None]


async def outdated_methodology(session: AsyncSession, plan_id: int) -> bool:
    """Whether some verdict of the plan was computed with other rules than today's."""
    return (await session.execute(_outdated().where(col(Verdict.plan_id) == plan_id).limit(1))).first() is not None


async def publish_whole_plan(session: AsyncSession, plan_id: int, day: date, cause: str, *,
                             only_stale: bool = True) -> tuple[int, int] | None:
    """Recompute every verdict of one plan in the session's transaction: (years, changes), or None when another
    worker holds the plan or (``only_stale``) it was already done on ``day``. Due dates passing raise ``overdue``."""
    if not await _try_lock_plan(session, plan_id):
        return None
    outdated = await outdated_methodology(session, plan_id)
    if only_stale and not outdated:
        marker = await session.get(StatusRefresh, plan_id, populate_existing=True)
        if marker is not None and marker.refreshed_on >= day:
            return None
    plan = await session.get(Plan, plan_id)
    if plan is None:
        return None
    touched = Touched()
    touched.add(None, None, f"status rules {METHODOLOGY_VERSION}" if outdated else cause)
    return plan.end_year - plan.start_year + 1, await _publish_plan(session, plan_id, touched, day)


async def catch_up(sessionmaker: async_sessionmaker[AsyncSession], day: date, *, everything: bool = False,
                   cause: str = "daily refresh") -> RefreshReport:
    """The daily catch-up: every stale plan (or every plan) recomputed, one transaction per plan, so writers of
    other plans never wait for it. Several workers may run it at once: each plan is done by one of them."""
    async with sessionmaker() as session:
        plan_ids = await stale_plans(session, day, everything=everything)
    plans = years = changes = 0
    for plan_id in plan_ids:
        async with sessionmaker() as session:
            done = await publish_whole_plan(session, plan_id, day, cause, only_stale=not everything)
            await session.commit()
        if done is not None:
            plans, years, changes = plans + 1, years + done[0], changes + done[1]
    return RefreshReport(plans=plans, years=years, changes=changes)


async def _try_lock_plan(session: AsyncSession, plan_id: int) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool((await session.execute(text("SELECT pg_try_advisory_xact_lock(:namespace, :plan)"),
                                       {"namespace": LOCK_NAMESPACE, "plan": plan_id})).scalar_one())


