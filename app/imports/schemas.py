"""API shapes of the bulk import: the rows (JSON or CSV columns) and the import summary."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.json_types import JsonBool, JsonFloat, JsonInt
from app.models.enums import CycleKind
from app.submissions.schemas import Code, Short

MAX_ROWS = 200_000

COLUMNS = ("unit", "indicator", "target", "year", "kind", "value", "unit_of_measure", "sex", "age_group", "area",
           "source", "note", "justification")
# CSV headers may also be written in Chinese (the simple names statistics staff use).
CHINESE_COLUMNS = {
    "单位": "unit", "填报单位": "unit", "单位代码": "unit", "指标": "indicator", "指标代码": "indicator",
    "目标": "target", "目标代码": "target", "年份": "year", "年度": "year", "报告类型": "kind", "类型": "kind",
    "数值": "value", "值": "value", "计量单位": "unit_of_measure", "性别": "sex", "年龄组": "age_group",
    "城乡": "area", "地区": "area", "数据来源": "source", "来源": "source", "备注": "note", "说明": "justification",
}


class ImportRow(BaseModel):
    """One value: which unit reports it for which year, and the same fields as a submission's value."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"example": {
        "unit": "110105-wjw", "indicator": "I012", "year": 2024, "kind": "annual", "value": 1.5,
        "unit_of_measure": "%", "sex": "female", "justification": None}})

    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = Field(
        default=None, description="Unit code; a unit token may leave it out (its own unit)")
    indicator: Code | None = Field(default=None, description="Indicator code, e.g. I012")
    target: Code | None = Field(default=None, description="A target code instead of the indicator, e.g. W1.2a")
    year: JsonInt = Field(ge=1949, le=2100)
    kind: CycleKind = CycleKind.annual
    value: JsonFloat
    unit_of_measure: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        default=None, description="Defaults to the target's unit, else the indicator's; converted like submissions")
    sex: Literal["total", "female", "male"] = "total"
    age_group: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)] = "all"
    area: Literal["all", "urban", "rural"] = "all"
    source: Short | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    justification: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class ImportRequest(BaseModel):
    """The JSON form of an import (the CSV form has the same columns, with `dry_run` as a query parameter)."""

    model_config = ConfigDict(extra="forbid")

    dry_run: JsonBool = Field(default=True, description="true (default): check and count only, write nothing")
    rows: list[ImportRow] = Field(max_length=MAX_ROWS)


class ImportedSubmission(BaseModel):
    """What the import does to one unit's submission for a year and kind."""

    unit: str
    year: int
    kind: CycleKind
    submission_id: int | None = Field(description="None on a dry run for a submission the import would create")
    revision: int | None = Field(description="The revision written (or that would be); None when nothing changes")
    status: Literal["accepted", "submitted"] | None = Field(description="What the revision lands as")
    imported: int
    updated: int
    unchanged: int


class ImportSummary(BaseModel):
    dry_run: bool
    rows: int = Field(description="Rows received")
    imported: int = Field(description="Values new for their unit, indicator, year and breakdown")
    updated: int = Field(description="Values that differ from the one currently counted (the accepted one)")
    unchanged: int = Field(description="Values equal to the one currently counted (or repeated in the import)")
    refused: int = Field(description="Always 0 here: any refused row refuses the import (422, rows in `errors`)")
    submissions: list[ImportedSubmission]
