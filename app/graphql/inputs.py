"""Mutation inputs. Each converts to the REST API's pydantic schema, so validation is the same in both APIs."""

import dataclasses
from datetime import date
from enum import Enum
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError

from app.errors import ValidationFailed, field_errors, summary
from app.graphql.enums import AssignmentRole, CycleKind, ReviewDecision, TaskProgress

M = TypeVar("M", bound=BaseModel)


def to_model(model: type[M], data: object, **extra: Any) -> M:
    """Validate a strawberry input with a pydantic schema; a ValidationError becomes VALIDATION with paths."""
    try:
        return model.model_validate({**plain(data), **extra})
    except ValidationError as exc:
        errors = field_errors(exc.errors(), field_path)
        raise ValidationFailed(summary(errors), errors=errors) from None


def plain(value: object) -> Any:
    """Input objects as dicts; fields left out (or null) are dropped so the schema's defaults apply."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(v) for f in dataclasses.fields(value)
                if (v := getattr(value, f.name)) is not strawberry.UNSET and v is not None}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if item is not strawberry.UNSET and item is not None}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def field_path(location: tuple[int | str, ...]) -> str:
    """("values", 0, "value") → "values[0].value", as REST reports it."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


@strawberry.input(description="One reported number")
class ValueInput:
    indicator: str | None = strawberry.field(default=strawberry.UNSET, description="Indicator code, e.g. I003")
    target: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "A target code, e.g. W1.2a, instead of the indicator: it stands for the target's indicator"))
    value: float
    unit: str | None = strawberry.field(default=strawberry.UNSET,
                                        description="Defaults to the target's unit, else the indicator's")
    sex: str | None = strawberry.field(default=strawberry.UNSET, description="total (default), female or male")
    age_group: str | None = strawberry.field(default=strawberry.UNSET, description="e.g. 0-5岁; default all")
    area: str | None = strawberry.field(default=strawberry.UNSET, description="all (default), urban or rural")
    source: str | None = strawberry.field(default=strawberry.UNSET, description="Data source (数据来源)")
    note: str | None = strawberry.UNSET
    justification: str | None = strawberry.field(default=strawberry.UNSET,
                                                 description="Why the value is right although a check warned")


@strawberry.input(description="Progress on one assigned goal or measure")
class TaskInput:
    task: str = strawberry.field(description="Goal or measure code assigned to the unit")
    progress: TaskProgress
    description: str | None = strawberry.UNSET


@strawberry.input(description="工作成效, 存在问题, 下一步计划")
class NarrativeInput:
    achievements: str | None = strawberry.UNSET
    problems: str | None = strawberry.UNSET
    next_steps: str | None = strawberry.UNSET


@strawberry.input(description="A submission's content; every save replaces it whole and becomes a new revision")
class SubmissionContentInput:
    values: list[ValueInput] | None = strawberry.UNSET
    tasks: list[TaskInput] | None = strawberry.UNSET
    narrative: NarrativeInput | None = strawberry.UNSET
    submit: bool | None = strawberry.field(default=strawberry.UNSET,
                                           description="true sends it for review; false (default) keeps a draft")


@strawberry.input(description="A new self-assessment (a draft unless `submit` is true)")
class SubmissionCreateInput(SubmissionContentInput):
    year: int
    kind: CycleKind | None = strawberry.field(default=strawberry.UNSET, description="Default annual")
    unit: str | None = strawberry.field(default=strawberry.UNSET,
                                        description="Unit code; required for an admin acting on behalf of a unit")


@strawberry.input(description="The office's decision on a submitted self-assessment")
class ReviewInput:
    decision: ReviewDecision
    comment: str | None = strawberry.field(default=strawberry.UNSET, description="Required when returning")


@strawberry.input(description="One goal or measure assigned to a unit")
class AssignmentInput:
    task: str = strawberry.field(description="Goal code (W1.2) or measure code (W1.M3)")
    unit: str = strawberry.field(description="Unit code")
    role: AssignmentRole


@strawberry.input(description="A new reporting cycle")
class CycleInput:
    year: int
    kind: CycleKind | None = strawberry.field(default=strawberry.UNSET, description="Default annual")
    opens_on: date | None = strawberry.field(default=strawberry.UNSET, description="Default: 1 January")
    due_on: date | None = strawberry.field(default=strawberry.UNSET, description="Default: 31 December")


@strawberry.input(description="The office's check of an indicator flagged for review")
class IndicatorReviewInput:
    resolved: bool = strawberry.field(description="true clears the review flag")
    comment: str | None = strawberry.UNSET


@strawberry.input(description="Corrections to an indicator: fields left out are kept, null clears one")
class IndicatorUpdateInput:
    name: str | None = strawberry.UNSET
    definition: str | None = strawberry.UNSET
    direction: str | None = strawberry.field(default=strawberry.UNSET, description="higher, lower or null")
    data_source_unit: str | None = strawberry.field(default=strawberry.UNSET,
                                                    description="Unit code of the committee, or null")
    breakdowns: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Of sex, age, area")
    age_groups: list[str] | None = strawberry.field(default=strawberry.UNSET,
                                                    description="From the controlled list of age groups")
    precision: int | None = strawberry.field(default=strawberry.UNSET, description="0–6")
    national_code: str | None = strawberry.UNSET
    review: IndicatorReviewInput | None = strawberry.UNSET


def given(value: object) -> dict[str, Any]:
    """A partial-update input as a dict of the fields sent, an explicit null kept (unlike :func:`plain`)."""
    assert dataclasses.is_dataclass(value) and not isinstance(value, type)
    return {f.name: plain(v) if v is not None else None for f in dataclasses.fields(value)
            if (v := getattr(value, f.name)) is not strawberry.UNSET}
