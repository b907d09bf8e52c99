"""The last published status of every target and goal, and the ordered feed of changes to it."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class StatusSnapshot(SQLModel, table=True):
    __tablename__ = "status_snapshot"
    __table_args__ = (sa.UniqueConstraint("plan_id", "year", "subject_type", "subject_code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    year: int
    subject_type: str = Field(max_length=8, description="target or goal")
    subject_code: str = Field(max_length=24)
    status: str = Field(max_length=20)
    flags: str = Field(default="", max_length=100, description="comma-separated, sorted")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatusChange(SQLModel, table=True):
    """One change of status or flags; `id` is the feed cursor and grows in commit order."""

    __tablename__ = "status_change"
    __table_args__ = (sa.Index("ix_status_change_plan_id_id", "plan_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    year: int
    subject_type: str = Field(max_length=8)
    subject_code: str = Field(max_length=24)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    from_flags: str | None = Field(default=None, max_length=100)
    to_flags: str = Field(default="", max_length=100)
    explanation: str = Field(sa_type=sa.Text)
    cause: str = Field(max_length=100, description="what triggered the recomputation")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatusRefresh(SQLModel, table=True):
    """The day a plan's statuses were last published for all its years (the feed catches up daily)."""

    __tablename__ = "status_refresh"

    plan_id: int = Field(foreign_key="plan.id", primary_key=True)
    refreshed_on: date
    refreshed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
