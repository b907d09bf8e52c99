"""Self-assessment services: create, revise, submit, review, read, diff. REST and GraphQL both call these.

Every save writes a new immutable revision; the head row changes only through a compare-and-set on its
(revision, status), so a stale edit fails with 409 and two writers can never overwrite each other.
"""

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Select, String, bindparam, cast, func, insert, literal, select, tuple_, union, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from app.assignments.service import TaskRef
from app.audit.service import record
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import N_, t
from app.core.labels import kind_label, submission_status_label
from app.core.pagination import PageParams, page_of_each, pages_by_parent, paginate, ranked_within
from app.cycles.service import WriteWindow, check_cycle_year, check_window, plan_with_cycle, write_window
from app.db import copy_rows, core_execute, dialect_insert
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.models import (
    Assignment,
    AuditEvent,
    Goal,
    Indicator,
    Measure,
    Observation,
    Plan,
    Submission,
    SubmissionRevision,
    SubmissionTask,
    Target,
    Unit,
)
from app.models.base import utcnow
from app.models.enums import CycleKind, Role, SubmissionStatus
from app.outbox.service import emit
from app.plans.service import plan_by_code
from app.status.publication import from_year, touch_indicators, touch_parents, touch_plan
from app.submissions.observations import ValueLabel, check_values
from app.submissions.schemas import (
    FieldChange,
    Narrative,
    ReviewIn,
    RevisionDiff,
    RevisionRead,
    SubmissionContent,
    SubmissionCreate,
    SubmissionRead,
    SubmissionSummary,
    SubmissionUpdate,
    TaskRead,
    ValueRead,
)

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


class PreconditionRequired(AppError):
    status, title, code = 428, N_("Precondition required"), "PRECONDITION_REQUIRED"


@dataclass(frozen=True)
class SubmissionFilter:
    year: int | None = None
    kind: str | None = None
    unit: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class CheckedContent:
    """Content that passed validation, ready to insert."""

    values: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    narrative: Narrative
    labels: list[ValueLabel] = field(default_factory=list)  # per value: the codes it was reported under
    task_codes: list[str] = field(default_factory=list)  # per task: the goal or measure code


def etag(submission_id: int, revision: int, status: str) -> str:
    return f'"{submission_id}-{revision}-{status}"'


def parse_etag(value: str | None) -> tuple[int, str] | None:
    """(revision, status) from an If-Match value, or None when it is not one of ours."""
    if not value:
        return None
    parts = value.strip().removeprefix("W/").strip('"').split("-")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


# --- writes -----------------------------------------------------------------------------------------------

async def create_submission(session: AsyncSession, actor: Actor, plan_code: str, data: SubmissionCreate,
                            today: date) -> SubmissionRead:
    # One query for the plan, its cycle and whether that is reopened for the unit; the checks then refuse in the
    # order they always did (no plan, then the unit, the year, the window, the content).
    unit = await _unit_for(session, actor, data.unit)
    plan, cycle, reopened = await plan_with_cycle(session, plan_code, data.year, data.kind,
                                                  unit.id if unit is not None else 0)  # type: ignore[arg-type]
    unit = _check_acting_unit(actor, plan, unit, data.unit)
    await check_cycle_year(session, plan, data.year, data.kind, "kind")
    window = check_window(cycle, reopened, data.year, data.kind, today)
    content = await _check_content(session, plan, unit, data.year, data)
    status = SubmissionStatus.submitted if data.submit else SubmissionStatus.draft
    now = utcnow()
    head: dict[str, Any] = {
        "plan_id": plan.id, "unit_id": unit.id, "cycle_id": window.cycle.id, "year": data.year,
        "kind": data.kind.value, "status": status.value, "revision": 1, "accepted_revision": None,
        "late": window.late and data.submit, "review_comment": None, "created_at": now, "updated_at": now,
        "submitted_at": now if data.submit else None, "reviewed_at": None}
    # The response is what is written: built before the write, with the id the write returns.
    current = _revision_read(content, 1, status, head["late"], now, actor.name)
    action = "submission.submit" if data.submit else "submission.create"
    submission = Submission(id=0, **head)
    result = SubmissionRead(**_summary(submission, plan.code, unit).model_dump(), current=current)
    ids = await _insert_created(session, actor, head, content.narrative, action, _audit(result))
    if ids is None:
        existing = (await session.execute(select(col(Submission.id)).where(
            col(Submission.unit_id) == unit.id, col(Submission.plan_id) == plan.id, col(Submission.year) == data.year,
            col(Submission.kind) == data.kind.value))).scalar_one()
        raise Conflict(t("Unit {unit} already has a {year} {kind} submission (id {id}); revise it with "
                         "PUT /api/v1/submissions/{id}.", unit=unit.code, kind=kind_label(data.kind), year=data.year,
                         id=existing))
    submission.id, revision_id = ids
    result.id, result.etag = submission.id, etag(submission.id, 1, status.value)
    await _write_content(session, revision_id, content)
    if submission.late:  # the lead unit is no longer overdue
        touch_plan(session, plan.id, f"submission {submission.id} submitted late", [data.year])  # type: ignore[arg-type]
    if data.submit:
        await _emit(session, "submission.submitted", result, plan.id)  # type: ignore[arg-type]
    return result


HEAD_COLUMNS = ("plan_id", "unit_id", "cycle_id", "year", "kind", "status", "revision", "accepted_revision", "late",
                "review_comment", "created_at", "updated_at", "submitted_at", "reviewed_at")
FIRST_REVISION_COLUMNS = ("revision", "status", "late", "created_at", "created_by", "token_id", "achievements",
                          "problems", "next_steps")
CREATE_AUDIT_COLUMNS = ("at", "actor", "actor_role", "token_id", "action", "entity_type", "before")


