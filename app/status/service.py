"""The rules service's reads: the verdicts on a plan's targets and goals for a year, and the change feed.

Verdicts on accepted data are stored (app/status/publication.py keeps them current) and read back here in a fixed
number of queries; the views that are previews — with provisional data, or judged per breakdown group — are
evaluated on the fly from the facts (app/status/facts.py, app/status/evaluation.py). Reads never write.
REST and GraphQL both call these functions.
"""

import hashlib
import json
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import visibility
from app.auth.actor import Actor
from app.auth.service import actor_from, check_role, token_lookup
from app.auth.tokens import hash_token
from app.core.i18n import t
from app.errors import AppError, NotFound, ValidationFailed
from app.models import Domain, Plan, StatusRefresh, Unit, Verdict
from app.models.enums import Role
from app.outbox import service as outbox
from app.plans.service import plan_by_code
from app.status import publication
from app.status.evaluation import evaluate
from app.status.facts import load_facts
from app.status.rules import Flag, Status
from app.status.schemas import (
    DomainStatus,
    GoalStatus,
    GoalStatusDetail,
    PlanStatus,
    RefreshReport,
    StatusChangePage,
    StatusChangeRead,
    StatusCounts,
    StatusSummary,
    TargetStatus,
)

MAX_FEED_LIMIT = 1000

V = TypeVar("V")


@dataclass(frozen=True)
class StatusFilter:
    """`domain` and `unit` (the goals and measures it leads) scope the whole answer, summary included;
    `status` and `flag` only select the items listed."""

    domain: str | None = None
    unit: str | None = None
    status: Status | None = None
    flag: Flag | None = None


@dataclass(frozen=True)
class PlanEvaluation:
    """The verdicts on one plan for one year: what :func:`summarise` and the GraphQL fields shape."""

    plan_code: str
    year: int
    as_of: date
    include_provisional: bool
    domains: list[tuple[str, str]]  # code, title, in plan order
    targets: list[TargetStatus]  # plan order
    goals: list[GoalStatus]
    committee_units: set[str] = field(default_factory=set)


def plan_year(plan: "Plan | StoredPlan", year: int | None, today: date) -> int:
    """The year asked, checked against the plan's years (default: this year, kept within them)."""
    if year is None:
        return min(max(today.year, plan.start_year), plan.end_year)
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationFailed.field("year", t("must be within the plan's years {start}–{end}",
                                               start=plan.start_year, end=plan.end_year))
    return year


async def evaluate_plan(session: AsyncSession, actor: Actor, plan_code: str, year: int | None, today: date, *,
                        include_provisional: bool = False, breakdown: str | None = None) -> PlanEvaluation:
    """Every verdict on a plan in ``year``: the stored ones, or with provisional data or a breakdown, evaluated."""
    plan = await plan_by_code(session, plan_code)
    if include_provisional:
        visibility.require_provisional(actor)
    year = plan_year(plan, year, today)
    if include_provisional or breakdown is not None:
        return await _evaluated(session, plan, year, today, include_provisional=include_provisional,
                                breakdown=breakdown)
    return (await stored_verdicts(session, [plan], [year], today))[(plan.id, year)]  # type: ignore[index]


async def _evaluated(session: AsyncSession, plan: Plan, year: int, today: date, *, include_provisional: bool = False,
                     breakdown: str | None = None) -> PlanEvaluation:
    """The verdicts evaluated now rather than read: previews, and the years not stored (see
    :func:`app.status.publication.stored_years`)."""
    facts = await load_facts(session, plan, include_provisional=include_provisional, today=today,
                             breakdowns=breakdown is not None)
    evaluated = evaluate(facts, year, today, breakdown)
    return PlanEvaluation(plan.code, year, today, include_provisional, [(d.code, d.title) for d in facts.domains],
                          evaluated.targets, evaluated.goals, facts.committee_units)


