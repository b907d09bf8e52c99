"""API shapes for assignments."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import AssignmentRole

TaskCode = Annotated[str, Field(min_length=1, max_length=20, description="Goal code (W1.2) or measure code (W1.M3)")]


class AssignmentRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "id": 12, "plan_code": "chaoyang-2021-2025", "task": "W1.2", "task_type": "goal",
        "unit": "110105-wjw", "unit_name": "区卫生健康委", "role": "lead", "is_example": False}})

    id: int
    plan_code: str
    task: str = Field(description="Goal or measure code")
    task_type: Literal["goal", "measure"]
    unit: str = Field(description="Unit code")
    unit_name: str
    role: AssignmentRole
    is_example: bool = Field(description="Example decomposition loaded by `seed --demo`")


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "task": "W1.2", "unit": "110105-wjw", "role": "lead"}})

    task: TaskCode
    unit: str = Field(min_length=1, max_length=60)
    role: AssignmentRole


class AssignmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: AssignmentRole


class AssignmentBulk(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"assignments": [
        {"task": "W1.2", "unit": "110105-wjw", "role": "lead"},
        {"task": "W1.2", "unit": "110105-tjj", "role": "support"}]}})

    assignments: list[AssignmentCreate] = Field(max_length=5000)