def _create_on_postgresql() -> Any:
    """The head, the first revision and the audit event of a new submission in one statement, with parameters
    head_*, revision_* and audit_* (built once: it is as costly to build as to run)."""
    heads, revisions, events = (model.__table__.c for model in (Submission, SubmissionRevision, AuditEvent))  # type: ignore[union-attr]
    created = (postgresql.insert(Submission)
               .values({c: bindparam(f"head_{c}", type_=heads[c].type) for c in HEAD_COLUMNS})
               .on_conflict_do_nothing(index_elements=["unit_id", "plan_id", "year", "kind"])
               .returning(col(Submission.id)).cte("created"))
    first = (insert(SubmissionRevision).from_select(["submission_id", *FIRST_REVISION_COLUMNS], select(
        created.c.id, *(bindparam(f"revision_{c}", type_=revisions[c].type) for c in FIRST_REVISION_COLUMNS)))
        .returning(col(SubmissionRevision.submission_id), col(SubmissionRevision.id)).cte("first_revision"))
    event = insert(AuditEvent).from_select([*CREATE_AUDIT_COLUMNS, "entity_id", "after"], select(
        *(bindparam(f"audit_{c}", type_=events[c].type) for c in CREATE_AUDIT_COLUMNS), cast(created.c.id, String),
        bindparam("audit_after", type_=events["after"].type).op("||")(func.jsonb_build_object("id", created.c.id)))
    ).cte("audit")
    return select(first.c.submission_id, first.c.id).add_cte(event)


_CREATE_ON_POSTGRESQL = _create_on_postgresql()


async def _insert_created(session: AsyncSession, actor: Actor, head: dict[str, Any], narrative: Narrative,
                          action: str, after: dict[str, Any]) -> tuple[int, int] | None:
    """Insert a new submission's head, its first revision and the audit event (whose `after` gets the new id):
    the ids of the head and the revision, or None when the unit has that submission already.

    ON CONFLICT DO NOTHING: one statement whether the head exists already or a concurrent request creates it
    first (PostgreSQL waits for that one to commit); no row back means there is one. On PostgreSQL the three
    inserts are one statement (data-modifying CTEs, each inserting only when the one before did)."""
    revision = {"revision": 1, "status": head["status"], "late": head["late"], "created_at": head["created_at"],
                "created_by": actor.name, "token_id": actor.token_id, **narrative.model_dump()}
    audit = {"at": head["created_at"], "actor": actor.name, "actor_role": actor.role.value, "token_id": actor.token_id,
             "action": action, "entity_type": "submission", "before": None}
    if session.get_bind().dialect.name != "postgresql":
        submission_id = (await session.execute(dialect_insert(session, Submission).values(**head)
                                               .on_conflict_do_nothing(index_elements=["unit_id", "plan_id", "year",
                                                                                       "kind"])
                                               .returning(col(Submission.id)))).scalar()
        if submission_id is None:
            return None
        revision_id = (await session.execute(insert(SubmissionRevision).values(
            submission_id=submission_id, **revision).returning(col(SubmissionRevision.id)))).scalar_one()
        assert revision_id is not None
        await session.execute(insert(AuditEvent).values(**audit, entity_id=str(submission_id),
                                                        after={**after, "id": submission_id}))
        return submission_id, revision_id
    params = {**{f"head_{k}": v for k, v in head.items()}, **{f"revision_{k}": v for k, v in revision.items()},
              **{f"audit_{k}": v for k, v in audit.items()}, "audit_after": after}
    row = (await session.execute(_CREATE_ON_POSTGRESQL, params)).first()
    return None if row is None else (row[0], row[1])


async def update_submission(session: AsyncSession, actor: Actor, submission_id: int, data: SubmissionUpdate,
                            if_match: str | None, today: date) -> SubmissionRead:
    """Replace the content: a new revision, draft or (with submit) sent for review."""
    submission, plan, unit = await _load_for_unit_write(session, actor, submission_id)
    _refuse_if_accepted(submission)
    expected = _require_if_match(if_match)
    window = await write_window(session, plan, submission.year, CycleKind(submission.kind), unit.id, today)  # type: ignore[arg-type]
    content = await _check_content(session, plan, unit, submission.year, data)
    before = await get_submission(session, actor, submission_id)
    status = SubmissionStatus.submitted if data.submit else SubmissionStatus.draft
    late = window.late and data.submit
    changes: dict[str, Any] = {"revision": expected[0] + 1, "status": status.value, "updated_at": utcnow(),
                               "review_comment": None}
    if data.submit:
        changes.update(submitted_at=utcnow(), late=late)
    await _compare_and_set(session, submission, expected, changes)
    current = await _write_revision(session, actor, submission, content, status, late=late)
    if late:
        touch_plan(session, plan.id, f"submission {submission_id} submitted late", [submission.year])  # type: ignore[arg-type]
    result = SubmissionRead(**_summary(submission, plan.code, unit).model_dump(), current=current)
    if data.submit:
        await _emit(session, "submission.submitted", result, plan.id)  # type: ignore[arg-type]
    await record(session, actor, "submission.revise_and_submit" if data.submit else "submission.revise",
                 "submission", str(submission_id), before=_audit(before), after=_audit(result))
    return result


