"""API shapes for submissions, their revisions and reviews."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.json_types import JsonBool, JsonFloat, JsonInt
from app.models.enums import CycleKind, SubmissionStatus, TaskProgress

Text = Annotated[str, StringConstraints(max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]

MAX_VALUES = 2000
MAX_TASKS = 1000


class ValueIn(BaseModel):
    """One observation: an indicator's value for the submission's year and one breakdown."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"example": {
        "indicator": "I003", "value": 6.8, "unit": "1/10万", "sex": "total", "age_group": "all", "area": "all",
        "source": "区卫生健康委妇幼卫生年报", "note": None, "justification": None}})

    indicator: Code | None = Field(default=None, description="Indicator code, e.g. I003 (see /plans/{plan}/indicators)")
    target: Code | None = Field(default=None, description=(
        "A target code, e.g. W1.2a, instead of the indicator: it stands for the target's indicator, so clients "
        "written before indicators keep working. Every target on that indicator uses the value."))
    value: JsonFloat
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        default=None, description=("Defaults to the named target's unit, else the indicator's; %, ‰, 1/万 and "
                                   "1/10万 are converted exactly into the indicator's unit"))
    sex: Literal["total", "female", "male"] = "total"
    age_group: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)] = Field(
        default="all", description="e.g. 0-5岁 (spelling is normalised: 0～5 岁 is 0-5岁); `all` for every age")
    area: Literal["all", "urban", "rural"] = "all"
    source: Short | None = Field(default=None, description="Data source (数据来源)")
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    justification: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None, description="Why the value is right although a check warned about it (说明)")


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "task": "W1.M1", "progress": "on_schedule", "description": "已完成年度筛查任务的80%"}})

    task: Code = Field(description="Goal or measure code assigned to the unit")
    progress: TaskProgress
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None


class Narrative(BaseModel):
    model_config = ConfigDict(extra="forbid")

    achievements: Text | None = Field(default=None, description="工作成效")
    problems: Text | None = Field(default=None, description="存在问题")
    next_steps: Text | None = Field(default=None, description="下一步计划")


class SubmissionContent(BaseModel):
    """What a unit reports; every save replaces it whole and becomes a new revision."""

    model_config = ConfigDict(extra="forbid")

    values: list[ValueIn] = Field(default_factory=list, max_length=MAX_VALUES)
    tasks: list[TaskIn] = Field(default_factory=list, max_length=MAX_TASKS)
    narrative: Narrative = Field(default_factory=Narrative)
    submit: JsonBool = Field(default=False, description="true sends it for review; false keeps it a draft")


class SubmissionCreate(SubmissionContent):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "year": 2023, "kind": "annual",
        "values": [{"indicator": "I003", "value": 6.8, "unit": "1/10万", "source": "妇幼卫生年报"},
                   {"target": "W1.2a", "value": 85.2, "unit": "%"}],
        "tasks": [{"task": "W1.2", "progress": "on_schedule", "description": "孕产妇系统管理率99.2%"}],
        "narrative": {"achievements": "……", "problems": "……", "next_steps": "……"}, "submit": False}})

    unit: str | None = Field(default=None, max_length=60,
                             description="Unit code; required for an admin acting on behalf of a unit")
    year: JsonInt = Field(ge=1949, le=2100)
    kind: CycleKind = CycleKind.annual


class SubmissionUpdate(SubmissionContent):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "values": [{"target": "W1.2a", "value": 6.9}], "tasks": [], "narrative": {}, "submit": True}})


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "decision": "return", "comment": "孕产妇死亡率请按户籍人口口径重新填报"}})

    decision: Literal["accept", "return"]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = Field(
        default=None, description="Required when returning")


class ValueWarningRead(BaseModel):
    code: str = Field(description="parts_exceed_total, parts_do_not_sum, total_outside_parts, outlier, "
                                  "unexpected_breakdown, unexpected_age_group")
    message: str
    params: dict[str, Any]


class ValueRead(BaseModel):
    indicator: str
    indicator_name: str
    target: str | None = Field(description="The target code the unit reported it under, if it named one")
    metric: str = Field(description="The named target's metric, else the indicator's name")
    value: float = Field(description="In the indicator's unit")
    unit: str | None
    reported_value: float
    reported_unit: str | None
    sex: str
    age_group: str
    area: str
    source: str | None
    note: str | None
    warnings: list[ValueWarningRead] = Field(description="Checks the value raised when it was saved")
    justification: str | None


class TaskRead(BaseModel):
    task: str
    task_type: Literal["goal", "measure"]
    progress: TaskProgress
    description: str | None


class RevisionRead(BaseModel):
    revision: int
    status: SubmissionStatus = Field(description="draft or submitted: what this save was")
    late: bool
    created_at: datetime
    created_by: str
    narrative: Narrative
    values: list[ValueRead]
    tasks: list[TaskRead]


class SubmissionSummary(BaseModel):
    id: int
    plan_code: str
    unit: str
    unit_name: str
    year: int
    kind: CycleKind
    status: SubmissionStatus
    revision: int = Field(description="Current revision")
    accepted_revision: int | None = Field(description="The revision the office accepted; the rules use it")
    late: bool
    review_comment: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    etag: str = Field(description="Send it back in If-Match when changing the submission")


class SubmissionRead(SubmissionSummary):
    current: RevisionRead


class FieldChange(BaseModel):
    key: str
    before: object | None
    after: object | None


class RevisionDiff(BaseModel):
    submission_id: int
    from_revision: int
    to_revision: int
    values: list[FieldChange] = Field(description="Per indicator and breakdown: added, removed or changed")
    tasks: list[FieldChange]
    narrative: list[FieldChange]