async def evaluate_plans(session: AsyncSession, actor: Actor, keys: Sequence[tuple[str, int | None, bool, str | None]],
                         today: date) -> list[PlanEvaluation | AppError]:
    """:func:`evaluate_plan` for many (plan code, year, include provisional, breakdown) keys: the stored verdicts of
    all of them in four queries; the previews (provisional, breakdown) one by one. A failing key gets its error."""
    stored = [key for key in keys if not key[2] and key[3] is None]
    plans = {plan.code: plan for plan in (await session.execute(
        select(Plan).where(col(Plan.code).in_({key[0] for key in stored})))).scalars()} if stored else {}
    pairs: dict[tuple[str, int | None], Plan | AppError] = {}
    for code, year, *_ in stored:
        plan = plans.get(code)
        try:
            if plan is None:
                raise NotFound(t("Plan {code} does not exist.", code=code))
            pairs[(code, year)] = plan
            plan_year(plan, year, today)
        except AppError as exc:
            pairs[(code, year)] = exc
    good = [(plan, plan_year(plan, year, today)) for (code, year), plan in pairs.items() if isinstance(plan, Plan)]
    verdicts = await stored_verdicts(session, [p for p, _ in good], [y for _, y in good], today) if good else {}
    results: list[PlanEvaluation | AppError] = []
    for code, year, provisional, breakdown in keys:
        if not provisional and breakdown is None:
            plan_or_error = pairs[(code, year)]
            results.append(plan_or_error if isinstance(plan_or_error, AppError) else verdicts[
                (plan_or_error.id, plan_year(plan_or_error, year, today))])  # type: ignore[index]
            continue
        try:
            results.append(await evaluate_plan(session, actor, code, year, today, include_provisional=provisional,
                                               breakdown=breakdown))
        except AppError as exc:
            results.append(exc)
    return results


async def stored_verdicts(session: AsyncSession, plans: Sequence[Plan], years: Sequence[int],
                          today: date) -> dict[tuple[int, int], PlanEvaluation]:
    """The verdicts of every (plan, year) pair given (plans[i] with years[i]): the stored ones in four queries,
    a year not stored evaluated (see :func:`app.status.publication.stored_years`).
    ``as_of`` is the day the oldest of them was computed."""
    plan_ids = {plan.id for plan in plans}
    state = await publication.stored_state(session, plan_ids)  # type: ignore[arg-type]
    pairs = {(p.id, y) for p, y in zip(plans, years, strict=True)
             if p.id in state and y <= state[p.id].through}
    # Parsed once per version (a dashboard reads them on every load; parsing is most of the read): a changed
    # verdict changes the plan's version, so a kept entry is never stale. "" (no change counted yet) is not kept.
    keys = {pair: (*pair, state[pair[0]].version) for pair in pairs if state[pair[0]].version}
    parsed = {pair: kept for pair, key in keys.items() if (kept := _parsed.get(key)) is not None}
    wanted = pairs - parsed.keys()
    rows: dict[tuple[int, int], list[tuple[str, str, date]]] = defaultdict(list)
    if wanted:
        for plan_id, year, subject_type, payload, computed_on in (await session.execute(
                select(col(Verdict.plan_id), col(Verdict.year), col(Verdict.subject_type), col(Verdict.payload),
                       col(Verdict.computed_on))
                .where(col(Verdict.plan_id).in_({plan_id for plan_id, _ in wanted}),
                       col(Verdict.year).in_({year for _, year in wanted}))
                .order_by(col(Verdict.plan_id), col(Verdict.year), col(Verdict.subject_type).desc(),
                          col(Verdict.position)))).all():
            if (plan_id, year) in wanted:
                rows[(plan_id, year)].append((subject_type, payload, computed_on))
    for pair in wanted:
        items = rows.get(pair, [])
        parsed[pair] = ParsedVerdicts(
            min((day for *_, day in items), default=None),
            tuple(TargetStatus.model_validate_json(p) for kind, p, _ in items if kind == "target"),
            tuple(GoalStatus.model_validate_json(p) for kind, p, _ in items if kind == "goal"))
        if pair in keys:
            _parsed.put(keys[pair], parsed[pair])
    domains: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for plan_id, code, title in (await session.execute(
            select(col(Domain.plan_id), col(Domain.code), col(Domain.title)).where(col(Domain.plan_id).in_(plan_ids))
            .order_by(col(Domain.plan_id), col(Domain.part).desc(), col(Domain.seq)))).all():
        domains[plan_id].append((code, title))
    committees = {plan.committee_id for plan in plans}
    units: dict[int, set[str]] = defaultdict(set)
    for committee_id, code in (await session.execute(
            select(col(Unit.committee_id), col(Unit.code)).where(col(Unit.committee_id).in_(committees)))).all():
        units[committee_id].add(code)
    result = {}
    for plan, year in zip(plans, years, strict=True):
        if (plan.id, year) not in pairs:
            result[(plan.id, year)] = await _evaluated(session, plan, year, today)
            continue
        verdicts = parsed[(plan.id, year)]  # type: ignore[index]
        result[(plan.id, year)] = PlanEvaluation(
            plan.code, year, verdicts.as_of or today, False, domains[plan.id],  # type: ignore[index]
            list(verdicts.targets), list(verdicts.goals), units[plan.committee_id])
    return result  # type: ignore[return-value]