async def submit_submission(session: AsyncSession, actor: Actor, submission_id: int, if_match: str | None,
                            today: date) -> SubmissionRead:
    """Send the current revision for review."""
    submission, plan, unit = await _load_for_unit_write(session, actor, submission_id)
    _refuse_if_accepted(submission)
    if submission.status not in (SubmissionStatus.draft.value, SubmissionStatus.returned.value):
        raise Conflict(t("Only a draft or returned submission can be submitted; this one is {status}.",
                         status=submission_status_label(submission.status)))
    expected = _optional_if_match(if_match, submission)
    window = await write_window(session, plan, submission.year, CycleKind(submission.kind), unit.id, today)  # type: ignore[arg-type]
    before = await get_submission(session, actor, submission_id)
    _refuse_if_empty(before)
    await _compare_and_set(session, submission, expected, {
        "status": SubmissionStatus.submitted.value, "submitted_at": utcnow(), "late": window.late,
        "updated_at": utcnow(), "review_comment": None})
    if window.late:
        touch_plan(session, plan.id, f"submission {submission_id} submitted late", [submission.year])  # type: ignore[arg-type]
    result = _with_head(submission, before)
    await _emit(session, "submission.submitted", result, plan.id)  # type: ignore[arg-type]
    await record(session, actor, "submission.submit", "submission", str(submission_id), before=_audit(before),
                 after=_audit(result))
    return result


async def review_submission(session: AsyncSession, actor: Actor, submission_id: int, data: ReviewIn,
                            if_match: str | None) -> SubmissionRead:
    """The committee office accepts the current revision, or returns it with a comment.

    An accepted submission can also be returned, to let the unit correct it: its accepted values keep counting
    until the corrected revision is accepted.
    """
    submission = await _submission(session, submission_id)
    reviewable = [SubmissionStatus.submitted.value]
    if data.decision == "return":
        reviewable.append(SubmissionStatus.accepted.value)
    if submission.status not in reviewable:
        status = submission_status_label(submission.status)
        if data.decision == "return":
            raise Conflict(t("Only a submitted or accepted submission can be returned; this one is {status}.",
                             status=status))
        raise Conflict(t("Only a submitted submission can be accepted; this one is {status}.", status=status))
    if data.decision == "return" and not data.comment:
        raise ValidationFailed.field("comment", t("say what the unit must correct when returning a submission"))
    expected = _optional_if_match(if_match, submission)
    before = await get_submission(session, actor, submission_id)
    formerly_accepted = submission.accepted_revision
    changes: dict[str, Any] = {"reviewed_at": utcnow(), "updated_at": utcnow(), "review_comment": data.comment}
    if data.decision == "accept":
        changes.update(status=SubmissionStatus.accepted.value, accepted_revision=submission.revision)
    else:
        changes.update(status=SubmissionStatus.returned.value)
    await _compare_and_set(session, submission, expected, changes)
    if data.decision == "accept":  # accepted data is what the rules use, in every plan measuring its indicators
        await _touch_accepted(session, submission, formerly_accepted)
    result = _with_head(submission, before)
    await _emit(session, "submission.accepted" if data.decision == "accept" else "submission.returned", result,
                submission.plan_id)
    await record(session, actor, f"submission.{data.decision}", "submission", str(submission_id),
                 before=_audit(before), after=_audit(result))
    return result


def filter_submissions(stmt: S, *, year: int | None, kind: str | None, status: str | None) -> S:
    """The list filters shared by REST's submission list and GraphQL's per-unit pages."""
    if year is not None:
        stmt = stmt.where(col(Submission.year) == year)
    if kind:
        stmt = stmt.where(col(Submission.kind) == kind)
    if status:
        stmt = stmt.where(col(Submission.status) == status)
    return stmt


# --- reads ------------------------------------------------------------------------------------------------

async def get_submission(session: AsyncSession, actor: Actor, submission_id: int) -> SubmissionRead:
    submission, plan_code, unit = await _submission_row(session, submission_id)
    visibility.require_submission(actor, submission)
    revision = await _revision(session, submission, submission.revision)
    current = (await _revisions_with_content(session, [revision]))[0]
    return SubmissionRead(**_summary(submission, plan_code, unit).model_dump(), current=current)


async def list_submissions(session: AsyncSession, actor: Actor, plan_code: str, filters: SubmissionFilter,
                           page: PageParams) -> tuple[list[SubmissionSummary], int]:
    plan = await plan_by_code(session, plan_code)
    stmt = (select(Submission, Unit).join(Unit, col(Unit.id) == col(Submission.unit_id))
            .where(col(Submission.plan_id) == plan.id))
    stmt = stmt.where(visibility.visible_submissions(actor))
    stmt = filter_submissions(stmt, year=filters.year, kind=filters.kind, status=filters.status)
    unit_code = visibility.unit_scope(actor, filters.unit)
    if unit_code:
        stmt = stmt.where(col(Unit.code) == unit_code)
    stmt = stmt.order_by(col(Submission.year).desc(), col(Unit.code), col(Submission.kind))
    rows, total = await paginate(session, stmt, page)
    return [_summary(submission, plan.code, unit) for submission, unit in rows], total


async def list_revisions(session: AsyncSession, actor: Actor, submission_id: int) -> list[RevisionRead]:
    submission, _, _ = await _submission_row(session, submission_id)
    visibility.require_submission(actor, submission)
    revisions = (await session.execute(select(SubmissionRevision).where(
        col(SubmissionRevision.submission_id) == submission_id, visibility.visible_revisions(actor))
        .order_by(col(SubmissionRevision.revision)))).scalars().all()
    return await _revisions_with_content(session, list(revisions))


async def get_revision(session: AsyncSession, actor: Actor, submission_id: int, number: int) -> RevisionRead:
    submission, _, _ = await _submission_row(session, submission_id)
    visibility.require_submission(actor, submission)
    revision = await _revision(session, submission, number)
    visibility.require_revision(actor, revision)
    return (await _revisions_with_content(session, [revision]))[0]


async def diff_revisions(session: AsyncSession, actor: Actor, submission_id: int, from_revision: int,
                         to_revision: int) -> RevisionDiff:
    submission, _, _ = await _submission_row(session, submission_id)
    visibility.require_submission(actor, submission)
    revisions = [await _revision(session, submission, from_revision), await _revision(session, submission, to_revision)]
    for revision in revisions:
        visibility.require_revision(actor, revision)
    old, new = await _revisions_with_content(session, revisions)
    return _diff(submission_id, from_revision, to_revision, old, new)


