"""API shapes for member units."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.json_types import JsonBool

UnitCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60,
                                            pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class UnitRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "110105-wjw", "committee_code": "110105", "name": "区卫生健康委", "active": True,
        "is_example": False, "created_at": "2026-01-05T08:00:00Z", "updated_at": "2026-01-05T08:00:00Z"}})

    code: str = Field(description="Unique unit code, used in URLs and tokens")
    committee_code: str
    name: str
    active: bool = Field(description="Deactivated units keep their history but can no longer sign in")
    is_example: bool = Field(description="Example data loaded by `seed --demo`, not a real decomposition")
    created_at: datetime
    updated_at: datetime


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "code": "110105-wjw", "committee_code": "110105", "name": "区卫生健康委"}})

    code: UnitCode = Field(description="Letters, digits, '-', '_' and '.'; unique across committees")
    committee_code: str = Field(min_length=6, max_length=6)
    name: UnitName


class UnitUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"name": "区卫生健康委员会"}})

    name: UnitName | None = None
    active: JsonBool | None = Field(default=None, description="false deactivates, true reactivates")
