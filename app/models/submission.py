"""Reporting cycles and the member units' self-assessments.

A submission is a head row per unit, plan, year and kind; its content lives in immutable revisions.
Every save creates a revision, so nothing a unit sends is ever overwritten: the head points at the
current revision and at the accepted one, which is what the rules service uses.
"""

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
    due_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                              description="when the worker announced the due date passing")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CycleReopening(SQLModel, table=True):
    """A closed cycle reopened by the office for one unit."""

    __tablename__ = "cycle_reopening"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="reporting_cycle.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    reopened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Submission(SQLModel, table=True):
    """The head of one unit's self-assessment for a plan, year and kind."""

    __tablename__ = "submission"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "plan_id", "year", "kind"),
        enum_check("kind", values(CycleKind)),
        enum_check("status", values(SubmissionStatus)),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
        sa.CheckConstraint("accepted_revision IS NULL OR accepted_revision <= revision", name="accepted_known"),
        sa.Index("ix_submission_cycle_id_status", "cycle_id", "status"),
        sa.Index("ix_submission_plan_id_year_kind", "plan_id", "year", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    cycle_id: int = Field(foreign_key="reporting_cycle.id")
    year: int
    kind: str = Field(max_length=10)
    status: str = Field(default=SubmissionStatus.draft.value, max_length=10)
    revision: int = Field(default=1, description="number of the current revision")
    accepted_revision: int | None = Field(default=None, description="revision the office accepted, if any")
    late: bool = Field(default=False, description="the last submit came after the cycle's due date")
    review_comment: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubmissionRevision(SQLModel, table=True):
    """One immutable version of a submission's content."""

    __tablename__ = "submission_revision"
    __table_args__ = (
        sa.UniqueConstraint("submission_id", "revision"),
        enum_check("status", values(SubmissionStatus)),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id")
    revision: int
    status: str = Field(max_length=10, description="status the submission had when this revision was made")
    achievements: str | None = Field(default=None, sa_type=sa.Text, description="工作成效")
    problems: str | None = Field(default=None, sa_type=sa.Text, description="存在问题")
    next_steps: str | None = Field(default=None, sa_type=sa.Text, description="下一步计划")
    late: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    token_id: int | None = Field(default=None, foreign_key="api_token.id")


class SubmissionTask(SQLModel, table=True):
    """Progress a unit reports, in one revision, on one assigned goal or measure."""

    __tablename__ = "submission_task"
    __table_args__ = (
        enum_check("progress", values(TaskProgress)),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name="one_task"),
        sa.UniqueConstraint("revision_id", "goal_id"),
        sa.UniqueConstraint("revision_id", "measure_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="submission_revision.id")
    goal_id: int | None = Field(default=None, foreign_key="goal.id", index=True)
    measure_id: int | None = Field(default=None, foreign_key="measure.id", index=True)
    progress: str = Field(max_length=12)
    description: str | None = Field(default=None, sa_type=sa.Text)


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST carrying an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("owner", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=40, description="token that sent the key")
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict[str, Any] = Field(sa_type=JSONDoc)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
