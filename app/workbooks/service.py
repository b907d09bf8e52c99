"""The submission template's services: what goes into a unit's template, the cycle's ZIP, and an upload, which
becomes a submission through the submissions' own create and revise (the same validation, warnings and audit).

A template is built from a few batched queries whatever the number of units (the ZIP builds every unit's
from the same rows); the upload's dry run runs the real write in a savepoint and rolls it back, so it answers
exactly what the write would, warnings included.
"""

import zipfile
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.assignments.service import unit_by_code
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import DEFAULT_LOCALE, t, use_locale
from app.core.labels import kind_label
from app.cycles.service import cycle_by_key
from app.errors import ValidationFailed
from app.models import (
    Assignment,
    Goal,
    Indicator,
    Measure,
    Observation,
    Plan,
    ReportingCycle,
    Submission,
    SubmissionRevision,
    SubmissionTask,
    Target,
    Unit,
)
from app.models.enums import AssignmentRole, CycleKind
from app.plans.service import plan_by_code
from app.submissions import service as submissions
from app.submissions.observations import reportable_indicators
from app.submissions.schemas import Narrative, SubmissionCreate, SubmissionUpdate
from app.workbooks.schemas import TemplateUploadResult
from app.workbooks.template import (
    NARRATIVE_ROWS,
    SUMMARY,
    TASK_FIELDS,
    TASKS,
    VALUE_FIELDS,
    VALUES,
    CellRef,
    IndicatorRow,
    ReadTemplate,
    TaskRow,
    TemplateData,
    TemplateMeta,
    TemplateProblem,
    build_template,
    cell_error,
    cycle_name,
    file_name,
    read_template,
)

_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "≈": "≈", "==": "=", "increase": "提高", "decrease": "降低",
        "maintain": "保持在"}
_KIND_ORDER = {"annual": 0, "midterm": 1, "final": 2, "baseline": 3}  # which report of a year shows in history


async def unit_template(session: AsyncSession, actor: Actor, plan_code: str, year: int, kind: CycleKind,
                        unit_code: str) -> tuple[str, bytes]:
    """The template of one unit (a unit token: only its own), pre-filled with its current submission if any."""
    plan = await plan_by_code(session, plan_code)
    unit = await unit_by_code(session, unit_code)
    visibility.require_own_unit(actor, unit.id)
    _require_member(plan, unit)
    cycle = await cycle_by_key(session, plan, year, kind)
    (data,) = await _template_data(session, plan, cycle, [unit])
    return file_name(data), build_template(data)


async def cycle_templates(session: AsyncSession, plan_code: str, year: int, kind: CycleKind) -> tuple[str, bytes]:
    """One ZIP of every unit's template: the units with an assignment in the plan or an indicator to supply."""
    plan = await plan_by_code(session, plan_code)
    cycle = await cycle_by_key(session, plan, year, kind)
    supplying = select(col(Indicator.data_source_unit_id)).join(Target, col(Target.indicator_id) == col(Indicator.id)) \
        .where(col(Target.plan_id) == plan.id)
    assigned = select(col(Assignment.unit_id)).where(col(Assignment.plan_id) == plan.id)
    units = list((await session.execute(select(Unit).where(
        col(Unit.committee_id) == plan.committee_id, col(Unit.active).is_(True),
        or_(col(Unit.id).in_(assigned), col(Unit.id).in_(supplying))).order_by(col(Unit.code)))).scalars())
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for data in await _template_data(session, plan, cycle, units):
            out.writestr(file_name(data), build_template(data))  # UTF-8 names (the zip's language flag is set)
    with use_locale(DEFAULT_LOCALE):
        name = f"{plan.title}_{cycle_name(year, kind_label(kind))}填报模板.zip"
    return name, archive.getvalue()


