"""API shapes for plans and their structure (never the table models themselves)."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.json_types import JsonBool, JsonFloat, JsonInt
from app.models.enums import Part, PlanKind, PlanStatus, TargetOp


class CommitteeRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "110105", "name": "北京市朝阳区妇女儿童工作委员会", "region": "北京市朝阳区"}})

    code: str = Field(description="GB/T 2260 division code of the district")
    name: str
    region: str


class PlanRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "chaoyang-2021-2025", "committee_code": "110105", "title": "朝阳区“十四五”时期妇女儿童发展规划",
        "kind": "combined", "start_year": 2021, "end_year": 2025, "doc_number": None, "issued_date": None,
        "status": "published", "source_file": "000_387d95fb7cc2558f.txt"}})

    code: str = Field(description="Stable slug used in URLs")
    committee_code: str
    title: str
    kind: PlanKind
    start_year: int
    end_year: int
    doc_number: str | None
    issued_date: date | None
    status: PlanStatus
    source_file: str | None = Field(description="Plan text the data was imported from")


class PlanCounts(BaseModel):
    domains: int
    goals: int
    measures: int
    targets: int


class DomainRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "W1", "part": "W", "seq": 1, "title": "妇女与健康", "subtitle": None, "inferred": False}})

    code: str = Field(description="Part letter and position: W1 = women's domain 1, C2 = children's domain 2")
    part: Part
    seq: int
    title: str
    subtitle: str | None
    inferred: bool = Field(description="True when the heading was missing in the text and recovered from its order")


class PlanDetail(PlanRead):
    anomalies: list[str] = Field(description="What the importer found odd in the source text")
    counts: PlanCounts
    domains: list[DomainRead]


class TargetScope(BaseModel):
    """The part of the population a target is on; a null member is the whole population in that dimension."""

    sex: Literal["female", "male"] | None = Field(description="female or male; null: both sexes")
    age_group: str | None = Field(description="An age group such as 6-18岁; null: all ages")
    area: Literal["urban", "rural"] | None = Field(description="urban or rural; null: urban and rural")


class TargetRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "W1.1a", "goal_code": "W1.1", "measure_code": None, "metric": "孕产妇死亡率", "op": "<=",
        "value": 7.0, "unit": "1/10万", "year": None, "due_year": 2025, "per_year": False, "baseline_year": None,
        "baseline_value": None, "tolerance": None, "direction": None, "review": False, "review_reason": None,
        "source_text": "孕产妇死亡率控制在7/10万以下", "parse_rule": "threshold", "indicator": "I001",
        "indicator_name": "孕产妇死亡率",
        "scope": {"sex": None, "age_group": None, "area": None}, "baseline_source": None, "version": 1,
        "review_comment": None, "curated_at": None, "etag": "\"target-1-1\""}})

    code: str
    goal_code: str | None = Field(description="The goal holding this target (null when it sits in a measure)")
    measure_code: str | None
    metric: str = Field(description="The indicator the number belongs to")
    op: TargetOp
    value: float | None = Field(description="Threshold; null for trend targets")
    unit: str | None = Field(description="Unit as written in the plan: %, ‰, 1/10万, 个百分点, 岁 …")
    year: int | None = Field(description="Milestone year as written; null when the plan does not say")
    due_year: int = Field(description="The year the target is due: `year`, else the plan's end year")
    per_year: bool = Field(description="An annual change (每年…)")
    baseline_year: int | None
    baseline_value: float | None
    tolerance: float | None = Field(description="Allowed distance for ≈ (左右) targets")
    direction: str | None = Field(description="up/down for change targets")
    review: bool = Field(description="The parse needs a human look")
    review_reason: str | None
    source_text: str | None = Field(description="The fragment of the plan text the target was read from")
    parse_rule: str | None = Field(description="Id of the parser rule that read it from the plan text (to trace a "
                                               "wrong target to one rule); null when the office corrected the "
                                               "reading (curation) or it was imported before rule ids were kept")
    indicator: str = Field(description="Code of the committee's indicator the target measures, e.g. I007")
    indicator_name: str
    scope: TargetScope = Field(description="The part of the population the target is on")
    baseline_source: str | None = Field(description="Where the baseline value comes from")
    version: int = Field(description="1 as parsed from the plan; each curation by the office adds one")
    review_comment: str | None = Field(description="The office's comment when it checked the target")
    curated_at: datetime | None = Field(description="When the office last curated the target")
    etag: str = Field(description="Send it back in If-Match when curating the target")


class ScopePatch(BaseModel):
    """Only the members given change; null is the whole population in that dimension."""

    model_config = ConfigDict(extra="forbid")

    sex: Literal["female", "male"] | None = None
    age_group: str | None = Field(default=None, min_length=1, max_length=30,
                                  description="Normalised (0～6岁 → 0-6岁); one of the indicator's age groups")
    area: Literal["urban", "rural"] | None = None


class BaselinePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: JsonInt = Field(ge=1949, le=2100, description="Base year; before the target's due year")
    value: JsonFloat | None = Field(default=None, description="In the indicator's unit; null: the value units "
                                                              "report for the base year")
    source: str | None = Field(default=None, max_length=500, description="Where the value comes from")


class ReviewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolved: JsonBool = Field(description="true clears the review flag; false flags the target with the comment")
    comment: str = Field(min_length=1, max_length=2000)


class TargetPatch(BaseModel):
    """A correction by the committee office: only the fields given change; null clears a nullable field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "baseline": {"year": 2020, "value": 60.0, "source": "2020年学生体质健康监测"},
        "review": {"resolved": True, "comment": "已核对规划原文"}, "comment": "补充基期数值"}})

    op: TargetOp | None = None
    value: JsonFloat | None = None
    unit: str | None = Field(default=None, max_length=20)
    year: JsonInt | None = Field(default=None, description="Milestone year, within the plan's years")
    per_year: JsonBool | None = None
    tolerance: JsonFloat | None = None
    direction: Literal["up", "down"] | None = None
    scope: ScopePatch | None = Field(default=None, description="null: the whole population")
    baseline: BaselinePatch | None = Field(default=None, description="null clears the baseline")
    review: ReviewPatch | None = None
    comment: str | None = Field(default=None, max_length=2000, description="Why: kept with the new version")