@dataclass(frozen=True)
class ParsedVerdicts:
    """A plan's stored verdicts of a year as read: shared by the requests that read the same version, never
    changed (each :class:`PlanEvaluation` gets lists of its own)."""

    as_of: date | None  # the day the oldest was computed (None: no verdicts)
    targets: tuple[TargetStatus, ...]
    goals: tuple[GoalStatus, ...]


@dataclass(frozen=True)
class StatusDocument:
    """A plan's status for a year as JSON, assembled from the stored payloads, and its ETag."""

    body: bytes
    etag: str
    plan_code: str
    year: int


@dataclass(frozen=True)
class StoredPlan:
    """What a read of stored verdicts needs of a plan, read with the caller's token by :func:`plan_access`."""

    id: int
    code: str
    committee_id: int
    start_year: int
    end_year: int
    horizon: int | None  # the last year whose verdicts are all stored (publication.stored_through)
    version: str  # of its stored verdicts (status_refresh.version; "" before the first change counted)


@dataclass(frozen=True)
class PlanAccess:
    actor: Actor
    plan: StoredPlan


# Built once: composing the statement costs more than the cached compilation does on each read.
_PLAN_ACCESS = (token_lookup().add_columns(
    col(Plan.id).label("plan_id"), col(Plan.code).label("plan_code"), col(Plan.committee_id).label("committee_id"),
    col(Plan.start_year).label("start_year"), col(Plan.end_year).label("end_year"),
    col(StatusRefresh.refreshed_on).label("refreshed_on"), col(StatusRefresh.version).label("version"))
    .outerjoin(Plan, col(Plan.code) == bindparam("plan_code"))
    .outerjoin(StatusRefresh, col(StatusRefresh.plan_id) == col(Plan.id)))


async def plan_access(session: AsyncSession, token: str, plan_code: str, roles: Collection[Role]) -> PlanAccess:
    """The caller of a presented token, checked as :func:`app.auth.service.authenticate` and
    :func:`app.auth.service.check_role` check it, and the plan with the horizon and version of its stored verdicts:
    one statement, which is all a repeated status read runs."""
    row = (await session.execute(_PLAN_ACCESS, {"token_hash": hash_token(token), "plan_code": plan_code})).first()
    actor = check_role(actor_from(row), roles)
    assert row is not None
    if row.plan_id is None:
        raise NotFound(t("Plan {code} does not exist.", code=plan_code))
    return PlanAccess(actor, StoredPlan(row.plan_id, row.plan_code, row.committee_id, row.start_year, row.end_year,
                                        row.refreshed_on.year if row.refreshed_on is not None else None,
                                        row.version or ""))


