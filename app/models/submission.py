"""Reporting cycles and the member units' self-assessments, with every revision kept."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import JSONDoc, UTCDateTime, enum_check, utcnow
from app.models.enums import CycleKind, SubmissionStatus, TaskProgress, values


class ReportingCycle(SQLModel, table=True):
    __tablename__ = "reporting_cycle"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "year", "kind"),
        enum_check("kind", values(CycleKind)),
        sa.CheckConstraint("due_on >= opens_on", name="due_after_open"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    year: int
    kind: str = Field(max_length=10)
    opens_on: date
    due_on: date
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Submission(SQLModel, table=True):
    """The current state of one unit's self-assessment for a plan, year and kind."""

    __tablename__ = "submission"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "plan_id", "year", "kind"),
        enum_check("kind", values(CycleKind)),
        enum_check("status", values(SubmissionStatus)),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
        sa.Index("ix_submission_plan_year_kind", "plan_id", "year", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    kind: str = Field(max_length=10)
    status: str = Field(default=SubmissionStatus.draft.value, max_length=10)
    revision: int = 1
    achievements: str | None = Field(default=None, sa_type=sa.Text, description="工作成效")
    problems: str | None = Field(default=None, sa_type=sa.Text, description="存在问题")
    next_steps: str | None = Field(default=None, sa_type=sa.Text, description="下一步计划")
    late: bool = False
    review_comment: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubmissionValue(SQLModel, table=True):
    """One reported indicator value; disaggregations use 'total'/'all' rather than NULL so uniqueness holds."""

    __tablename__ = "submission_value"
    __table_args__ = (
        sa.UniqueConstraint("submission_id", "target_id", "sex", "age_group", "area"),
        enum_check("sex", ("total", "female", "male")),
        enum_check("area", ("all", "urban", "rural")),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    target_id: int = Field(foreign_key="target.id", index=True)
    value: float
    unit: str | None = Field(default=None, max_length=20)
    sex: str = Field(default="total", max_length=6)
    age_group: str = Field(default="all", max_length=30)
    area: str = Field(default="all", max_length=5)
    source: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, sa_type=sa.Text)


class SubmissionTask(SQLModel, table=True):
    """Progress a unit reports on one assigned goal or measure."""

    __tablename__ = "submission_task"
    __table_args__ = (
        enum_check("progress", values(TaskProgress)),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name="one_task"),
        sa.UniqueConstraint("submission_id", "goal_id"),
        sa.UniqueConstraint("submission_id", "measure_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="goal.id")
    measure_id: int | None = Field(default=None, foreign_key="measure.id")
    progress: str = Field(max_length=12)
    description: str | None = Field(default=None, sa_type=sa.Text)


class SubmissionRevision(SQLModel, table=True):
    """An immutable snapshot of a submission as it stood at one revision."""

    __tablename__ = "submission_revision"
    __table_args__ = (sa.UniqueConstraint("submission_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    revision: int
    status: str = Field(max_length=10)
    snapshot: dict[str, Any] = Field(sa_type=JSONDoc)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
