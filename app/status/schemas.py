"""API shapes for statuses and the change feed."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import TargetOp
from app.status.rules import METHODOLOGY_VERSION, Flag, Status


class ObservationRead(BaseModel):
    """One value the verdict rests on."""

    model_config = ConfigDict(frozen=True)  # part of a shared TargetStatus

    year: int
    value: float
    provisional: bool = Field(description="Submitted but not yet accepted")


class BreakdownScope(BaseModel):
    model_config = ConfigDict(frozen=True)  # part of a shared TargetStatus
    sex: Literal["total", "female", "male"] = "total"
    age_group: str = "all"
    area: Literal["all", "urban", "rural"] = "all"


class BreakdownStatus(BaseModel):
    """A target judged on one group's values (女性, 农村, 0-5岁 …) instead of its own scope."""

    model_config = ConfigDict(frozen=True)  # part of a shared TargetStatus

    dimension: Literal["sex", "age", "area"]
    group: str = Field(description="female/male, urban/rural, or the age group")
    status: Status
    label: str
    flags: list[Flag]
    rule: str
    explanation: str
    baseline: ObservationRead | None
    latest: ObservationRead | None


class StatusCounts(BaseModel):
    achieved: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    not_achieved: int = 0
    insufficient_data: int = 0
    no_data: int = 0


class TargetStatus(BaseModel):
    # Frozen: the stored verdicts, once parsed, are shared by the requests reading the same version.
    model_config = ConfigDict(frozen=True, json_schema_extra={"example": {
        "code": "W1.2a", "goal_code": "W1.2", "measure_code": None, "domain_code": "W1", "lead_unit": "110105-wjw",
        "indicator": "I003", "data_unit": "110105-wjw", "scope": {"sex": "total", "age_group": "all", "area": "all"},
        "metric": "孕产妇死亡率", "op": "<=", "value": 7.0, "unit": "1/10万", "due_year": 2025, "applies": True,
        "status": "at_risk", "label": "预计达标困难", "flags": [],
        "rule": "threshold.projection",
        "explanation": ("2023年孕产妇死亡率为8.1/10万，高于目标7/10万；"
                        "按2020年以来的年均变化推算，2025年约为7.6/10万，预计达标困难。"),
        "required": 7.0, "projected": 7.6, "progress": 0.58, "baseline": {"year": 2020, "value": 9.5,
                                                                           "provisional": False},
        "latest": {"year": 2023, "value": 8.1, "provisional": False}, "breakdowns": [],
        "methodology": METHODOLOGY_VERSION}})

    code: str
    goal_code: str | None
    measure_code: str | None
    domain_code: str
    lead_unit: str | None = Field(description="Code of the unit leading the goal or measure the target sits in")
    indicator: str = Field(description="Code of the indicator the target is on")
    data_unit: str | None = Field(description="Code of the unit whose value counts: the indicator's data-source "
                                              "unit, else the lead unit")
    scope: BreakdownScope = Field(description="The group the target is on; totals unless it names one")
    metric: str
    op: TargetOp
    value: float | None = Field(description="Threshold as written; null for trend targets")
    unit: str | None
    due_year: int
    applies: bool = Field(description="False for a milestone that does not apply in this year")
    status: Status
    label: str = Field(description="The status in the plans' own words")
    flags: list[Flag]
    rule: str = Field(description="Stable id of the rule applied (docs/status-rules.md)")
    explanation: str = Field(description="One Chinese sentence: values, years, required and projected values")
    required: float | None
    projected: float | None
    progress: float | None = Field(description="Projected share of the distance from baseline to target")
    baseline: ObservationRead | None
    latest: ObservationRead | None
    breakdowns: list[BreakdownStatus] = Field(default_factory=list, description=(
        "With `breakdown=sex|area|age`: the target judged on each group that has values"))
    methodology: str = Field(default=METHODOLOGY_VERSION, description=(
        "Version of the status rules that gave this verdict (docs/status-rules.md)"))


class GoalStatus(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_extra={"example": {
        "code": "W1.2", "domain_code": "W1", "title": None, "lead_unit": "110105-wjw", "qualitative": False,
        "status": "at_risk", "label": "预计达标困难", "flags": [], "rule": "goal.worst_of_targets",
        "explanation": "2项适用指标中1项已达标、1项预计达标困难，按最差一项（孕产妇死亡率）记为预计达标困难。",
        "targets": ["W1.2a", "W1.2b"], "methodology": METHODOLOGY_VERSION}})

    code: str
    domain_code: str
    title: str | None = Field(description="First sentence, for plans whose items mix goal and measure")
    lead_unit: str | None = Field(description="Code of the lead unit (牵头单位), if the goal is assigned")
    qualitative: bool = Field(description="No numeric or trend target: the status comes from task progress")
    status: Status
    label: str
    flags: list[Flag]
    rule: str
    explanation: str
    targets: list[str] = Field(description="Codes of the targets that decide the goal's status this year")
    methodology: str = Field(default=METHODOLOGY_VERSION, description=(
        "Version of the status rules that gave this verdict (docs/status-rules.md)"))


class GoalStatusDetail(BaseModel):
    """One goal's status with the status of each of its targets."""

    plan_code: str
    year: int
    include_provisional: bool
    as_of: date
    goal: GoalStatus
    targets: list[TargetStatus]


class DomainStatus(BaseModel):
    code: str
    title: str
    targets: StatusCounts
    goals: StatusCounts


class StatusSummary(BaseModel):
    targets: StatusCounts
    goals: StatusCounts


class PlanStatus(BaseModel):
    plan_code: str
    year: int
    include_provisional: bool
    as_of: date = Field(description="The day the status was computed (due dates are judged on it)")
    summary: StatusSummary
    domains: list[DomainStatus]
    targets: list[TargetStatus]
    goals: list[GoalStatus]


class StatusChangeRead(BaseModel):
    cursor: str = Field(description="Pass as `since` to get the changes after this one")
    plan_code: str
    year: int
    subject_type: Literal["target", "goal"]
    subject_code: str
    from_status: Status | None = Field(description="null the first time a status is published")
    to_status: Status
    from_flags: list[Flag] | None
    to_flags: list[Flag]
    explanation: str
    cause: str
    changed_at: datetime


class StatusChangePage(BaseModel):
    items: list[StatusChangeRead]
    next_cursor: str = Field(description="Poll again with it as `since`: the last item of a full page, else the "
                             "newest change of the feed")


class RefreshReport(BaseModel):
    plans: int
    years: int
    changes: int