async def stored_status_document(session: AsyncSession, plan: StoredPlan, year: int | None, today: date,
                                 filters: StatusFilter = StatusFilter()) -> StatusDocument:
    """The same document as ``summarise(evaluate_plan(...))`` on the stored verdicts, without building an object
    per item: counts and filters work on the verdicts' columns, the items are their stored JSON as they are.
    The ETag comes from the verdicts' versions (any change of a verdict raises its version)."""
    year = plan_year(plan, year, today)
    if plan.horizon is None or year > plan.horizon:  # not stored: evaluated, and tagged by its content
        whole = await session.get(Plan, plan.id)
        if whole is None:  # deleted since plan_access read it
            raise NotFound(t("Plan {code} does not exist.", code=plan.code))
        body = summarise(await _evaluated(session, whole, year, today), filters).model_dump_json().encode()
        return StatusDocument(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', plan.code, year)
    # The document is a function of the stored verdicts (and the plan's domains, which only an import changes, and
    # an import republishes): while their version is the same, the document assembled for it is served again. A
    # unit filter also depends on the committee's units, so it is not kept.
    key = (plan.id, year, plan.version, filters) if plan.version and filters.unit is None else None
    if key is not None and (kept := _documents.get(key)) is not None:
        return kept
    document = await _assemble_document(session, plan, year, today, filters)
    if key is not None:
        _documents.put(key, document)
    return document


class Recent(Generic[V]):
    """What was last built from a plan's stored verdicts, least recently used dropped first (bounded memory per
    process). Keys hold the verdicts' version, so an entry is never stale: a changed verdict makes a new key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


_documents: Recent[StatusDocument] = Recent(size=128)
_parsed: Recent[ParsedVerdicts] = Recent(size=128)


async def _assemble_document(session: AsyncSession, plan: StoredPlan, year: int, today: date,
                             filters: StatusFilter) -> StatusDocument:
    rows = (await session.execute(
        select(col(Verdict.id), col(Verdict.subject_type), col(Verdict.domain_code), col(Verdict.lead_unit),
               col(Verdict.applies), col(Verdict.status), col(Verdict.flags), col(Verdict.payload),
               col(Verdict.version), col(Verdict.computed_on))
        .where(col(Verdict.plan_id) == plan.id, col(Verdict.year) == year)
        .order_by(col(Verdict.subject_type).desc(), col(Verdict.position)))).all()
    domains = (await session.execute(select(col(Domain.code), col(Domain.title)).where(col(Domain.plan_id) == plan.id)
                                     .order_by(col(Domain.part).desc(), col(Domain.seq)))).all()
    if filters.domain is not None and filters.domain not in {code for code, _ in domains}:
        raise ValidationFailed.field("domain", t("no domain {code} in plan {plan}", code=filters.domain,
                                                 plan=plan.code))
    if filters.unit is not None and (await session.execute(select(col(Unit.id)).where(
            col(Unit.committee_id) == plan.committee_id, col(Unit.code) == filters.unit))).first() is None:
        raise ValidationFailed.field("unit", t("no unit {code} in the committee of plan {plan}", code=filters.unit,
                                               plan=plan.code))
    scoped = [r for r in rows if filters.domain in (None, r.domain_code) and filters.unit in (None, r.lead_unit)]
    flag = filters.flag.value if filters.flag is not None else None

    tallies: dict[tuple[str, str | None], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in scoped:  # one pass: per kind for the plan (domain None) and per kind and domain
        if r.applies:
            tallies[(r.subject_type, None)][r.status] += 1
            tallies[(r.subject_type, r.domain_code)][r.status] += 1

    def counts(kind: str, domain: str | None = None) -> dict[str, int]:
        return StatusCounts(**tallies.get((kind, domain), {})).model_dump()

    def items(kind: str) -> bytes:
        return b",".join(r.payload.encode() for r in scoped if r.subject_type == kind and (
            filters.status is None or r.status == filters.status.value) and (
            flag is None or flag in r.flags.split(",")))

    head = json.dumps({
        "plan_code": plan.code, "year": year, "include_provisional": False,
        "as_of": min((r.computed_on for r in rows), default=today).isoformat(),
        "summary": {"targets": counts("target"), "goals": counts("goal")},
        "domains": [{"code": code, "title": title, "targets": counts("target", code), "goals": counts("goal", code)}
                    for code, title in domains if filters.domain in (None, code)]},
        ensure_ascii=False, separators=(",", ":"))
    body = head[:-1].encode() + b',"targets":[' + items("target") + b'],"goals":[' + items("goal") + b"]}"
    version = f"{plan.id}.{year}.{len(rows)}.{max((r.id for r in rows), default=0)}." \
              f"{sum(r.version for r in rows)}.{filters}.{min((r.computed_on for r in rows), default=today)}"
    etag = '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'
    return StatusDocument(body, etag, plan.code, year)


def summarise(evaluation: PlanEvaluation, filters: StatusFilter = StatusFilter()) -> PlanStatus:
    """Summary counts per status for the plan and each domain, and the items the filters select."""
    scoped_targets, scoped_goals = _scope(evaluation, filters)
    domains = [DomainStatus(code=code, title=title,
                            targets=_counts(t for t in scoped_targets if t.domain_code == code),
                            goals=_counts(g for g in scoped_goals if g.domain_code == code))
               for code, title in evaluation.domains if filters.domain in (None, code)]
    return PlanStatus(
        plan_code=evaluation.plan_code, year=evaluation.year, include_provisional=evaluation.include_provisional,
        as_of=evaluation.as_of, summary=StatusSummary(targets=_counts(scoped_targets), goals=_counts(scoped_goals)),
        domains=domains, targets=[t for t in scoped_targets if _selected(t, filters)],
        goals=[g for g in scoped_goals if _selected(g, filters)])


def goal_detail(evaluation: PlanEvaluation, goal_code: str) -> GoalStatusDetail:
    goal = next((g for g in evaluation.goals if g.code == goal_code), None)
    if goal is None:
        raise NotFound(t("Goal {code} does not exist in plan {plan}.", code=goal_code, plan=evaluation.plan_code))
    return GoalStatusDetail(plan_code=evaluation.plan_code, year=evaluation.year,
                            include_provisional=evaluation.include_provisional, as_of=evaluation.as_of,
                            goal=goal, targets=[t for t in evaluation.targets if t.goal_code == goal_code])


def goal_of(evaluation: PlanEvaluation, goal_code: str) -> GoalStatus:
    return goal_detail(evaluation, goal_code).goal


def target_of(evaluation: PlanEvaluation, target_code: str) -> TargetStatus:
    target = next((t for t in evaluation.targets if t.code == target_code), None)
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



def _scope(evaluation: PlanEvaluation, filters: StatusFilter) -> tuple[list[TargetStatus], list[GoalStatus]]:
    targets, goals = evaluation.targets, evaluation.goals
    if filters.domain is not None:
        if filters.domain not in {code for code, _ in evaluation.domains}:
            raise ValidationFailed.field("domain", t("no domain {code} in plan {plan}", code=filters.domain,
                                                     plan=evaluation.plan_code))
        targets = [t for t in targets if t.domain_code == filters.domain]
        goals = [g for g in goals if g.domain_code == filters.domain]
    if filters.unit is not None:
        if filters.unit not in evaluation.committee_units:
            raise ValidationFailed.field("unit", t("no unit {code} in the committee of plan {plan}", code=filters.unit,
                                                   plan=evaluation.plan_code))
        # The goals and measures the unit leads: a target carries its goal's or measure's lead unit.
        targets = [t for t in targets if t.lead_unit == filters.unit]
        goals = [g for g in goals if g.lead_unit == filters.unit]
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



# --- the change feed --------------------------------------------------------------------------------------

async def list_changes(session: AsyncSession, since: str | None, limit: int,
                       plan_code: str | None = None, year: int | None = None) -> StatusChangePage:
    """Changes of status or flags after the cursor ``since`` (or none, with ``since="now"``), oldest first.

    ``next_cursor`` is where the next poll starts: the last item of a full page, else the newest event of the
    outbox (nothing after it matched the filters).
    """
    if not 1 <= limit <= MAX_FEED_LIMIT:
        raise ValidationFailed.field("limit", t("must be between 1 and {max}", max=MAX_FEED_LIMIT))
    plan = await plan_by_code(session, plan_code) if plan_code is not None else None
    # Read before the page: an event that becomes final in between is then in the page or after the cursor.
    newest = await outbox.newest(session)
    after = newest if since == "now" else outbox.Cursor.parse(since)
    if after > newest:
        raise ValidationFailed.field("since", t("is ahead of the feed (its newest change is {newest}); use a "
                                                "next_cursor this feed returned", newest=str(newest)))
    events = await outbox.read_events(session, after, limit, types=["verdict.changed"],
                                      plan_ids=[plan.id] if plan is not None else None, year=year)
    items = [_change_read(event) for event in events]
    if len(items) == limit:
        next_cursor = events[-1].cursor
    else:
        next_cursor = max(newest, events[-1].cursor if events else after)
    return StatusChangePage(items=items, next_cursor=str(next_cursor))


def _change_read(event: outbox.Event) -> StatusChangeRead:
    return StatusChangeRead(cursor=str(event.cursor), changed_at=event.created_at, **event.payload)


async def refresh_all(session: AsyncSession, today: date, cause: str) -> RefreshReport:
    """Recompute every verdict of every plan in the session's transaction (normally the worker's daily job)."""
    plans = years = changes = 0
    for plan_id in await publication.stale_plans(session, today, everything=True):
        done = await publication.publish_whole_plan(session, plan_id, today, cause, only_stale=False)
        if done is not None:
            plans, years, changes = plans + 1, years + done[0], changes + done[1]
    return RefreshReport(plans=plans, years=years, changes=changes)
