"""Member units (成员单位) and task decomposition (任务分解)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, enum_check, utcnow
from app.models.enums import AssignmentRole, values


class Unit(SQLModel, table=True):
    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    code: str = Field(max_length=60, unique=True, description="globally unique, used in URLs")
    name: str = Field(max_length=200)
    active: bool = True
    is_example: bool = Field(default=False, description="example data loaded by `seed --demo`")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    """A goal or measure assigned to a unit as lead (牵头) or support (配合)."""

    __tablename__ = "assignment"
    __table_args__ = (
        enum_check("role", values(AssignmentRole)),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name="one_task"),
        sa.UniqueConstraint("unit_id", "goal_id"),
        sa.UniqueConstraint("unit_id", "measure_id"),
        # At most one lead unit per goal and per measure.
        sa.Index("uq_assignment_goal_lead", "goal_id", unique=True,
                 sqlite_where=sa.text("role = 'lead' AND goal_id IS NOT NULL"),
                 postgresql_where=sa.text("role = 'lead' AND goal_id IS NOT NULL")),
        sa.Index("uq_assignment_measure_lead", "measure_id", unique=True,
                 sqlite_where=sa.text("role = 'lead' AND measure_id IS NOT NULL"),
                 postgresql_where=sa.text("role = 'lead' AND measure_id IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="goal.id", index=True)
    measure_id: int | None = Field(default=None, foreign_key="measure.id", index=True)
    role: str = Field(max_length=10)
    is_example: bool = False