async def upload_template(session: AsyncSession, actor: Actor, plan_code: str, year: int, kind: CycleKind,
                          unit_code: str, content: bytes, *, dry_run: bool, submit: bool, if_match: str | None,
                          today: date) -> TemplateUploadResult:
    """Create or revise the unit's submission of the cycle from a filled template (a dry run writes nothing)."""
    plan = await plan_by_code(session, plan_code)
    unit = await unit_by_code(session, unit_code)
    visibility.require_own_unit(actor, unit.id)
    _require_member(plan, unit)
    await cycle_by_key(session, plan, year, kind)
    try:
        filled = read_template(content)
    except TemplateProblem as problem:
        raise _refused(problem.errors) from None
    _require_same_template(filled.meta, TemplateMeta(plan=plan.code, year=year, kind=kind.value, unit=unit.code))
    existing = (await session.execute(select(Submission).where(
        col(Submission.plan_id) == plan.id, col(Submission.unit_id) == unit.id, col(Submission.year) == year,
        col(Submission.kind) == kind.value))).scalar_one_or_none()
    content_fields: dict[str, Any] = {"values": filled.values, "tasks": filled.tasks,
                                      "narrative": filled.narrative, "submit": submit}
    async with _rolled_back_if(session, dry_run):
        try:
            if existing is None:
                result = await submissions.create_submission(session, actor, plan.code, SubmissionCreate(
                    unit=unit.code, year=year, kind=kind, **content_fields), today)
            else:
                current = submissions.etag(existing.id, existing.revision, existing.status)  # type: ignore[arg-type]
                result = await submissions.update_submission(session, actor, existing.id,  # type: ignore[arg-type]
                                                             SubmissionUpdate(**content_fields), if_match or current,
                                                             today)
        except ValidationFailed as exc:
            raise _refused(_addressed(exc.errors or [], filled), str(exc.detail)) from None
    warnings = sum(len(value.warnings) for value in result.current.values)
    return TemplateUploadResult(
        dry_run=dry_run, action="create" if existing is None else "revise",
        submission_id=None if dry_run and existing is None else result.id,
        values=len(result.current.values), tasks=len(result.current.tasks), warnings=warnings,
        preview=result.current, submission=None if dry_run else result)


class TemplateRefused(ValidationFailed):
    """Unreadable, for another unit or cycle, or with cells the submission's checks refuse (422)."""


def _refused(errors: list[dict[str, Any]], detail: str | None = None) -> TemplateRefused:
    return TemplateRefused(detail or t("{count} problem(s) in the uploaded template; nothing was saved.",
                                       count=len(errors)), errors=errors)


def _require_member(plan: Plan, unit: Unit) -> None:
    if unit.committee_id != plan.committee_id:
        raise ValidationFailed.field("unit", t("unit {code} is not a member of this plan's committee", code=unit.code))


def _require_same_template(found: TemplateMeta, expected: TemplateMeta) -> None:
    """A template is for one plan, cycle and unit: uploaded anywhere else it is refused."""
    for code, mismatch in (("wrong_plan", found.plan != expected.plan),
                           ("wrong_cycle", (found.year, found.kind) != (expected.year, expected.kind)),
                           ("wrong_unit", found.unit != expected.unit)):
        if mismatch:
            raise _refused([{"field": "file", "code": code, "reason": t(
                "this template is for unit {unit}, plan {plan}, {year} {kind}; download the template of unit "
                "{expected_unit}, {expected_year} {expected_kind}", unit=found.unit, plan=found.plan,
                year=found.year, kind=kind_label(found.kind), expected_unit=expected.unit,
                expected_year=expected.year, expected_kind=kind_label(expected.kind))}])


def _addressed(errors: list[dict[str, Any]], filled: ReadTemplate) -> list[dict[str, Any]]:
    """The submission's errors (``values[3].value``) addressed to the template's cells (指标 第12行 K列)."""
    addressed = []
    for error in errors:
        path = str(error.get("field", ""))
        head, _, attribute = path.partition(".")
        name, _, index = head.partition("[")
        ref: CellRef | None = None
        if name in ("values", "tasks") and index.rstrip("]").isdigit():
            position = int(index.rstrip("]"))
            rows, sheet, columns = ((filled.value_rows, VALUES, VALUE_FIELDS) if name == "values"
                                    else (filled.task_rows, TASKS, TASK_FIELDS))
            if position < len(rows):
                ref = CellRef(sheet, rows[position], columns.get(attribute))
        elif name == "narrative" and attribute in NARRATIVE_ROWS:
            ref = CellRef(SUMMARY, NARRATIVE_ROWS[attribute][1], "B")
        if ref is None:
            addressed.append(error)
        else:
            addressed.append(cell_error(ref, str(error["reason"]), str(error.get("code") or "invalid"), path))
    return addressed


@asynccontextmanager
async def _rolled_back_if(session: AsyncSession, dry_run: bool) -> AsyncIterator[None]:
    """Run the block in a savepoint rolled back at its end when ``dry_run``: its writes, touches and hooks are
    undone, its answer kept."""
    if not dry_run:
        yield
        return
    info = dict(session.info)
    savepoint = await session.begin_nested()
    try:
        yield
    finally:
        await savepoint.rollback()
        session.info.clear()  # the verdict touches the write registered: nothing is left to recompute
        session.info.update(info)


# --- what a template holds -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Task:
    unit_id: int
    key: tuple[str, int]
    row: TaskRow


