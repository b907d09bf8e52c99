"""The committee's indicator catalogue (监测指标) and the observations units report on it.

An indicator is what is measured, independent of any threshold: one per committee and quantity, shared by
every target, milestone and plan of that committee that measures it. An observation is one reported value of
an indicator, for one year (its submission's) and one breakdown; it belongs to the revision that carried it,
so nothing a unit sends is ever overwritten.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import JSONDoc, UTCDateTime, enum_check, utcnow

DIRECTIONS = ("higher", "lower")
SEXES = ("total", "female", "male")
AREAS = ("all", "urban", "rural")


class Indicator(SQLModel, table=True):
    __tablename__ = "indicator"
    __table_args__ = (
        sa.UniqueConstraint("committee_id", "code"),
        sa.Index("ix_indicator_committee_id_match_key", "committee_id", "match_key"),
        sa.CheckConstraint("direction IS NULL OR direction IN ('higher', 'lower')", name="direction_allowed"),
        sa.CheckConstraint("precision IS NULL OR precision BETWEEN 0 AND 6", name="precision_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id")
    code: str = Field(max_length=24, description="stable within the committee, e.g. I007")
    name: str = Field(max_length=300, description="as the plans word it")
    match_key: str = Field(max_length=300, description="normalised name the catalogue merges targets by")
    unit: str | None = Field(default=None, max_length=20, description="unit observations are stored in")
    direction: str | None = Field(default=None, max_length=6, description="higher or lower is better")
    definition: str | None = Field(default=None, sa_type=sa.Text)
    data_source_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    breakdowns: list[str] = Field(default_factory=list, sa_type=sa.JSON, description="expected: sex, age, area")
    age_groups: list[str] = Field(default_factory=list, sa_type=sa.JSON, description="controlled age-group labels")
    precision: int | None = Field(default=None, description="decimals a change must exceed to count")
    national_code: str | None = Field(default=None, max_length=40, description="to compare districts")
    review: bool = Field(default=False, description="an inferred merge or split the office should check")
    review_reason: str | None = Field(default=None, sa_type=sa.Text)
    merged_into_id: int | None = Field(default=None, foreign_key="indicator.id",
                                       description="set when the office merged this indicator into another")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Observation(SQLModel, table=True):
    """One reported value of an indicator in one revision; breakdowns use 'total'/'all' rather than NULL."""

    __tablename__ = "observation"
    __table_args__ = (
        sa.UniqueConstraint("revision_id", "indicator_id", "sex", "age_group", "area"),
        enum_check("sex", SEXES),
        enum_check("area", AREAS),
    )

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="submission_revision.id")  # indexed by the unique key, which leads with it
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    target_id: int | None = Field(default=None, foreign_key="target.id", index=True,
                                  description="the target code the unit reported it under, if it named one")
    value: float = Field(description="in the indicator's unit")
    unit: str | None = Field(default=None, max_length=20)
    reported_value: float = Field(description="as the unit sent it, before any unit conversion")
    reported_unit: str | None = Field(default=None, max_length=20)
    sex: str = Field(default="total", max_length=6)
    age_group: str = Field(default="all", max_length=30)
    area: str = Field(default="all", max_length=5)
    source: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, sa_type=sa.Text)
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONDoc,
                                           description="checks it raised at submission: code, message, params")
    justification: str | None = Field(default=None, sa_type=sa.Text, description="the unit's answer to them")


class TargetVersion(SQLModel, table=True):
    """One version of a target's definition: 1 is what the parser read, later ones the office's corrections."""

    __tablename__ = "target_version"
    __table_args__ = (sa.UniqueConstraint("target_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id")
    version: int
    fields: dict[str, Any] = Field(sa_type=JSONDoc)
    comment: str | None = Field(default=None, sa_type=sa.Text)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