def _diff(submission_id: int, from_revision: int, to_revision: int, old: RevisionRead,
          new: RevisionRead) -> RevisionDiff:
    def value_key(v: ValueRead) -> str:
        return f"{v.indicator}|{v.sex}|{v.age_group}|{v.area}"

    def value_view(v: ValueRead) -> dict[str, Any]:
        return v.model_dump(exclude={"indicator", "indicator_name", "metric", "sex", "age_group", "area"})

    return RevisionDiff(
        submission_id=submission_id, from_revision=from_revision, to_revision=to_revision,
        values=_changes({value_key(v): value_view(v) for v in old.values},
                        {value_key(v): value_view(v) for v in new.values}),
        tasks=_changes({t.task: t.model_dump(exclude={"task"}) for t in old.tasks},
                       {t.task: t.model_dump(exclude={"task"}) for t in new.tasks}),
        narrative=_changes(old.narrative.model_dump(), new.narrative.model_dump()))


# --- batch reads (GraphQL's loaders: any number of plans or submissions in a fixed number of queries) -------

async def submissions_of_plans(session: AsyncSession, actor: Actor, plan_codes: Sequence[str],
                               filters: SubmissionFilter, page: PageParams
                               ) -> list[tuple[list[SubmissionSummary], int]]:
    """A page of each plan's submissions as `list_submissions` gives it (items, total): one query."""
    unit_code = visibility.unit_scope(actor, filters.unit)
    base = (select(Submission).join(Unit, col(Unit.id) == col(Submission.unit_id))
            .join(Plan, col(Plan.id) == col(Submission.plan_id))
            .where(col(Plan.code).in_(list(plan_codes)), visibility.visible_submissions(actor)))
    base = filter_submissions(base, year=filters.year, kind=filters.kind, status=filters.status)
    if unit_code:
        base = base.where(col(Unit.code) == unit_code)
    ranked = ranked_within(base, col(Submission.id), col(Plan.code),
                           (col(Submission.year).desc(), col(Unit.code), col(Submission.kind)))
    stmt = (select(ranked.c.parent, ranked.c.rn, ranked.c.total, Submission, Unit)
            .join(ranked, ranked.c.id == col(Submission.id)).join(Unit, col(Unit.id) == col(Submission.unit_id)))
    rows = (await session.execute(page_of_each(stmt, ranked, page))).all()
    return pages_by_parent(plan_codes, page, [(code, rn, total, partial(_summary, submission, code, unit))
                                              for code, rn, total, submission, unit in rows])


async def revisions_of_submissions(session: AsyncSession, actor: Actor, submission_ids: Sequence[int]
                                   ) -> list[list[RevisionRead] | AppError]:
    """`list_revisions` of many submissions in four queries; a submission the actor may not see gets its error."""
    submissions = {s.id: s for s in (await session.execute(select(Submission).where(
        col(Submission.id).in_(list(submission_ids))))).scalars()}
    revisions = (await session.execute(select(SubmissionRevision).where(
        col(SubmissionRevision.submission_id).in_(list(submissions)), visibility.visible_revisions(actor))
        .order_by(col(SubmissionRevision.submission_id), col(SubmissionRevision.revision)))).scalars().all()
    reads: dict[int, list[RevisionRead]] = defaultdict(list)
    for revision, read in zip(revisions, await _revisions_with_content(session, list(revisions)), strict=True):
        reads[revision.submission_id].append(read)
    results: list[list[RevisionRead] | AppError] = []
    for submission_id in submission_ids:
        try:
            submission = submissions.get(submission_id)
            if submission is None:
                raise NotFound(t("Submission {id} does not exist.", id=submission_id))
            visibility.require_submission(actor, submission)
            results.append(reads[submission_id])
        except AppError as exc:
            results.append(exc)
    return results


async def diffs_of_submissions(session: AsyncSession, actor: Actor, keys: Sequence[tuple[int, int, int]]
                               ) -> list[RevisionDiff | AppError]:
    """`diff_revisions` of many (submission id, from revision, to revision) in four queries; a key the actor may
    not see, or naming a missing revision, gets its error."""
    submissions = {s.id: s for s in (await session.execute(select(Submission).where(
        col(Submission.id).in_({key[0] for key in keys})))).scalars()}
    numbers = {(sid, number) for sid, *pair in keys if sid in submissions for number in pair}
    revisions = (await session.execute(select(SubmissionRevision).where(tuple_(
        col(SubmissionRevision.submission_id), col(SubmissionRevision.revision)).in_(list(numbers))))).scalars().all()
    found = {(r.submission_id, r.revision): r for r in revisions}
    contents = dict(zip(((r.submission_id, r.revision) for r in revisions),
                        await _revisions_with_content(session, list(revisions)), strict=True))
    results: list[RevisionDiff | AppError] = []
    for submission_id, from_revision, to_revision in keys:
        try:
            submission = submissions.get(submission_id)
            if submission is None:
                raise NotFound(t("Submission {id} does not exist.", id=submission_id))
            visibility.require_submission(actor, submission)
            for number in (from_revision, to_revision):
                revision = found.get((submission_id, number))
                if revision is None:
                    raise NotFound(t("Submission {id} has no revision {number}.", id=submission_id, number=number))
                visibility.require_revision(actor, revision)
            results.append(_diff(submission_id, from_revision, to_revision, contents[(submission_id, from_revision)],
                                 contents[(submission_id, to_revision)]))
        except AppError as exc:
            results.append(exc)
    return results


# --- validation -------------------------------------------------------------------------------------------

