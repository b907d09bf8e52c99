"""GraphQL types of the rules service: statuses with flags and explanation, summaries, and the change feed.

Built from the same API schemas REST returns (app/status/schemas.py), so both APIs say the same thing.
"""

from datetime import date, datetime
from enum import Enum

import strawberry

from app.models.enums import CycleKind
from app.reports.service import evaluation_report_url, status_report_url
from app.status.rules import Flag, Status
from app.status.schemas import BreakdownStatus as BreakdownStatusRead
from app.status.schemas import DomainStatus as DomainStatusRead
from app.status.schemas import GoalStatus as GoalStatusRead
from app.status.schemas import ObservationRead, StatusChangePage, StatusChangeRead
from app.status.schemas import PlanStatus as PlanStatusRead
from app.status.schemas import StatusCounts as StatusCountsRead
from app.status.schemas import TargetStatus as TargetStatusRead

strawberry.enum(Status, description="achieved 已达标, not_achieved 未达标, on_track 进展顺利, at_risk 预计达标困难, "
                                    "off_track 进展滞后, insufficient_data 数据不足, no_data 无数据")
strawberry.enum(Flag, description="volatile 波动较大, provisional (data not yet accepted), conflict (units reported "
                                  "different values), overdue (lead unit late), review (the parse needs a look), "
                                  "slipped (a milestone achieved in its due year is no longer met)")




@strawberry.enum(description="A dimension values are broken down by: sex (female/male), age (age groups), area "
                             "(urban/rural)")
class Breakdown(Enum):
    sex = "sex"
    age = "age"
    area = "area"


@strawberry.enum(description="An evaluation report: annual 年度监测报告, midterm 中期评估报告 (the plan's third "
                             "year), final 终期评估报告 (its last year)")
class EvaluationKind(Enum):
    annual = "annual"
    midterm = "midterm"
    final = "final"


# Observation, StatusCounts and DomainStatus are derived from the REST schemas (app/status/schemas.py): the same
# fields and descriptions, converted with from_pydantic, so the two APIs cannot drift apart.
@strawberry.experimental.pydantic.type(model=ObservationRead, all_fields=True,
                                       description="One value the verdict rests on.")
class Observation:
    pass


def _observation(read: ObservationRead | None) -> Observation | None:
    # Its fields are the schema's scalars: passed straight on (from_pydantic converts field by field, and a
    # dashboard makes two of these per target).
    return None if read is None else Observation(**dict(read))


@strawberry.type(description="A target judged on one group's values (女性, 农村, 0-5岁 …) instead of its own scope.")
class BreakdownStatus:
    dimension: Breakdown
    group: str = strawberry.field(description="female/male, urban/rural, or the age group")
    status: Status
    label: str
    flags: list[Flag]
    rule: str
    explanation: str
    baseline: Observation | None
    latest: Observation | None

    @classmethod
    def from_read(cls, read: BreakdownStatusRead) -> "BreakdownStatus":
        return cls(dimension=Breakdown(read.dimension), group=read.group, status=read.status, label=read.label,
                   flags=list(read.flags), rule=read.rule, explanation=read.explanation,
                   baseline=_observation(read.baseline), latest=_observation(read.latest))


@strawberry.type(description="The status of one target in one year, with the rule, the values and the reason.")
class TargetStatus:
    code: str
    goal_code: str | None
    measure_code: str | None
    domain_code: str
    lead_unit: str | None = strawberry.field(description="Unit leading the goal or measure the target sits in")
    metric: str
    due_year: int
    applies: bool = strawberry.field(description="False for a milestone that does not apply in this year")
    status: Status
    label: str = strawberry.field(description="The status in the plans' own words")
    flags: list[Flag]
    rule: str = strawberry.field(description="Stable id of the rule applied (docs/status-rules.md)")
    explanation: str = strawberry.field(description="One Chinese sentence: values, years, required and projected")
    required: float | None = strawberry.field(description="Value required in the due year")
    projected: float | None = strawberry.field(description="Value projected to the due year")
    progress: float | None = strawberry.field(description="Projected share of the baseline→target distance")
    baseline: Observation | None
    latest: Observation | None
    breakdowns: list[BreakdownStatus] = strawberry.field(description=(
        "With `breakdown`: the target judged on each group of that dimension that has values; else empty"))
    methodology: str = strawberry.field(description="Version of the status rules that gave this verdict")

    @classmethod
    def from_read(cls, read: TargetStatusRead) -> "TargetStatus":
        return cls(code=read.code, goal_code=read.goal_code, measure_code=read.measure_code,
                   domain_code=read.domain_code, lead_unit=read.lead_unit, metric=read.metric,
                   due_year=read.due_year, applies=read.applies, status=read.status, label=read.label,
                   flags=list(read.flags), rule=read.rule, explanation=read.explanation, required=read.required,
                   projected=read.projected, progress=read.progress,
                   baseline=_observation(read.baseline), latest=_observation(read.latest),
                   breakdowns=[BreakdownStatus.from_read(b) for b in read.breakdowns or ()],
                   methodology=read.methodology)


