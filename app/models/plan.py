"""Committees and their plans: domains, goals, measures and the targets parsed from them."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, enum_check, utcnow
from app.models.enums import Part, PlanKind, PlanStatus, TargetOp, values


class Committee(SQLModel, table=True):
    """One district's Working Committee on Women and Children (妇儿工委)."""

    __tablename__ = "committee"
    __table_args__ = (sa.CheckConstraint("length(code) = 6", name="code_is_division_code"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=6, unique=True, description="GB/T 2260 division code")
    name: str = Field(max_length=200)
    region: str = Field(max_length=200)


class Plan(SQLModel, table=True):
    __tablename__ = "plan"
    __table_args__ = (
        enum_check("kind", values(PlanKind)),
        enum_check("status", values(PlanStatus)),
        sa.CheckConstraint("start_year BETWEEN 1949 AND 2100", name="start_year_range"),
        sa.CheckConstraint("end_year >= start_year AND end_year <= start_year + 20", name="end_year_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    code: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=10)
    start_year: int
    end_year: int
    doc_number: str | None = Field(default=None, max_length=100)
    issued_date: date | None = None
    status: str = Field(default=PlanStatus.published.value, max_length=10)
    source_file: str | None = Field(default=None, max_length=200)
    anomalies: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Domain(SQLModel, table=True):
    """领域: one chapter of a plan, in the women (W) or children (C) part."""

    __tablename__ = "domain"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "code"),
        sa.UniqueConstraint("plan_id", "part", "seq"),
        enum_check("part", values(Part)),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=10)
    part: str = Field(max_length=1)
    seq: int
    title: str = Field(max_length=200)
    subtitle: str | None = Field(default=None, max_length=300)
    inferred: bool = Field(default=False, description="heading recovered from the plan's order")


class Goal(SQLModel, table=True):
    """One 主要目标 item, verbatim."""

    __tablename__ = "goal"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "code"),
        sa.UniqueConstraint("domain_id", "seq"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    domain_id: int = Field(foreign_key="domain.id", index=True)
    code: str = Field(max_length=20)
    seq: int
    number: str | None = Field(default=None, max_length=10, description="number as printed in the plan")
    title: str | None = Field(default=None, sa_type=sa.Text)
    text: str = Field(sa_type=sa.Text)


class Measure(SQLModel, table=True):
    """One 策略措施 item, verbatim."""

    __tablename__ = "measure"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "code"),
        sa.UniqueConstraint("domain_id", "seq"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    domain_id: int = Field(foreign_key="domain.id", index=True)
    code: str = Field(max_length=20)
    seq: int
    number: str | None = Field(default=None, max_length=10)
    title: str = Field(sa_type=sa.Text)
    text: str = Field(sa_type=sa.Text)


class Target(SQLModel, table=True):
    """A numeric or trend target inside a goal, or inside a measure where the plan puts a number there."""

    __tablename__ = "target"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "code"),
        enum_check("op", values(TargetOp)),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name="one_parent"),
        sa.CheckConstraint(
            "(op IN ('increase', 'decrease', 'maintain')) OR value IS NOT NULL", name="value_unless_trend"
        ),
        sa.CheckConstraint("year IS NULL OR year BETWEEN 1949 AND 2100", name="year_range"),
        sa.CheckConstraint("tolerance IS NULL OR tolerance >= 0", name="tolerance_non_negative"),
        sa.CheckConstraint("scope_sex IS NULL OR scope_sex IN ('female', 'male')", name="scope_sex_allowed"),
        sa.CheckConstraint("scope_area IS NULL OR scope_area IN ('urban', 'rural')", name="scope_area_allowed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="goal.id", index=True)
    measure_id: int | None = Field(default=None, foreign_key="measure.id", index=True)
    code: str = Field(max_length=24)
    seq: int
    metric: str = Field(max_length=300)
    op: str = Field(max_length=10)
    value: float | None = None
    unit: str | None = Field(default=None, max_length=20)
    year: int | None = Field(default=None, description="milestone year; null means the plan's end year")
    per_year: bool = False
    baseline_year: int | None = None
    baseline_value: float | None = None
    tolerance: float | None = None
    direction: str | None = Field(default=None, max_length=4, description="up/down for change targets")
    baseline_source: str | None = Field(default=None, max_length=500)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    scope_sex: str | None = Field(default=None, max_length=6, description="the target is on one sex only")
    scope_age_group: str | None = Field(default=None, max_length=30, description="on one age group only")
    scope_area: str | None = Field(default=None, max_length=5, description="on urban or rural only")
    review: bool = False
    review_reason: str | None = Field(default=None, sa_type=sa.Text)
    review_comment: str | None = Field(default=None, sa_type=sa.Text, description="the office's check")
    source_text: str | None = Field(default=None, sa_type=sa.Text)
    parse_rule: str | None = Field(default=None, max_length=40,
                                   description="id of the parser rule that read it (app/plans/targets.py RULES); "
                                               "null when the office corrected the reading or it predates rule ids")
    version: int = Field(default=1, description="1 as parsed; each curation by the office adds one")
    curated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
