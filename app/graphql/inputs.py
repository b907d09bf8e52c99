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


def to_model(model: type[M], data: object, *, keep_null: bool = False, **extra: Any) -> M:
    """Validate a strawberry input with a pydantic schema; a ValidationError becomes VALIDATION with paths.

    With ``keep_null`` an explicit null reaches the schema (a patch's "clear this field"); only fields left out
    are dropped.
    """
    try:
        return model.model_validate({**plain(data, keep_null=keep_null), **extra})
    except ValidationError as exc:
        errors = field_errors(exc.errors(), field_path)
        raise ValidationFailed(summary(errors), errors=errors) from None


def plain(value: object, *, keep_null: bool = False) -> Any:
    """Input objects as dicts; fields left out (or null, unless ``keep_null``) are dropped so the schema's
    defaults apply."""
    def kept(item: object) -> bool:
        return item is not strawberry.UNSET and (keep_null or item is not None)

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(v, keep_null=keep_null) for f in dataclasses.fields(value)
                if kept(v := getattr(value, f.name))}
    if isinstance(value, dict):
        return {key: plain(item, keep_null=keep_null) for key, item in value.items() if kept(item)}
    if isinstance(value, list):
        return [plain(item, keep_null=keep_null) for item in value]
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


@strawberry.input(description="The part of the population a target is on; only the members given change, null is "
                              "the whole population")
class TargetScopeInput:
    sex: str | None = strawberry.field(default=strawberry.UNSET, description="female, male, or null")
    age_group: str | None = strawberry.field(default=strawberry.UNSET, description="e.g. 6-18岁, or null")
    area: str | None = strawberry.field(default=strawberry.UNSET, description="urban, rural, or null")


@strawberry.input(description="A target's baseline (基期)")
class BaselineInput:
    year: int
    value: float | None = strawberry.field(default=strawberry.UNSET,
                                           description="In the indicator's unit; null: the value reported for the year")
    source: str | None = strawberry.field(default=strawberry.UNSET, description="Where the value comes from")


@strawberry.input(description="The office's check of a target flagged for review")
class TargetReviewInput:
    resolved: bool = strawberry.field(description="true clears the flag; false flags the target with the comment")
    comment: str


@strawberry.input(description="A correction of a target: only the fields given change; null clears a field")
class TargetPatchInput:
    op: str | None = strawberry.field(default=strawberry.UNSET,
                                      description=">=, >, <=, <, ≈, ==, increase, decrease or maintain")
    value: float | None = strawberry.UNSET
    unit: str | None = strawberry.UNSET
    year: int | None = strawberry.field(default=strawberry.UNSET, description="Milestone year, within the plan's years")
    per_year: bool | None = strawberry.UNSET
    tolerance: float | None = strawberry.UNSET
    direction: str | None = strawberry.field(default=strawberry.UNSET, description="up, down, or null")
    scope: TargetScopeInput | None = strawberry.field(default=strawberry.UNSET,
                                                      description="null: the whole population")
    baseline: BaselineInput | None = strawberry.field(default=strawberry.UNSET, description="null clears it")
    review: TargetReviewInput | None = strawberry.UNSET
    comment: str | None = strawberry.field(default=strawberry.UNSET, description="Why: kept with the new version")
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

