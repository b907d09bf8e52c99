"""API shapes for reporting cycles and their completeness."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.json_types import JsonDate, JsonInt
from app.models.enums import CycleKind, SubmissionStatus

CycleState = Literal["scheduled", "open", "overdue", "closed"]


class CycleRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "plan_code": "chaoyang-2021-2025", "year": 2023, "kind": "midterm", "opens_on": "2023-01-01",
        "due_on": "2023-12-31", "state": "open", "closed_at": None, "reopened_for": []}})

    plan_code: str
    year: int
    kind: CycleKind
    opens_on: date
    due_on: date
    state: CycleState = Field(description="scheduled (not open yet), open, overdue (past due, still accepting, "
                                          "marked late) or closed")
    closed_at: datetime | None
    reopened_for: list[str] = Field(description="Units allowed to write although the cycle is closed")


class CycleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"year": 2023, "kind": "midterm"}})

    year: JsonInt = Field(ge=1949, le=2100)
    kind: CycleKind = CycleKind.annual
    opens_on: JsonDate | None = Field(default=None, description="Default: 1 January of the year")
    due_on: JsonDate | None = Field(default=None, description="Default: 31 December of the year")


class CycleReopen(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"unit": "110105-wjw"}})

    unit: str = Field(min_length=1, max_length=60, description="The unit allowed to write again")


class UnitCompleteness(BaseModel):
    unit: str
    unit_name: str
    submission_id: int | None
    status: SubmissionStatus | Literal["not_submitted"] = Field(
        description="not_submitted when the unit has sent nothing or only a draft")
    late: bool
    submitted_at: datetime | None
    revision: int | None
    indicators_expected: list[str] = Field(description="Indicators the unit must report: those it is the "
                                           "data-source unit of, or leads a goal or measure with a target on")
    indicators_reported: list[str] = Field(description="Of those, reported in the submission it sent")
    indicators_missing: list[str] = Field(description="Of those, not reported yet")


class Completeness(BaseModel):
    cycle: CycleRead
    summary: dict[str, int] = Field(description="Units per status, `late`, and `indicators_missing` (all units)")
    units: list[UnitCompleteness] = Field(description="Every unit with an assignment in the plan")