async def _template_data(session: AsyncSession, plan: Plan, cycle: ReportingCycle,
                         units: Sequence[Unit]) -> list[TemplateData]:
    """Every unit's template content from seven queries, whatever the number of units."""
    unit_ids = [u.id for u in units]
    tasks = await _assigned(session, plan, unit_ids)  # type: ignore[arg-type]
    targets = list((await session.execute(select(Target).where(col(Target.plan_id) == plan.id)
                                          .order_by(col(Target.seq), col(Target.id)))).scalars())
    indicators = {i.id: i for i in (await session.execute(select(Indicator).where(
        col(Indicator.id).in_({target.indicator_id for target in targets})))).scalars()}
    years = (cycle.year - 3, cycle.year - 2, cycle.year - 1)
    history = await _history(session, unit_ids, set(indicators), years)  # type: ignore[arg-type]
    current = await _current_content(session, plan, cycle, unit_ids)  # type: ignore[arg-type]
    targets_of: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        targets_of[target.indicator_id].append(target)
    kind = CycleKind(cycle.kind)
    with use_locale(DEFAULT_LOCALE):  # the workbook is Chinese whatever the request's language
        label = kind_label(kind)
    result = []
    for unit in units:
        own_tasks = [task for task in tasks if task.unit_id == unit.id]
        reportable = reportable_indicators(targets, indicators.values(), unit.id,  # type: ignore[arg-type]
                                           {task.key for task in own_tasks})
        values, task_progress, narrative = current.get(unit.id, ({}, {}, Narrative()))  # type: ignore[arg-type]
        rows: list[IndicatorRow] = []
        for indicator in sorted((indicators[i] for i in reportable), key=lambda i: i.code):
            assert indicator.id is not None and unit.id is not None
            on_it = targets_of[indicator.id]
            text = "\n".join(_target_text(target) for target in on_it)
            for sex, age, area in _breakdowns(indicator, on_it, [key[1:] for key in values if key[0] == indicator.id]):
                reported = values.get((indicator.id, sex, age, area), {})
                past = history.get((unit.id, indicator.id, sex, age, area), {})
                rows.append(IndicatorRow(
                    code=indicator.code, name=indicator.name, unit=indicator.unit, targets=text,
                    history=(past.get(years[0]), past.get(years[1]), past.get(years[2])), sex=sex, age_group=age,
                    area=area, value=reported.get("value"), source=reported.get("source"),
                    note=reported.get("note"), justification=reported.get("justification")))
        task_rows = [TaskRow(code=task.row.code, kind=task.row.kind, text=task.row.text, role=task.row.role,
                             **task_progress.get(task.key, {})) for task in own_tasks]
        ages = sorted({age for i in reportable for age in indicators[i].age_groups})
        result.append(TemplateData(
            meta=TemplateMeta(plan=plan.code, year=cycle.year, kind=kind.value, unit=unit.code),
            plan_title=plan.title, unit_name=unit.name, kind_label=label,
            opens_on=cycle.opens_on.isoformat(), due_on=cycle.due_on.isoformat(), indicators=rows, tasks=task_rows,
            narrative=narrative, age_groups=ages))
    return result


def _target_text(target: Target) -> str:
    """A target as the template shows it: its code and threshold (W1.2a：孕产妇死亡率 ≤ 7/10万), which the plan's
    sentence shared by several targets does not make plain; the plan's words when there is no threshold."""
    if target.value is None or target.op not in _OPS:
        return f"{target.code}：{target.source_text or target.metric}"
    year = f"（{target.year}年）" if target.year else ""
    unit = target.unit or ""
    unit = unit[1:] if unit.startswith("1/") else unit  # 7/10万, not 71/10万
    return f"{target.code}：{target.metric} {_OPS[target.op]} {target.value:g}{unit}{year}"