async def _check_content(session: AsyncSession, plan: Plan, unit: Unit, year: int,
                         data: SubmissionContent) -> CheckedContent:
    """Validate everything first and report every problem at once; nothing is written on failure."""
    # The tasks the unit is assigned are read only to check tasks: the values' query reads what the unit reports.
    assigned = await assigned_tasks(session, plan, unit) if data.tasks else None
    checked = await check_values(session, plan, unit, year, data.values, assigned)
    errors = checked.errors
    if data.submit and not data.values and not data.tasks:
        errors.append(_empty_submission())
    tasks: list[dict[str, Any]] = []
    task_codes: list[str] = []
    codes = await _task_codes(session, plan, {t.task for t in data.tasks})
    seen_tasks: dict[str, int] = {}
    for index, task_item in enumerate(data.tasks):
        field = f"tasks[{index}].task"
        ref = codes.get(task_item.task)
        if ref is None:
            errors.append({"field": field, "reason": t("no goal or measure {code} in plan {plan}",
                                                       code=task_item.task, plan=plan.code)})
        elif assigned is None or ref.key not in assigned:
            errors.append({"field": field, "reason": t("{code} is not assigned to unit {unit}", code=task_item.task,
                                                       unit=unit.code)})
        elif task_item.task in seen_tasks:
            errors.append({"field": field,
                           "reason": t("duplicate of tasks[{index}]", index=seen_tasks[task_item.task])})
        else:
            seen_tasks[task_item.task] = index
            tasks.append({"goal_id": ref.goal_id, "measure_id": ref.measure_id,
                          "progress": task_item.progress.value, "description": task_item.description})
            task_codes.append(task_item.task)
    if errors:
        raise ValidationFailed(t("{count} problem(s) in the submission; nothing was saved.", count=len(errors)),
                               errors=errors)
    return CheckedContent(values=checked.rows, tasks=tasks, narrative=data.narrative, labels=checked.labels,
                          task_codes=task_codes)


def _empty_submission() -> dict[str, str]:
    return {"field": "values", "code": "empty_submission", "reason": t(
        "a submission sent for review must report at least one assigned indicator or task; save it as a "
        "draft (submit: false) until it does")}


def _refuse_if_empty(submission: SubmissionRead) -> None:
    """Sending a saved draft is refused like saving it with submit when it reports nothing."""
    if not submission.current.values and not submission.current.tasks:
        raise ValidationFailed(t("{count} problem(s) in the submission; nothing was saved.", count=1),
                               errors=[_empty_submission()])


async def assigned_tasks(session: AsyncSession, plan: Plan, unit: Unit) -> set[tuple[str, int]]:
    rows = await session.execute(select(col(Assignment.goal_id), col(Assignment.measure_id)).where(
        col(Assignment.plan_id) == plan.id, col(Assignment.unit_id) == unit.id))
    return {TaskRef(goal_id=g, measure_id=m).key for g, m in rows.all()}


async def _task_codes(session: AsyncSession, plan: Plan, codes: set[str]) -> dict[str, TaskRef]:
    if not codes:
        return {}
    goals = await session.execute(select(col(Goal.code), col(Goal.id)).where(
        col(Goal.plan_id) == plan.id, col(Goal.code).in_(codes)))
    measures = await session.execute(select(col(Measure.code), col(Measure.id)).where(
        col(Measure.plan_id) == plan.id, col(Measure.code).in_(codes)))
    refs = {code: TaskRef(goal_id=i, measure_id=None) for code, i in goals.all()}
    refs.update({code: TaskRef(goal_id=None, measure_id=i) for code, i in measures.all()})
    return refs


# --- helpers ----------------------------------------------------------------------------------------------

async def _unit_for(session: AsyncSession, actor: Actor, unit_code: str | None) -> Unit | None:
    """The unit a submission is for, unchecked: a unit token's own (read with the token), or the one an admin
    names (None when there is none)."""
    if actor.role is Role.unit:
        return await session.get(Unit, actor.unit_id)
    if not unit_code:
        return None
    return (await session.execute(select(Unit).where(col(Unit.code) == unit_code))).scalar_one_or_none()


def _check_acting_unit(actor: Actor, plan: Plan, unit: Unit | None, unit_code: str | None) -> Unit:
    """May the actor write for this unit (as :func:`_unit_for` found it) in the plan?"""
    if actor.role is Role.unit:
        visibility.require_own_unit(actor, unit_code=unit_code or actor.unit_code)
    elif not unit_code:
        raise ValidationFailed.field("unit", t("an admin submitting on behalf of a unit must name the unit"))
    elif unit is None:
        raise ValidationFailed.field("unit", t("no unit {code}", code=unit_code))
    assert unit is not None
    if unit.committee_id != plan.committee_id:
        raise ValidationFailed.field("unit", t("unit {code} is not a member of this plan's committee", code=unit.code))
    if not unit.active:
        raise ValidationFailed.field("unit", t("unit {code} is deactivated", code=unit.code))
    return unit


async def _load_for_unit_write(session: AsyncSession, actor: Actor,
                               submission_id: int) -> tuple[Submission, Plan, Unit]:
    submission = await _submission(session, submission_id)
    visibility.require_own_unit(actor, submission.unit_id)
    plan = await session.get(Plan, submission.plan_id)
    unit = await session.get(Unit, submission.unit_id)
    assert plan is not None and unit is not None
    return submission, plan, unit


def _refuse_if_accepted(submission: Submission) -> None:
    if submission.status == SubmissionStatus.accepted.value:
        raise Conflict(t("This submission was accepted by the committee office; ask the office to return it "
                         "for correction before changing it."))


