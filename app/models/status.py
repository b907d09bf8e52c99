"""Stored verdicts (the read model of every target's and goal's status) and the outbox of events."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import JSONDoc, UTCDateTime, utcnow


class Verdict(SQLModel, table=True):
    """The current verdict on one target or goal of a plan for one year, on accepted data.

    ``payload`` is the API's ``TargetStatus`` / ``GoalStatus`` as JSON text, served as it is; the other columns are
    what reads filter and count on. ``version`` grows by one with every change of the stored verdict.
    """

    __tablename__ = "verdict"
    __table_args__ = (sa.UniqueConstraint("plan_id", "year", "subject_type", "subject_code"),
                      sa.Index("ix_verdict_methodology_plan_id", "methodology", "plan_id"))

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    year: int
    subject_type: str = Field(max_length=8, description="target or goal")
    subject_code: str = Field(max_length=24)
    position: int = Field(description="plan order within the subject type")
    domain_code: str = Field(max_length=10)
    lead_unit: str | None = Field(default=None, max_length=60, description="code of the lead unit, for filters")
    applies: bool = Field(default=True, description="false for a milestone not counted in this year")
    status: str = Field(max_length=20)
    flags: str = Field(default="", max_length=100, description="comma-separated, sorted")
    payload: str = Field(sa_type=sa.Text)
    version: int = 1
    inputs: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""},
                        description="digest of what it was computed from (evaluation.parent_inputs); '' unknown")
    methodology: str = Field(max_length=16, sa_column_kwargs={"server_default": "2026.1"},
                             description="version of the status rules that computed it (rules.METHODOLOGY_VERSION)")
    computed_on: date = Field(description="the day the verdict was computed (due dates are judged on it)")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatusRefresh(SQLModel, table=True):
    """The day all of a plan's verdicts were last computed (the worker catches up daily), and the version of its
    stored verdicts: a new random token whenever any of them changes ("" before the first change counted)."""

    __tablename__ = "status_refresh"

    plan_id: int = Field(foreign_key="plan.id", primary_key=True)
    refreshed_on: date
    refreshed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})


# On PostgreSQL every row records the id of the transaction that wrote it: readers order by (txid, id) and only
# read rows of transactions older than every one still running, so no reader ever skips a row committed late.
# SQLite has one writer at a time, where id order is commit order: txid stays 0.


class OutboxEvent(SQLModel, table=True):
    """One event, written in the transaction of the change it reports: a verdict change or a workflow step."""

    __tablename__ = "outbox_event"
    __table_args__ = (sa.Index("ix_outbox_event_txid_id", "txid", "id"),
                      sa.Index("ix_outbox_event_plan_id_txid_id", "plan_id", "txid", "id"))

    id: int | None = Field(default=None, primary_key=True)
    txid: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default=sa.FetchedValue()))
    type: str = Field(max_length=40, description="e.g. verdict.changed, submission.accepted")
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    year: int | None = None
    subject: str = Field(max_length=80, description="what the event is about, e.g. target:C1.1.1")
    payload: dict[str, Any] = Field(sa_type=JSONDoc)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
