"""API shapes for the indicator catalogue, its time series and the office's edits."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.json_types import JsonBool, JsonInt
from app.models.enums import CycleKind, TargetOp
from app.status.schemas import BreakdownScope

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Dimension = Literal["sex", "age", "area"]


class IndicatorTargetRead(BaseModel):
    """A target or milestone on the indicator."""

    plan_code: str
    code: str
    metric: str = Field(description="The indicator as this target words it")
    op: TargetOp
    value: float | None
    unit: str | None
    due_year: int
    scope: BreakdownScope = Field(description="The group the target is on; totals unless it names one")


class IndicatorRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "I003", "name": "孕产妇死亡率", "unit": "1/10万", "direction": "lower", "definition": None,
        "data_source_unit": "110105-wjw", "breakdowns": ["area"], "age_groups": [], "precision": 1,
        "national_code": None, "review": False, "review_reason": None, "merged_into": None,
        "targets": [{"plan_code": "chaoyang-2021-2025", "code": "W1.2a", "metric": "孕产妇死亡率", "op": "<=",
                     "value": 7.0, "unit": "1/10万", "due_year": 2025,
                     "scope": {"sex": "total", "age_group": "all", "area": "all"}}]}})

    code: str = Field(description="Stable within the committee, e.g. I003")
    name: str
    unit: str | None = Field(description="The unit observations are stored in (not editable)")
    direction: Literal["higher", "lower"] | None = Field(description="Which way is better")
    definition: str | None
    data_source_unit: str | None = Field(description="Code of the unit whose value counts, if set")
    breakdowns: list[Dimension] = Field(description="Breakdowns the office expects: sex, age, area")
    age_groups: list[str] = Field(description="Age groups the office expects (controlled list)")
    precision: int | None = Field(description="Decimals a change must exceed to count")
    national_code: str | None = Field(description="Code in the national indicator system, to compare districts")
    review: bool = Field(description="An inferred merge or split the office should check")
    review_reason: str | None
    merged_into: str | None = Field(description="The indicator this one was merged into (it is no longer listed)")
    targets: list[IndicatorTargetRead] = Field(description="Targets on it: of this plan in lists, of every plan of "
                                                           "the committee for one indicator")


class IndicatorObservationRead(BaseModel):
    year: int
    unit: str = Field(description="Code of the reporting unit")
    unit_name: str
    kind: CycleKind = Field(description="The cycle the value was reported in")
    sex: Literal["total", "female", "male"]
    age_group: str
    area: Literal["all", "urban", "rural"]
    value: float = Field(description="In the indicator's unit")
    measure_unit: str | None = Field(description="The unit of measure of `value`")
    reported_value: float = Field(description="As the unit sent it")
    reported_unit: str | None
    source: str | None
    note: str | None
    provisional: bool = Field(description="Submitted, not yet accepted (only with include=provisional)")
    submission_id: int
    revision: int
    warnings: list[dict[str, object]] = Field(description="Checks it raised when it was saved: code, message, params")
    justification: str | None


class ObservationSeries(BaseModel):
    indicator: IndicatorRead
    items: list[IndicatorObservationRead] = Field(description="Oldest first")


class ReviewResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolved: JsonBool = Field(description="true clears the review flag; false keeps (or sets) it")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None, description="The office's check, kept as the review reason")


class IndicatorUpdate(BaseModel):
    """Fields left out are kept; `null` clears an optional field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "data_source_unit": "110105-wjw", "breakdowns": ["area"], "precision": 1,
        "review": {"resolved": True, "comment": "与全省指标体系一致"}}})

    name: Name | None = None
    definition: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = None
    direction: Literal["higher", "lower"] | None = None
    data_source_unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = (
        Field(default=None, description="Unit code of the committee; null: the lead unit's value counts"))
    breakdowns: list[Dimension] | None = Field(default=None, max_length=3)
    age_groups: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]] | None = (
        Field(default=None, max_length=50, description="Each from the controlled list (spelling is normalised)"))
    precision: Annotated[JsonInt, Field(ge=0, le=6)] | None = None
    national_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    review: ReviewResolution | None = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"into": "I002"}})

    into: Code = Field(description="The indicator that takes this one's targets and observations")


class SplitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "targets": ["W1.2d"], "name": "孕产妇死亡率（2030年）"}})

    targets: list[Code] = Field(min_length=1, max_length=500, description="Target codes of this plan that move")
    name: Name = Field(description="Name of the new indicator")