def _require_if_match(if_match: str | None) -> tuple[int, str]:
    expected = parse_etag(if_match)
    if expected is None:
        raise PreconditionRequired(t("Send If-Match with the ETag of the submission you are changing."))
    return expected


def _optional_if_match(if_match: str | None, submission: Submission) -> tuple[int, str]:
    if if_match is None:
        return submission.revision, submission.status
    return _require_if_match(if_match)


async def _compare_and_set(session: AsyncSession, submission: Submission, expected: tuple[int, str],
                           changes: dict[str, Any]) -> None:
    """Apply `changes` only if the head is still at the expected revision and status (409 otherwise)."""
    result = await session.execute(
        update(Submission).where(col(Submission.id) == submission.id, col(Submission.revision) == expected[0],
                                 col(Submission.status) == expected[1]).values(**changes)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(t("The submission changed since you read it (stale If-Match); reload it and try again."))
    for key, value in changes.items():  # the head is now what was written: no re-read
        set_committed_value(submission, key, value)


OBSERVATION_COLUMNS = ("indicator_id", "target_id", "value", "unit", "reported_value", "reported_unit", "sex",
                       "age_group", "area", "source", "note", "warnings", "justification")  # a checked value's


async def _write_revision(session: AsyncSession, actor: Actor, submission: Submission, content: CheckedContent,
                          status: SubmissionStatus, *, late: bool) -> RevisionRead:
    """Insert the revision and its content (COPY of the values, no ORM object per value); returns it as read."""
    revision = await new_revision(session, actor, submission, status, late=late, narrative=content.narrative)
    await _write_content(session, revision.id, content)  # type: ignore[arg-type]
    return _revision_read(content, revision.revision, status, late, revision.created_at, revision.created_by)


async def _write_content(session: AsyncSession, revision_id: int, content: CheckedContent) -> None:
    """A new revision's values (COPY: no ORM object, one statement for any number) and tasks."""
    await copy_rows(session, "observation", ("revision_id", *OBSERVATION_COLUMNS), [
        (revision_id, *(_json(value[c]) if c == "warnings" else value[c] for c in OBSERVATION_COLUMNS))
        for value in content.values])
    if content.tasks:
        await session.execute(insert(SubmissionTask), [{**task, "revision_id": revision_id} for task in content.tasks])


def _json(warnings: list[dict[str, Any]]) -> str:
    return json.dumps(warnings, ensure_ascii=False) if warnings else "[]"  # most values raise none


# Many values validated in one call: pydantic's loop over a list is about twice as fast as a model per value.
_VALUE_LIST = TypeAdapter(list[ValueRead])
_VALUE_READ_COLUMNS = ("value", "unit", "reported_value", "reported_unit", "sex", "age_group", "area", "source", "note",
                      "warnings", "justification")


def _revision_read(content: CheckedContent, number: int, status: SubmissionStatus, late: bool, created_at: datetime,
                   created_by: str) -> RevisionRead:
    """A revision as read back, from the checked content it is written from (nothing is read again)."""
    values = _VALUE_LIST.validate_python([{
        "indicator": label.indicator, "indicator_name": label.indicator_name, "target": label.target,
        "metric": label.metric, **{name: row[name] for name in _VALUE_READ_COLUMNS}}
        for row, label in zip(content.values, content.labels, strict=True)])
    tasks = [TaskRead(task=code, task_type="goal" if task["goal_id"] is not None else "measure",
                      progress=task["progress"], description=task["description"])
             for task, code in zip(content.tasks, content.task_codes, strict=True)]
    return RevisionRead(revision=number, status=status, late=late, created_at=created_at, created_by=created_by,
                        values=values, tasks=tasks, narrative=content.narrative)


async def new_revision(session: AsyncSession, actor: Actor, submission: Submission, status: SubmissionStatus, *,
                       late: bool, narrative: Narrative) -> SubmissionRevision:
    """The revision row of the submission's current revision number (its content is inserted by the caller)."""
    revision = SubmissionRevision(
        submission_id=submission.id, revision=submission.revision, status=status.value, late=late,  # type: ignore[arg-type]
        created_by=actor.name, token_id=actor.token_id, **narrative.model_dump())
    session.add(revision)
    await session.flush()
    return revision


async def _touch_accepted(session: AsyncSession, submission: Submission, formerly_accepted: int | None) -> None:
    """What the acceptance of the submission's current revision can change: every target, in any plan, on an
    indicator it or the formerly accepted revision reports, and the goals whose progress they report, from the
    submission's year on."""
    sent = select(col(SubmissionRevision.id)).where(
        col(SubmissionRevision.submission_id) == submission.id,
        col(SubmissionRevision.revision).in_({submission.revision, formerly_accepted} - {None}))
    subjects: Any = union(
        select(literal("indicator"), col(Observation.indicator_id)).where(col(Observation.revision_id).in_(sent)),
        select(literal("goal"), col(SubmissionTask.goal_id)).where(col(SubmissionTask.revision_id).in_(sent),
                                                                   col(SubmissionTask.goal_id).is_not(None)),
        select(literal("revision"), col(SubmissionRevision.id)).where(col(SubmissionRevision.id).in_(sent)))
    rows = (await session.execute(subjects)).all()
    cause, years = f"submission {submission.id} accepted", from_year(submission.year)
    goals = [("goal", subject_id) for kind, subject_id in rows if kind == "goal"]
    sent_ids = [subject_id for kind, subject_id in rows if kind == "revision"]
    # A first acceptance of values alone adds values and removes none: publishing can tell in one query whether
    # they change anything (publication.already_counted).
    acceptance = sent_ids[0] if formerly_accepted is None and not goals and len(sent_ids) == 1 else None
    touch_indicators(session, [subject_id for kind, subject_id in rows if kind == "indicator"], cause, years,
                     acceptance=acceptance)
    if goals:
        touch_parents(session, submission.plan_id, goals, cause, years)


async def _emit(session: AsyncSession, event_type: str, submission: SubmissionRead, plan_id: int) -> None:
    """The workflow event of a submission: its summary (no values: subscribers read them with their token)."""
    await emit(session, event_type, f"submission:{submission.id}",
               submission.model_dump(mode="json", exclude={"current"}), plan_id=plan_id, year=submission.year)


def _with_head(submission: Submission, before: SubmissionRead) -> SubmissionRead:
    """``before`` with the head as it is now written: a submit or review leaves the current revision's content as
    it was, so nothing is read again."""
    unit = UnitLabel(before.unit, before.unit_name)
    return SubmissionRead(**_summary(submission, before.plan_code, unit).model_dump(), current=before.current)


async def _submission(session: AsyncSession, submission_id: int) -> Submission:
    submission = await session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(t("Submission {id} does not exist.", id=submission_id))
    return submission


async def _submission_row(session: AsyncSession, submission_id: int) -> tuple[Submission, str, Unit]:
    row = (await session.execute(
        select(Submission, col(Plan.code), Unit).join(Plan, col(Plan.id) == col(Submission.plan_id))
        .join(Unit, col(Unit.id) == col(Submission.unit_id)).where(col(Submission.id) == submission_id))).first()
    if row is None:
        raise NotFound(t("Submission {id} does not exist.", id=submission_id))
    return row[0], row[1], row[2]


async def _revision(session: AsyncSession, submission: Submission, number: int) -> SubmissionRevision:
    revision = (await session.execute(select(SubmissionRevision).where(
        col(SubmissionRevision.submission_id) == submission.id,
        col(SubmissionRevision.revision) == number))).scalar_one_or_none()
    if revision is None:
        raise NotFound(t("Submission {id} has no revision {number}.", id=submission.id, number=number))
    return revision


_VALUE_COLUMNS = ("revision_id", "value", "unit", "reported_value", "reported_unit", "sex", "age_group", "area",
                  "source", "note", "warnings", "justification")


async def _revisions_with_content(session: AsyncSession,
                                  revisions: list[SubmissionRevision]) -> list[RevisionRead]:
    """Values and tasks of several revisions in two queries."""
    ids = [r.id for r in revisions]
    values: dict[int, list[dict[str, Any]]] = defaultdict(list)
    # Plain rows, not an ORM object per value (a revision may hold thousands), unpacked by position: a row's
    # attributes cost more than the value they name.
    for (revision_id, value, unit, reported_value, reported_unit, sex, age_group, area, source, note, warnings,
         justification, indicator, indicator_name, target, metric) in (await core_execute(session,
            select(*(col(getattr(Observation, name)) for name in _VALUE_COLUMNS), col(Indicator.code),
                   col(Indicator.name), col(Target.code), col(Target.metric))
            .join(Indicator, col(Indicator.id) == col(Observation.indicator_id))
            .outerjoin(Target, col(Target.id) == col(Observation.target_id))
            .where(col(Observation.revision_id).in_(ids)).order_by(col(Observation.id)))).all():
        values[revision_id].append({
            "indicator": indicator, "indicator_name": indicator_name, "target": target,
            "metric": metric or indicator_name, "value": value, "unit": unit, "reported_value": reported_value,
            "reported_unit": reported_unit, "sex": sex, "age_group": age_group, "area": area, "source": source,
            "note": note, "warnings": warnings or [], "justification": justification})
    tasks: dict[int, list[TaskRead]] = defaultdict(list)
    for task, goal_code, measure_code in (await session.execute(
            select(SubmissionTask, col(Goal.code), col(Measure.code))
            .outerjoin(Goal, col(Goal.id) == col(SubmissionTask.goal_id))
            .outerjoin(Measure, col(Measure.id) == col(SubmissionTask.measure_id))
            .where(col(SubmissionTask.revision_id).in_(ids)).order_by(col(SubmissionTask.id)))).all():
        tasks[task.revision_id].append(TaskRead(task=goal_code or measure_code, task_type="goal" if goal_code
                                                else "measure", progress=task.progress,
                                                description=task.description))
    return [RevisionRead(revision=r.revision, status=r.status, late=r.late, created_at=r.created_at,
                         created_by=r.created_by, values=_VALUE_LIST.validate_python(values[r.id]),  # type: ignore[index]
                         tasks=tasks[r.id],  # type: ignore[index]
                         narrative=Narrative(achievements=r.achievements, problems=r.problems,
                                             next_steps=r.next_steps)) for r in revisions]


@dataclass(frozen=True)
class UnitLabel:
    """What a submission's summary says of its unit."""

    code: str
    name: str


def _summary(submission: Submission, plan_code: str, unit: Unit | UnitLabel) -> SubmissionSummary:
    return SubmissionSummary(
        id=submission.id, plan_code=plan_code, unit=unit.code, unit_name=unit.name, year=submission.year,
        kind=submission.kind, status=submission.status, revision=submission.revision,
        accepted_revision=submission.accepted_revision, late=submission.late,
        review_comment=submission.review_comment, created_at=submission.created_at,
        updated_at=submission.updated_at, submitted_at=submission.submitted_at, reviewed_at=submission.reviewed_at,
        etag=etag(submission.id, submission.revision, submission.status))  # type: ignore[arg-type]


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    keys = sorted(set(before) | set(after))
    return [FieldChange(key=k, before=before.get(k), after=after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _audit(submission: SubmissionRead) -> dict[str, Any]:
    """What the audit trail keeps of a submission: its head, and which revision holds the content and how much.
    Revisions are append-only and keep every value and text as sent, so the trail points at them instead of copying
    a hundred values into every event (twice for a submit or review, whose content does not change)."""
    current = submission.current
    return {**_audit_summary(submission), "current": {
        "revision": current.revision, "status": current.status.value, "late": current.late,
        "values": len(current.values), "tasks": len(current.tasks)}}


# --- bulk import (app/imports) ----------------------------------------------------------------------------

IMPORT_COMMENT = "批量导入"


@dataclass(frozen=True)
class ImportTarget:
    """A submission an import writes a new revision of: the one it copies and the one it writes."""

    submission: Submission
    before: SubmissionSummary | None  # None: created by the import
    previous_revision_id: int | None  # the revision whose content the new one carries over
    revision_id: int
    formerly_accepted: int | None


async def current_submissions(session: AsyncSession, plan: Plan, unit_ids: Collection[int]
                              ) -> dict[tuple[int, int, str], tuple[Submission, int, int | None]]:
    """The plan's submissions of these units by (unit, year, kind), each with the ids of its current and its
    accepted revision (one query)."""
    if not unit_ids:
        return {}
    accepted = aliased(SubmissionRevision)
    rows = await session.execute(
        select(Submission, col(SubmissionRevision.id), col(accepted.id))
        .join(SubmissionRevision, (col(SubmissionRevision.submission_id) == col(Submission.id))
              & (col(SubmissionRevision.revision) == col(Submission.revision)))
        .outerjoin(accepted, (col(accepted.submission_id) == col(Submission.id))
                   & (col(accepted.revision) == col(Submission.accepted_revision)))
        .where(col(Submission.plan_id) == plan.id, col(Submission.unit_id).in_(list(unit_ids))))
    return {(s.unit_id, s.year, s.kind): (s, current, counted)  # type: ignore[misc]
            for s, current, counted in rows.all()}


def refuse_unit_write(actor: Actor, submission: Submission | None) -> str | None:
    """Why this actor's import may not write into the submission (a unit cannot change an accepted one), or None."""
    if actor.role is Role.unit and submission is not None and submission.status == SubmissionStatus.accepted.value:
        return t("This submission was accepted by the committee office; ask the office to return it "
                 "for correction before changing it.")
    return None


async def open_import_revision(session: AsyncSession, actor: Actor, plan: Plan, unit: Unit, year: int,
                               kind: CycleKind, window: WriteWindow, existing: Submission | None,
                               previous_revision_id: int | None) -> ImportTarget:
    """The head and the new revision of an imported (unit, year, kind): an admin's lands accepted (office-reviewed,
    comment 批量导入), a unit's as submitted for review. The caller inserts the content, then calls
    :func:`close_import_revision`."""
    accept = actor.role is not Role.unit
    status = SubmissionStatus.accepted if accept else SubmissionStatus.submitted
    now = utcnow()
    review: dict[str, Any] = ({"accepted_revision": None, "reviewed_at": now, "review_comment": IMPORT_COMMENT}
                              if accept else {"review_comment": None})
    narrative = Narrative()
    if existing is None:
        before, formerly_accepted = None, None
        submission = Submission(plan_id=plan.id, unit_id=unit.id, cycle_id=window.cycle.id, year=year,  # type: ignore[arg-type]
                                kind=kind.value, status=status.value, revision=1, late=window.late, submitted_at=now,
                                **{k: v for k, v in review.items() if k != "accepted_revision"})
        if accept:
            submission.accepted_revision = 1
        try:
            async with session.begin_nested():
                session.add(submission)
                await session.flush()
        except IntegrityError as exc:
            raise Conflict(t("Unit {unit} already has a {year} {kind} submission.", unit=unit.code,
                             kind=kind_label(kind), year=year)) from exc
    else:
        submission, formerly_accepted = existing, existing.accepted_revision
        before = _summary(existing, plan.code, unit)
        changes: dict[str, Any] = {"revision": existing.revision + 1, "status": status.value, "updated_at": now,
                                   "submitted_at": now, "late": window.late, **review}
        if accept:
            changes["accepted_revision"] = existing.revision + 1
        if previous_revision_id is not None:
            previous = await session.get(SubmissionRevision, previous_revision_id)
            assert previous is not None
            narrative = Narrative(achievements=previous.achievements, problems=previous.problems,
                                  next_steps=previous.next_steps)
        await _compare_and_set(session, existing, (existing.revision, existing.status), changes)
    revision = await new_revision(session, actor, submission, SubmissionStatus.submitted, late=window.late,
                                  narrative=narrative)
    return ImportTarget(submission, before, previous_revision_id, revision.id, formerly_accepted)  # type: ignore[arg-type]


async def close_import_revision(session: AsyncSession, actor: Actor, plan: Plan, unit: Unit, target: ImportTarget,
                                counts: dict[str, int]) -> SubmissionSummary:
    """After the content is in: the verdict touches, the workflow event and the audit record of one import."""
    submission = target.submission
    if submission.late:
        touch_plan(session, plan.id, f"submission {submission.id} submitted late", [submission.year])  # type: ignore[arg-type]
    accepted = submission.status == SubmissionStatus.accepted.value
    if accepted:
        await _touch_accepted(session, submission, target.formerly_accepted)
    summary = _summary(submission, plan.code, unit)
    await emit(session, "submission.accepted" if accepted else "submission.submitted", f"submission:{submission.id}",
               summary.model_dump(mode="json"), plan_id=plan.id, year=submission.year)
    await record(session, actor, "submission.import", "submission", str(submission.id),
                 before=_audit_summary(target.before) if target.before else None,
                 after={**_audit_summary(summary), **counts})
    return summary


def _audit_summary(summary: SubmissionSummary) -> dict[str, Any]:
    # `current` too, for a SubmissionRead: dumping thousands of values to throw them away cost a big review 4 ms.
    return summary.model_dump(mode="json", exclude={"etag", "created_at", "unit_name", "plan_code", "current"})
