"""GraphQL object types. Each is built from the API schema the service returns (never a table model).

Nested lists resolve through DataLoaders (app/graphql/loaders.py) or the same service call as REST.
`status(year: Int!)` on Plan, Goal and Target is left free for the status service: each type keeps its
plan code (a private field), so a loader keyed by (plan code, year) can resolve every status of a plan at once.
"""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON

from app.assignments import service as assignments_service
from app.assignments.schemas import AssignmentRead
from app.audit.schemas import AuditEventRead
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.pagination import MAX_LIMIT, PageParams
from app.cycles import service as cycles_service
from app.cycles.schemas import Completeness as CompletenessRead
from app.cycles.schemas import CycleRead
from app.errors import ValidationFailed
from app.graphql.context import Context
from app.graphql.enums import (
    AssignmentRole,
    CycleKind,
    Part,
    PlanKind,
    PlanStatus,
    Role,
    SubmissionStatus,
    TaskProgress,
)
from app.graphql.indicators import Indicator
from app.graphql.loaders import DomainRow, Evaluated, ItemRow, SubmissionFilterKey
from app.graphql.status import Breakdown, GoalStatus, PlanStatuses, TargetStatus
from app.indicators import service as indicators_service
from app.models.enums import CycleKind as CycleKindValue
from app.plans import service as plans_service
from app.plans.schemas import CommitteeRead, GoalRead, MeasureRead, PlanRead, TargetRead, TargetVersionRead
from app.status import service as status_service
from app.status.rules import Flag, Status
from app.submissions import service as submissions_service
from app.submissions.schemas import FieldChange as FieldChangeRead
from app.submissions.schemas import RevisionDiff as RevisionDiffRead
from app.submissions.schemas import RevisionRead, SubmissionRead, SubmissionSummary
from app.units.schemas import UnitRead

T = TypeVar("T")
Info = strawberry.Info[Context, None]

Limit = Annotated[int, strawberry.argument(description=f"Items per page (1–{MAX_LIMIT}).")]
Offset = Annotated[int, strawberry.argument(description="Items to skip.")]


Year = Annotated[int | None, strawberry.argument(description="The year asked, within the plan's years; default: "
                                                               "this year (or the plan's nearest year)")]
IncludeProvisional = Annotated[bool, strawberry.argument(
    description="Also use submitted values not yet accepted, flagged provisional (admin and reader only)")]

BreakdownArg = Annotated[Breakdown | None, strawberry.argument(
    description="Also judge every target on each group of this dimension that has values (`breakdowns`)")]


async def _evaluation(info: Info, plan_code: str, year: int | None, include_provisional: bool,
                      breakdown: Breakdown | None = None) -> status_service.PlanEvaluation:
    """The plan's statuses for the year, computed once per request however many fields ask the same."""
    actor = await info.context.actor()
    return await info.context.loaders.plan_evaluation(actor).load(
        (plan_code, year, include_provisional, breakdown.value if breakdown else None))


def _status_field(info: Info, plan_code: str, year: int | None, include_provisional: bool,
                  breakdown: Breakdown | None, shape: Callable[[Evaluated], T]) -> T:
    """`shape` of the plan's evaluation: at once when the request already has it, else an awaitable.

    A dashboard asks a status on every goal and target; answering the many that come after the evaluation
    without a coroutine and a task each keeps GraphQL's overhead close to REST's."""
    key = (plan_code, year, include_provisional, breakdown.value if breakdown else None)
    known = info.context.loaders.evaluated(info.context.known_actor(), key)
    if known is not None:
        return shape(known)

    async def later() -> T:
        await _evaluation(info, plan_code, year, include_provisional, breakdown)
        evaluated = info.context.loaders.evaluated(info.context.known_actor(), key)
        assert evaluated is not None  # the loader keeps what it answered
        return shape(evaluated)

    return later()  # type: ignore[return-value]  # graphql-core awaits what a resolver returns