def _breakdowns(indicator: Indicator, targets: Sequence[Target],
                reported: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The rows of an indicator: the total, each part of each breakdown it expects, each part a target is on,
    and each one already reported; one dimension at a time, in that order."""
    rows = [("total", "all", "all")]
    if "sex" in indicator.breakdowns:
        rows += [("female", "all", "all"), ("male", "all", "all")]
    if "area" in indicator.breakdowns:
        rows += [("total", "all", "urban"), ("total", "all", "rural")]
    if "age" in indicator.breakdowns:
        rows += [("total", age, "all") for age in indicator.age_groups]
    rows += [(t.scope_sex or "total", t.scope_age_group or "all", t.scope_area or "all") for t in targets]
    rows += list(reported)
    return list(dict.fromkeys(rows))


async def _assigned(session: AsyncSession, plan: Plan, unit_ids: list[int]) -> list[_Task]:
    rows = await session.execute(
        select(col(Assignment.unit_id), col(Assignment.role), col(Goal.id), col(Goal.code), col(Goal.text),
               col(Measure.id), col(Measure.code), col(Measure.title))
        .outerjoin(Goal, col(Goal.id) == col(Assignment.goal_id))
        .outerjoin(Measure, col(Measure.id) == col(Assignment.measure_id))
        .where(col(Assignment.plan_id) == plan.id, col(Assignment.unit_id).in_(unit_ids))
        .order_by(col(Assignment.unit_id), col(Assignment.goal_id).is_(None), col(Goal.seq), col(Measure.seq),
                  col(Assignment.id)))
    tasks = []
    for unit_id, role, goal_id, goal_code, goal_text, measure_id, measure_code, measure_title in rows.all():
        is_goal = goal_id is not None
        key: tuple[str, int] = ("goal", goal_id) if is_goal else ("measure", measure_id)  # type: ignore[assignment]
        tasks.append(_Task(unit_id, key, TaskRow(
            code=goal_code if is_goal else measure_code, kind="goal" if is_goal else "measure",
            text=goal_text if is_goal else measure_title,
            role="牵头" if role == AssignmentRole.lead.value else "配合")))
    return tasks


async def _history(session: AsyncSession, unit_ids: list[int], indicator_ids: set[int],
                   years: tuple[int, ...]) -> dict[tuple[int, int, str, str, str], dict[int, float]]:
    """The units' accepted values of these indicators in these years, per unit, indicator and breakdown."""
    rows = await session.execute(
        select(col(Submission.unit_id), col(Submission.year), col(Submission.kind), col(Observation.indicator_id),
               col(Observation.sex), col(Observation.age_group), col(Observation.area), col(Observation.value))
        .join(SubmissionRevision, col(SubmissionRevision.id) == col(Observation.revision_id))
        .join(Submission, col(Submission.id) == col(SubmissionRevision.submission_id))
        .where(col(Submission.unit_id).in_(unit_ids), col(Submission.year).in_(years),
               col(SubmissionRevision.revision) == col(Submission.accepted_revision),
               col(Observation.indicator_id).in_(indicator_ids)))
    found: dict[tuple[int, int, str, str, str], dict[int, tuple[int, float]]] = defaultdict(dict)
    for unit_id, year, kind, indicator_id, sex, age, area, value in rows.all():
        key, rank = (unit_id, indicator_id, sex, age, area), _KIND_ORDER.get(kind, 9)
        if year not in found[key] or rank < found[key][year][0]:
            found[key][year] = (rank, value)
    return {key: {year: value for year, (_, value) in by_year.items()} for key, by_year in found.items()}


async def _current_content(session: AsyncSession, plan: Plan, cycle: ReportingCycle, unit_ids: list[int]) -> dict[
        int, tuple[dict[tuple[int, str, str, str], dict[str, Any]], dict[tuple[str, int], dict[str, Any]], Narrative]]:
    """Each unit's current revision of the cycle's submission: its values, task progress and narrative."""
    revisions = {revision.id: (unit_id, revision) for unit_id, revision in (await session.execute(
        select(col(Submission.unit_id), SubmissionRevision)
        .join(SubmissionRevision, (col(SubmissionRevision.submission_id) == col(Submission.id))
              & (col(SubmissionRevision.revision) == col(Submission.revision)))
        .where(col(Submission.plan_id) == plan.id, col(Submission.unit_id).in_(unit_ids),
               col(Submission.year) == cycle.year, col(Submission.kind) == cycle.kind))).all()}
    values: dict[int, dict[tuple[int, str, str, str], dict[str, Any]]] = defaultdict(dict)
    tasks: dict[int, dict[tuple[str, int], dict[str, Any]]] = defaultdict(dict)
    if revisions:
        for row in (await session.execute(select(Observation).where(
                col(Observation.revision_id).in_(revisions)))).scalars():
            values[revisions[row.revision_id][0]][(row.indicator_id, row.sex, row.age_group, row.area)] = {
                "value": row.value, "source": row.source, "note": row.note, "justification": row.justification}
        for task in (await session.execute(select(SubmissionTask).where(
                col(SubmissionTask.revision_id).in_(revisions)))).scalars():
            key = ("goal", task.goal_id) if task.goal_id is not None else ("measure", task.measure_id)
            tasks[revisions[task.revision_id][0]][key] = {  # type: ignore[index]
                "progress": task.progress, "description": task.description}
    return {unit_id: (values[unit_id], tasks[unit_id], Narrative(
        achievements=revision.achievements, problems=revision.problems, next_steps=revision.next_steps))
        for unit_id, revision in revisions.values()}