class TargetVersionRead(BaseModel):
    version: int = Field(description="1 is what the parser read")
    fields: dict[str, Any] = Field(description="The target's curatable fields in this version, and its parse_rule")
    comment: str | None
    created_by: str
    created_at: datetime


class GoalRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "W1.1", "domain_code": "W1", "seq": 1, "number": "1", "title": None,
        "text": "孕产妇死亡率控制在7/10万以下。", "targets": []}})

    code: str = Field(description="Domain code and position, e.g. W1.2")
    domain_code: str
    seq: int
    number: str | None = Field(description="The number as printed in the plan")
    title: str | None = Field(description="First sentence, for plans whose items mix goal and measure")
    text: str = Field(description="Verbatim text of the 主要目标 item")
    targets: list[TargetRead]


class MeasureRead(BaseModel):
    code: str = Field(description="Domain code, M and position, e.g. W1.M3")
    domain_code: str
    seq: int
    number: str | None
    title: str = Field(description="First sentence of the item")
    text: str = Field(description="Verbatim text of the 策略措施 item")
    targets: list[TargetRead]


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "text": "到2025年和2030年，产前筛查率分别达80%以上和82%以上。"}})

    text: str = Field(min_length=1, max_length=5000, description="One goal or measure sentence (or a few)")


class ParsedTargetRead(BaseModel):
    metric: str
    op: TargetOp
    value: float | None
    unit: str | None
    year: int | None = Field(description="Milestone year; null means the plan's end year")
    per_year: bool
    baseline_year: int | None
    tolerance: float | None
    direction: str | None = Field(description="up/down for change targets")
    review: bool = Field(description="Ambiguous or suspicious: a person should check it")
    review_reason: str | None
    source_text: str = Field(description="The fragment of the sentence the target was read from, verbatim")
    rule: str = Field(description="Id of the parser rule that read it (to trace a wrong target to one rule)")


class ParseResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"targets": [
        {"metric": "产前筛查率", "op": ">=", "value": 80.0, "unit": "%", "year": 2025, "per_year": False,
         "baseline_year": None, "tolerance": None, "direction": None, "review": False, "review_reason": None,
         "source_text": "产前筛查率分别达80%以上"},
        {"metric": "产前筛查率", "op": ">=", "value": 82.0, "unit": "%", "year": 2030, "per_year": False,
         "baseline_year": None, "tolerance": None, "direction": None, "review": False, "review_reason": None,
         "source_text": "产前筛查率分别达82%以上"}]}})

    targets: list[ParsedTargetRead]