def page_params(limit: int, offset: int) -> PageParams:
    """The same bounds as REST's `limit`/`offset` query parameters."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.field("limit", t("must be between 1 and {max}", max=MAX_LIMIT))
    if offset < 0:
        raise ValidationFailed.field("offset", t("must not be negative"))
    return PageParams(limit=limit, offset=offset)


def build(cls: type[T], model: BaseModel, **extra: Any) -> T:
    """An instance of a strawberry type from the like-named fields of an API schema."""
    names = _shared_fields(cls, type(model))  # type: ignore[arg-type]
    return cls(**{name: getattr(model, name) for name in names if name not in extra}, **extra)


@cache
def _shared_fields(cls: type, model: type[BaseModel]) -> tuple[str, ...]:
    """The plain (resolver-less) fields of a strawberry type that the API schema also has: a dashboard builds
    thousands of objects, so this is worked out once per pair of classes."""
    return tuple(f.python_name for f in cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
                 if f.base_resolver is None and (f.python_name in model.model_fields or hasattr(model, f.python_name)))


@strawberry.type(description="A list page: `items` and the `total` number of matching items.")
class Page(Generic[T]):
    items: list[T]
    total: int


@strawberry.type(name="PlanCounts", description="Sizes of a plan.")
class PlanCountsType:
    domains: int
    goals: int
    measures: int
    targets: int


# --- plans --------------------------------------------------------------------------------------------------

@strawberry.type(description="A district Working Committee on Women and Children (妇儿工委).")
class Committee:
    code: str = strawberry.field(description="GB/T 2260 division code of the district")
    name: str
    region: str

    @classmethod
    def from_read(cls, read: CommitteeRead) -> "Committee":
        return build(cls, read)


@strawberry.type(description="The part of the population a target is on; null is the whole population.")
class TargetScope:
    sex: str | None = strawberry.field(description="female or male; null: both sexes")
    age_group: str | None = strawberry.field(description="An age group such as 6-18岁; null: all ages")
    area: str | None = strawberry.field(description="urban or rural; null: urban and rural")


@strawberry.type(description="One version of a target: 1 is what the parser read, later ones the office's "
                             "curations.")
class TargetVersion:
    version: int
    fields: JSON = strawberry.field(description="The target's curatable fields in this version, and its parse_rule")
    comment: str | None
    created_by: str
    created_at: datetime

    @classmethod
    def from_read(cls, read: TargetVersionRead) -> "TargetVersion":
        return build(cls, read, fields=JSON(read.fields))


@strawberry.type(description="A numeric or trend target inside a goal or measure.")
class Target:
    code: str
    goal_code: str | None = strawberry.field(description="The goal holding it (null when it sits in a measure)")
    measure_code: str | None
    metric: str = strawberry.field(description="The indicator the number belongs to")
    op: str = strawberry.field(description=">=, >, <=, <, ≈, ==, increase, decrease or maintain")
    value: float | None = strawberry.field(description="Threshold; null for trend targets")
    unit: str | None = strawberry.field(description="Unit as written in the plan: %, ‰, 1/10万, 个百分点 …")
    year: int | None = strawberry.field(description="Milestone year as written; null when the plan does not say")
    due_year: int = strawberry.field(description="`year`, else the plan's end year")
    per_year: bool
    baseline_year: int | None
    baseline_value: float | None
    tolerance: float | None
    direction: str | None
    review: bool = strawberry.field(description="The parse needs a human look")
    review_reason: str | None
    source_text: str | None
    parse_rule: str | None = strawberry.field(description="Id of the parser rule that read it from the plan text; "
                                                          "null when the office corrected the reading (curation) "
                                                          "or it was imported before rule ids were kept")
    indicator_code: str = strawberry.field(description="Code of the committee's indicator it measures "
                                                       "(REST: `indicator`)")
    indicator_name: str
    scope: TargetScope = strawberry.field(description="The part of the population the target is on")
    baseline_source: str | None
    version: int = strawberry.field(description="1 as parsed from the plan; each curation adds one")
    review_comment: str | None = strawberry.field(description="The office's comment when it checked the target")
    curated_at: datetime | None
    etag: str = strawberry.field(description="Pass it as `etag` to curateTarget")
    plan_code: strawberry.Private[str]

    @classmethod
    def from_read(cls, read: TargetRead, plan_code: str) -> "Target":
        return build(cls, read, op=read.op.value, plan_code=plan_code, indicator_code=read.indicator,
                     scope=build(TargetScope, read.scope))

    @strawberry.field(description="Every version, oldest first: what the parser read, then each curation")
    async def versions(self, info: Info) -> list[TargetVersion]:
        reads = await info.context.loaders.target_versions.load((self.plan_code, self.code))
        return [TargetVersion.from_read(read) for read in reads]

    @strawberry.field(description="The target's status in a year (default: this year) with flags and explanation")
    def status(self, info: Info, year: Year = None, include_provisional: IncludeProvisional = False,
               breakdown: BreakdownArg = None) -> TargetStatus:
        return _status_field(info, self.plan_code, year, include_provisional, breakdown,
                             lambda evaluated: TargetStatus.from_read(evaluated.target(self.code)))

    @strawberry.field(description="The indicator the target measures, with its targets in every plan of the "
                                  "committee")
    async def indicator(self, info: Info) -> Indicator:
        read = await info.context.loaders.indicator_by_target.load((self.plan_code, self.code))
        assert read is not None
        return Indicator.from_read(read, self.plan_code)


def _targets(preloaded: list[TargetRead] | None, plan_code: str,
             load: Callable[[], Awaitable[list[TargetRead]]]) -> list[Target]:
    """A goal's or measure's targets: at once when its page brought them, else through their loader."""
    if preloaded is not None:
        return [Target.from_read(read, plan_code) for read in preloaded]

    async def later() -> list[Target]:
        return [Target.from_read(read, plan_code) for read in await load()]

    return later()  # type: ignore[return-value]  # graphql-core awaits what a resolver returns


@strawberry.type(description="One 主要目标 item, verbatim, with its targets.")
class Goal:
    code: str = strawberry.field(description="Domain code and position, e.g. W1.2")
    domain_code: str
    seq: int
    number: str | None = strawberry.field(description="The number as printed in the plan")
    title: str | None = strawberry.field(description="First sentence, for plans whose items mix goal and measure")
    text: str
    plan_code: strawberry.Private[str]
    db_id: strawberry.Private[int | None] = None
    preloaded_targets: strawberry.Private[list[TargetRead] | None] = None

    @classmethod
    def from_read(cls, read: GoalRead, plan_code: str) -> "Goal":
        return build(cls, read, plan_code=plan_code, preloaded_targets=read.targets)

    @classmethod
    def from_row(cls, row: ItemRow) -> "Goal":
        goal = row.item
        return cls(code=goal.code, domain_code=row.domain_code, seq=goal.seq, number=goal.number,
                   title=goal.title, text=goal.text, plan_code=row.plan_code, db_id=row.id)

    @strawberry.field(description="The goal's targets, in plan order")
    def targets(self, info: Info) -> list[Target]:
        return _targets(self.preloaded_targets, self.plan_code, lambda: info.context.loaders.targets_by_goal.load(
            self.db_id))  # type: ignore[arg-type]

    @strawberry.field(description="The goal's status in a year (default: this year): the worst of its targets', "
                                  "or its lead unit's task progress")
    def status(self, info: Info, year: Year = None, include_provisional: IncludeProvisional = False) -> GoalStatus:
        return _status_field(info, self.plan_code, year, include_provisional, None,
                             lambda evaluated: GoalStatus.from_read(evaluated.goal(self.code)))


@strawberry.type(description="One 策略措施 item, verbatim.")
class Measure:
    code: str = strawberry.field(description="Domain code, M and position, e.g. W1.M3")
    domain_code: str
    seq: int
    number: str | None
    title: str = strawberry.field(description="First sentence of the item")
    text: str
    plan_code: strawberry.Private[str]
    db_id: strawberry.Private[int | None] = None
    preloaded_targets: strawberry.Private[list[TargetRead] | None] = None

    @classmethod
    def from_read(cls, read: MeasureRead, plan_code: str) -> "Measure":
        return build(cls, read, plan_code=plan_code, preloaded_targets=read.targets)

    @classmethod
    def from_row(cls, row: ItemRow) -> "Measure":
        measure = row.item
        return cls(code=measure.code, domain_code=row.domain_code, seq=measure.seq, number=measure.number,
                   title=measure.title or "", text=measure.text, plan_code=row.plan_code, db_id=row.id)

    @strawberry.field(description="Targets a plan put inside this measure")
    def targets(self, info: Info) -> list[Target]:
        return _targets(self.preloaded_targets, self.plan_code, lambda: info.context.loaders.targets_by_measure.load(
            self.db_id))  # type: ignore[arg-type]


@strawberry.type(description="领域: one chapter of a plan.")
class Domain:
    code: str = strawberry.field(description="Part letter and position: W1, C2 …")
    part: Part
    seq: int
    title: str
    subtitle: str | None
    inferred: bool = strawberry.field(description="The heading was missing in the text and recovered from its order")
    db_id: strawberry.Private[int]
    plan_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: DomainRow) -> "Domain":
        return build(cls, row.read, part=Part(row.read.part.value), db_id=row.id, plan_code=row.plan_code)

    @strawberry.field(description="The domain's goals in order, each with its targets")
    async def goals(self, info: Info) -> list[Goal]:
        return [Goal.from_row(row) for row in await info.context.loaders.goals_by_domain.load(self.db_id)]

    @strawberry.field(description="The domain's measures in order")
    async def measures(self, info: Info) -> list[Measure]:
        return [Measure.from_row(row) for row in await info.context.loaders.measures_by_domain.load(self.db_id)]


# --- units, assignments, cycles ------------------------------------------------------------------------------

@strawberry.type(description="A goal or measure assigned to a member unit (任务分解).")
class Assignment:
    id: int
    plan_code: str
    task: str = strawberry.field(description="Goal or measure code")
    task_type: str = strawberry.field(description="goal or measure")
    unit: str = strawberry.field(description="Unit code")
    unit_name: str
    role: AssignmentRole
    is_example: bool = strawberry.field(description="Example decomposition loaded by `seed --demo`")

    @classmethod
    def from_read(cls, read: AssignmentRead) -> "Assignment":
        return build(cls, read)


@strawberry.type(description="Where a unit stands in a cycle.")
class UnitCompleteness:
    unit: str
    unit_name: str
    submission_id: int | None
    status: str = strawberry.field(description="draft never counts: not_submitted, submitted, returned, accepted")
    late: bool
    submitted_at: datetime | None
    revision: int | None


@strawberry.type(description="Which assigned units have submitted, are late, or have sent nothing.")
class Completeness:
    summary: JSON = strawberry.field(description="Units per status, and `late`")
    units: list[UnitCompleteness]
    cycle: "Cycle"

    @classmethod
    def from_read(cls, read: CompletenessRead) -> "Completeness":
        return cls(summary=JSON(read.summary), units=[build(UnitCompleteness, u) for u in read.units],
                   cycle=Cycle.from_read(read.cycle))


@strawberry.type(description="A reporting window for one plan and year.")
class Cycle:
    plan_code: str
    year: int
    kind: CycleKind
    opens_on: date
    due_on: date
    state: str = strawberry.field(description="scheduled, open, overdue (still accepting, marked late) or closed")
    closed_at: datetime | None
    reopened_for: list[str] = strawberry.field(description="Units allowed to write although the cycle is closed")

    @classmethod
    def from_read(cls, read: CycleRead) -> "Cycle":
        return build(cls, read)

    @strawberry.field(description="REST path of a unit's Excel submission template for this cycle (GET to "
                                  "download, POST the filled file to submit it)")
    def template_url(self, unit: str) -> str:
        return f"/api/v1/plans/{quote(self.plan_code)}/cycles/{self.year}/{self.kind.value}/units/{quote(unit)}" \
            "/template.xlsx"

    @strawberry.field(description="REST path of the ZIP of every unit's template for this cycle (admin)")
    def templates_zip_url(self) -> str:
        return f"/api/v1/plans/{quote(self.plan_code)}/cycles/{self.year}/{self.kind.value}/templates.zip"

    @strawberry.field(description="Which units have submitted (admin, reader; null with an error for a unit "
                                  "token, so the rest of the answer stands)")
    async def completeness(self, info: Info) -> Completeness | None:
        actor = await info.context.actor()
        read = await info.context.loaders.completeness(actor).load(
            (self.plan_code, self.year, CycleKindValue(self.kind.value)))
        return Completeness.from_read(read)


# --- submissions --------------------------------------------------------------------------------------------

@strawberry.type(description="工作成效, 存在问题, 下一步计划")
class Narrative:
    achievements: str | None
    problems: str | None
    next_steps: str | None


@strawberry.type(description="A check a reported value raised when it was saved (never a refusal).")
class ValueWarning:
    code: str
    message: str
    params: JSON


@strawberry.type(description="One reported number: an observation of an indicator for one breakdown.")
class Value:
    indicator: str
    indicator_name: str
    target: str | None = strawberry.field(description="The target code it was reported under, if any")
    metric: str
    value: float = strawberry.field(description="In the indicator's unit")
    unit: str | None
    reported_value: float
    reported_unit: str | None
    sex: str
    age_group: str
    area: str
    source: str | None
    note: str | None
    warnings: list[ValueWarning]
    justification: str | None


@strawberry.type(description="Progress a unit reports on one assigned goal or measure.")
class TaskReport:
    task: str
    task_type: str
    progress: TaskProgress
    description: str | None


@strawberry.type(description="One immutable save of a submission.")
class Revision:
    revision: int
    status: SubmissionStatus = strawberry.field(description="draft or submitted: what this save was")
    late: bool
    created_at: datetime
    created_by: str
    narrative: Narrative
    values: list[Value]
    tasks: list[TaskReport]

    @classmethod
    def from_read(cls, read: RevisionRead) -> "Revision":
        return build(cls, read, narrative=build(Narrative, read.narrative),
                     values=[build(Value, v, warnings=[build(ValueWarning, w) for w in v.warnings])
                             for v in read.values],
                     tasks=[build(TaskReport, t) for t in read.tasks])


@strawberry.type(description="An added, removed or changed item between two revisions.")
class FieldChange:
    key: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_read(cls, read: FieldChangeRead) -> "FieldChange":
        return cls(key=read.key, before=JSON(read.before), after=JSON(read.after))


@strawberry.type(description="What changed between two revisions.")
class RevisionDiff:
    submission_id: int
    from_revision: int
    to_revision: int
    values: list[FieldChange]
    tasks: list[FieldChange]
    narrative: list[FieldChange]

    @classmethod
    def from_read(cls, read: RevisionDiffRead) -> "RevisionDiff":
        return build(cls, read, values=[FieldChange.from_read(c) for c in read.values],
                     tasks=[FieldChange.from_read(c) for c in read.tasks],
                     narrative=[FieldChange.from_read(c) for c in read.narrative])


@strawberry.type(description="One unit's self-assessment for a plan, year and kind, with its review.")
class Submission:
    id: int
    plan_code: str
    unit: str
    unit_name: str
    year: int
    kind: CycleKind
    status: SubmissionStatus
    revision: int = strawberry.field(description="Current revision")
    accepted_revision: int | None = strawberry.field(description="The revision the office accepted")
    late: bool
    review_comment: str | None = strawberry.field(description="The office's comment when it returned the submission")
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    etag: str = strawberry.field(description="Pass it as `ifMatch` when changing the submission")
    preloaded_current: strawberry.Private[RevisionRead | None] = None

    @classmethod
    def from_read(cls, read: SubmissionSummary) -> "Submission":
        current = read.current if isinstance(read, SubmissionRead) else None
        return build(cls, read, preloaded_current=current)

    @strawberry.field(description="The current revision: values, task progress and narrative")
    async def current(self, info: Info) -> Revision:
        read = self.preloaded_current or await info.context.loaders.revision.load((self.id, self.revision))
        assert read is not None
        return Revision.from_read(read)

    @strawberry.field(description="Every revision, oldest first")
    async def revisions(self, info: Info) -> list[Revision]:
        actor = await info.context.actor()
        reads = await info.context.loaders.revisions(actor).load(self.id)
        return [Revision.from_read(read) for read in reads]

    @strawberry.field(description="What changed between two revisions")
    async def diff(self, info: Info, from_revision: int, to_revision: int) -> RevisionDiff:
        actor = await info.context.actor()
        read = await info.context.loaders.diffs(actor).load((self.id, from_revision, to_revision))
        return RevisionDiff.from_read(read)


@strawberry.type(description="A member unit (成员单位).")
class Unit:
    code: str
    committee_code: str
    name: str
    active: bool = strawberry.field(description="Deactivated units keep their history but can no longer sign in")
    is_example: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_read(cls, read: UnitRead) -> "Unit":
        return build(cls, read)

    async def _own_unit_actor(self, info: Info) -> Actor:
        actor = await info.context.actor()
        visibility.require_own_unit(actor, unit_code=self.code)
        return actor

    @strawberry.field(description="What the unit is assigned, across plans (a unit token: its own only)")
    async def assignments(self, info: Info, limit: Limit = 50, offset: Offset = 0) -> Page[Assignment] | None:
        page = page_params(limit, offset)
        await self._own_unit_actor(info)
        items, total = await info.context.loaders.assignments_by_unit(page).load(self.code)
        return Page(items=[Assignment.from_read(a) for a in items], total=total)

    @strawberry.field(description="The unit's submissions, newest year first (a unit token: its own only; "
                                  "readers never see drafts)")
    async def submissions(self, info: Info, plan: str | None = None, year: int | None = None,
                          kind: CycleKind | None = None, status: SubmissionStatus | None = None,
                          limit: Limit = 50, offset: Offset = 0) -> Page[Submission] | None:
        page = page_params(limit, offset)
        actor = await self._own_unit_actor(info)
        filters = SubmissionFilterKey(plan=plan, year=year, kind=kind.value if kind else None,
                                      status=status.value if status else None)
        items, total = await info.context.loaders.submissions_by_unit(actor, filters, page).load(self.code)
        return Page(items=[Submission.from_read(s) for s in items], total=total)


# --- the plan -----------------------------------------------------------------------------------------------

@strawberry.type(description="A development plan (妇女儿童发展规划): domains → goals → targets, and its cycles.")
class Plan:
    code: str = strawberry.field(description="Stable slug, e.g. chaoyang-2021-2025")
    committee_code: str
    title: str
    kind: PlanKind
    start_year: int
    end_year: int
    doc_number: str | None
    issued_date: date | None
    publication_status: PlanStatus = strawberry.field(
        description="draft or published (REST: `status`; `status(year)` is the target status)")
    source_file: str | None

    @classmethod
    def from_read(cls, read: PlanRead) -> "Plan":
        return build(cls, read, publication_status=read.status)

    @strawberry.field(description="Statuses of every target and goal for a year (default: this year), with counts "
                                  "per status; filtered as in REST")
    async def status(self, info: Info, year: Year = None, include_provisional: IncludeProvisional = False,
                     domain: str | None = None, unit: str | None = None, status: Status | None = None,
                     flag: Flag | None = None, breakdown: BreakdownArg = None) -> PlanStatuses:
        evaluation = await _evaluation(info, self.code, year, include_provisional, breakdown)
        return PlanStatuses.from_read(status_service.summarise(
            evaluation, status_service.StatusFilter(domain=domain, unit=unit, status=status, flag=flag)))

    @strawberry.field(description="How many domains, goals, measures and targets the plan has")
    async def counts(self, info: Info) -> PlanCountsType:
        read = await info.context.loaders.counts_by_plan.load(self.code)
        return PlanCountsType(**read.model_dump())

    @strawberry.field(description="The committee that issued the plan")
    async def committee(self, info: Info) -> Committee:
        read = await info.context.loaders.committee.load(self.committee_code)
        assert read is not None
        return Committee.from_read(read)

    @strawberry.field(description="Domains in plan order (women's part first)")
    async def domains(self, info: Info) -> list[Domain]:
        return [Domain.from_row(row) for row in await info.context.loaders.domains_by_plan.load(self.code)]

    @strawberry.field(description="Goals with their targets, filtered as in REST")
    async def goals(self, info: Info, domain: str | None = None, part: Part | None = None,
                    unit: str | None = None, role: AssignmentRole | None = None, has_targets: bool | None = None,
                    q: str | None = None, limit: Limit = 50, offset: Offset = 0) -> Page[Goal]:
        filters = plans_service.ItemFilter(domain=domain, part=part.value if part else None, unit=unit,
                                           role=role.value if role else None, q=q, has_targets=has_targets)
        page = page_params(limit, offset)
        actor = await info.context.actor()
        items, total = await info.context.loaders.goals_of_plans(actor, filters, page).load(self.code)
        return Page(items=[Goal.from_read(g, self.code) for g in items], total=total)

    @strawberry.field(description="Measures with their targets, filtered as in REST")
    async def measures(self, info: Info, domain: str | None = None, part: Part | None = None,
                       unit: str | None = None, role: AssignmentRole | None = None, q: str | None = None,
                       limit: Limit = 50, offset: Offset = 0) -> Page[Measure]:
        filters = plans_service.ItemFilter(domain=domain, part=part.value if part else None, unit=unit,
                                           role=role.value if role else None, q=q)
        page = page_params(limit, offset)
        actor = await info.context.actor()
        items, total = await info.context.loaders.measures_of_plans(actor, filters, page).load(self.code)
        return Page(items=[Measure.from_read(m, self.code) for m in items], total=total)

    @strawberry.field(description="All targets of the plan, filtered as in REST")
    async def targets(self, info: Info, domain: str | None = None, op: str | None = None,
                      review: bool | None = None, q: str | None = None,
                      limit: Limit = 50, offset: Offset = 0) -> Page[Target]:
        filters = plans_service.TargetFilter(domain=domain, op=op, review=review, q=q)
        items, total = await info.context.loaders.targets_of_plans(filters, page_params(limit, offset)).load(self.code)
        return Page(items=[Target.from_read(t, self.code) for t in items], total=total)

    @strawberry.field(description="The indicators the plan's targets measure, in plan order, each with this plan's "
                                  "targets; filtered as in REST")
    async def indicators(self, info: Info, q: str | None = None, review: bool | None = None,
                         limit: Limit = 50, offset: Offset = 0) -> Page[Indicator]:
        items, total = await info.context.loaders.indicators_of_plans(
            indicators_service.IndicatorFilter(q=q, review=review), page_params(limit, offset)).load(self.code)
        return Page(items=[Indicator.from_read(i, self.code) for i in items], total=total)

    @strawberry.field(description="One indicator of the plan's committee, with its targets in every plan")
    async def indicator(self, info: Info, code: str) -> Indicator:
        read = await info.context.loaders.indicator_by_code.load((self.code, code))
        return Indicator.from_read(read, self.code)

    @strawberry.field(description="Reporting cycles by year")
    async def cycles(self, info: Info) -> list[Cycle]:
        return [Cycle.from_read(c) for c in await info.context.loaders.cycles_by_plan.load(self.code)]

    @strawberry.field(description="One reporting cycle")
    async def cycle(self, info: Info, year: int, kind: CycleKind = CycleKind.annual) -> Cycle:
        cycles = await info.context.loaders.cycles_by_plan.load(self.code)
        return Cycle.from_read(cycles_service.cycle_among(cycles, self.code, year, CycleKindValue(kind.value)))

    @strawberry.field(description="Task decomposition (a unit token sees its own assignments)")
    async def assignments(self, info: Info, unit: str | None = None, task: str | None = None,
                          role: AssignmentRole | None = None, limit: Limit = 50,
                          offset: Offset = 0) -> Page[Assignment]:
        actor = await info.context.actor()
        filters = assignments_service.AssignmentFilter(unit=unit, task=task, role=role.value if role else None)
        items, total = await info.context.loaders.assignments_of_plans(actor, filters, page_params(limit, offset)) \
            .load(self.code)
        return Page(items=[Assignment.from_read(a) for a in items], total=total)

    @strawberry.field(description="Submissions (a unit sees its own; readers never see drafts)")
    async def submissions(self, info: Info, year: int | None = None, kind: CycleKind | None = None,
                          unit: str | None = None, status: SubmissionStatus | None = None,
                          limit: Limit = 50, offset: Offset = 0) -> Page[Submission]:
        actor = await info.context.actor()
        filters = submissions_service.SubmissionFilter(year=year, kind=kind.value if kind else None, unit=unit,
                                                       status=status.value if status else None)
        items, total = await info.context.loaders.submissions_of_plans(actor, filters, page_params(limit, offset)) \
            .load(self.code)
        return Page(items=[Submission.from_read(s) for s in items], total=total)


# --- audit and the caller ----------------------------------------------------------------------------------

@strawberry.type(description="Who did what when, with before/after (append-only).")
class AuditEvent:
    id: int
    at: datetime
    actor: str
    actor_role: str
    token_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_read(cls, read: AuditEventRead) -> "AuditEvent":
        return build(cls, read)


@strawberry.type(description="The caller, as its token says.")
class Viewer:
    name: str
    role: Role
    unit_code: str | None