@strawberry.type(description="The status of one goal in one year: the worst of its targets', or, for a "
                             "qualitative goal, its lead unit's reported task progress.")
class GoalStatus:
    code: str
    domain_code: str
    title: str | None
    lead_unit: str | None
    qualitative: bool
    status: Status
    label: str
    flags: list[Flag]
    rule: str
    explanation: str
    targets: list[str] = strawberry.field(description="Codes of the targets that decide the status this year")
    methodology: str = strawberry.field(description="Version of the status rules that gave this verdict")

    @classmethod
    def from_read(cls, read: GoalStatusRead) -> "GoalStatus":
        return cls(code=read.code, domain_code=read.domain_code, title=read.title, lead_unit=read.lead_unit,
                   qualitative=read.qualitative, status=read.status, label=read.label, flags=list(read.flags),
                   rule=read.rule, explanation=read.explanation, targets=list(read.targets),
                   methodology=read.methodology)


@strawberry.experimental.pydantic.type(model=StatusCountsRead, all_fields=True, description=(
    "How many items have each status (milestones that do not apply are not counted)."))
class StatusCounts:
    pass


@strawberry.experimental.pydantic.type(model=DomainStatusRead, all_fields=True,
                                       description="Counts per status within one domain.")
class DomainStatus:
    pass


@strawberry.type(description="A plan's statuses for a year: counts for the plan and each domain, and the items.")
class PlanStatuses:
    plan_code: str
    year: int
    include_provisional: bool
    as_of: date = strawberry.field(description="The day the status was computed (due dates are judged on it)")
    target_counts: StatusCounts
    goal_counts: StatusCounts
    read: strawberry.Private[PlanStatusRead]

    # The lists are converted when asked: a dashboard reads the counts here and each item's status on its target
    # or goal, and converting every item for nothing cost it a seventh of its time.
    @strawberry.field
    def domains(self) -> list[DomainStatus]:
        return [DomainStatus.from_pydantic(d) for d in self.read.domains]

    @strawberry.field
    def targets(self) -> list[TargetStatus]:
        return [TargetStatus.from_read(t) for t in self.read.targets]

    @strawberry.field
    def goals(self) -> list[GoalStatus]:
        return [GoalStatus.from_read(g) for g in self.read.goals]

    @strawberry.field(description="Download of the plan's status report (XLSX) for this year, from the stored "
                                  "verdicts; for the office and readers (send the same token)")
    def status_report_url(self) -> str:
        return status_report_url(self.plan_code, self.year)

    @strawberry.field(description="Download of the evaluation report draft (DOCX) of this year and kind; the "
                                  "mid-term and final ones exist only in the year they are due")
    def evaluation_report_url(self, kind: EvaluationKind = EvaluationKind.annual) -> str:
        return evaluation_report_url(self.plan_code, self.year, CycleKind(kind.value))

    @classmethod
    def from_read(cls, read: PlanStatusRead) -> "PlanStatuses":
        return cls(plan_code=read.plan_code, year=read.year, include_provisional=read.include_provisional,
                   as_of=read.as_of, target_counts=StatusCounts.from_pydantic(read.summary.targets),
                   goal_counts=StatusCounts.from_pydantic(read.summary.goals), read=read)


@strawberry.type(description="One change of a published status or its flags.")
class StatusChange:
    cursor: str = strawberry.field(description="Pass as `since` to get the changes after this one")
    plan_code: str
    year: int
    subject_type: str = strawberry.field(description="target or goal")
    subject_code: str
    from_status: Status | None = strawberry.field(description="null the first time a status is published")
    to_status: Status
    from_flags: list[Flag] | None
    to_flags: list[Flag]
    explanation: str
    cause: str = strawberry.field(description="What triggered the change, e.g. `submission 12 accepted`")
    changed_at: datetime

    @classmethod
    def from_read(cls, read: StatusChangeRead) -> "StatusChange":
        return cls(cursor=read.cursor, plan_code=read.plan_code, year=read.year, subject_type=read.subject_type,
                   subject_code=read.subject_code, from_status=read.from_status, to_status=read.to_status,
                   from_flags=None if read.from_flags is None else list(read.from_flags),
                   to_flags=list(read.to_flags), explanation=read.explanation, cause=read.cause,
                   changed_at=read.changed_at)


@strawberry.type(description="A page of the change feed.")
class StatusChanges:
    items: list[StatusChange]
    next_cursor: str = strawberry.field(description="Poll again with this as `since` (`now` starts from the newest)")

    @classmethod
    def from_read(cls, read: StatusChangePage) -> "StatusChanges":
        return cls(items=[StatusChange.from_read(i) for i in read.items], next_cursor=read.next_cursor)
