"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:47:34.759367
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.CheckConstraint("length(code) = 6", name=op.f("ck_committee_code_is_division_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee")),
        sa.UniqueConstraint("code", name=op.f("uq_committee_code")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column(
            "response", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("owner", "key", name=op.f("uq_idempotency_record_owner_key")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False)

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=True),
        sa.Column("issued_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source_file", sa.String(length=200), nullable=True),
        sa.Column("anomalies", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('women', 'children', 'combined')", name=op.f("ck_plan_kind_allowed")),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_plan_status_allowed")),
        sa.CheckConstraint(
            "end_year >= start_year AND end_year <= start_year + 20", name=op.f("ck_plan_end_year_range")
        ),
        sa.CheckConstraint("start_year BETWEEN 1949 AND 2100", name=op.f("ck_plan_start_year_range")),
        sa.ForeignKeyConstraint(["committee_id"], ["committee.id"], name=op.f("fk_plan_committee_id_committee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_plan_code")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_committee_id"), ["committee_id"], unique=False)

    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["committee_id"], ["committee.id"], name=op.f("fk_unit_committee_id_committee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_committee_id"), ["committee_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(role = 'unit') = (unit_id IS NOT NULL)", name=op.f("ck_api_token_unit_role_has_unit")),
        sa.CheckConstraint("role IN ('admin', 'unit', 'reader')", name=op.f("ck_api_token_role_allowed")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_api_token_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("part", sa.String(length=1), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subtitle", sa.String(length=300), nullable=True),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.CheckConstraint("part IN ('W', 'C')", name=op.f("ck_domain_part_allowed")),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_domain_seq_positive")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_domain_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_domain_plan_id_code")),
        sa.UniqueConstraint("plan_id", "part", "seq", name=op.f("uq_domain_plan_id_part_seq")),
    )
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domain_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "reporting_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('annual', 'midterm', 'final')", name=op.f("ck_reporting_cycle_kind_allowed")),
        sa.CheckConstraint("due_on >= opens_on", name=op.f("ck_reporting_cycle_due_after_open")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_reporting_cycle_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_cycle")),
        sa.UniqueConstraint("plan_id", "year", "kind", name=op.f("uq_reporting_cycle_plan_id_year_kind")),
    )
    with op.batch_alter_table("reporting_cycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reporting_cycle_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=10), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column(
            "before", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column(
            "after", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"], name=op.f("fk_audit_event_token_id_api_token")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_token_id"), ["token_id"], unique=False)

    op.create_table(
        "cycle_reopening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["reporting_cycle.id"], name=op.f("fk_cycle_reopening_cycle_id_reporting_cycle")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_cycle_reopening_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_reopening")),
        sa.UniqueConstraint("cycle_id", "unit_id", name=op.f("uq_cycle_reopening_cycle_id_unit_id")),
    )
    with op.batch_alter_table("cycle_reopening", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_reopening_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_reopening_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_goal_seq_positive")),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_goal_domain_id_domain")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_goal_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
        sa.UniqueConstraint("domain_id", "seq", name=op.f("uq_goal_domain_id_seq")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_goal_plan_id_code")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_domain_id"), ["domain_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_measure_seq_positive")),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_measure_domain_id_domain")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_measure_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("domain_id", "seq", name=op.f("uq_measure_domain_id_seq")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_measure_plan_id_code")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_domain_id"), ["domain_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("accepted_revision", sa.Integer(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('annual', 'midterm', 'final')", name=op.f("ck_submission_kind_allowed")),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'accepted')", name=op.f("ck_submission_status_allowed")
        ),
        sa.CheckConstraint(
            "accepted_revision IS NULL OR accepted_revision <= revision", name=op.f("ck_submission_accepted_known")
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_submission_revision_positive")),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["reporting_cycle.id"], name=op.f("fk_submission_cycle_id_reporting_cycle")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_submission_plan_id_plan")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_submission_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("unit_id", "plan_id", "year", "kind", name=op.f("uq_submission_unit_id_plan_id_year_kind")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index("ix_submission_cycle_id_status", ["cycle_id", "status"], unique=False)
        batch_op.create_index("ix_submission_plan_id_year_kind", ["plan_id", "year", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.CheckConstraint("role IN ('lead', 'support')", name=op.f("ck_assignment_role_allowed")),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name=op.f("ck_assignment_one_task")),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_assignment_goal_id_goal")),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"], name=op.f("fk_assignment_measure_id_measure")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_assignment_plan_id_plan")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_assignment_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint("unit_id", "goal_id", name=op.f("uq_assignment_unit_id_goal_id")),
        sa.UniqueConstraint("unit_id", "measure_id", name=op.f("uq_assignment_unit_id_measure_id")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_assignment_goal_lead",
            ["goal_id"],
            unique=True,
            sqlite_where=sa.text("role = 'lead' AND goal_id IS NOT NULL"),
            postgresql_where=sa.text("role = 'lead' AND goal_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_assignment_measure_lead",
            ["measure_id"],
            unique=True,
            sqlite_where=sa.text("role = 'lead' AND measure_id IS NOT NULL"),
            postgresql_where=sa.text("role = 'lead' AND measure_id IS NOT NULL"),
        )

    op.create_table(
        "submission_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'accepted')",
            name=op.f("ck_submission_revision_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_submission_revision_submission_id_submission")
        ),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"], name=op.f("fk_submission_revision_token_id_api_token")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_revision")),
        sa.UniqueConstraint("submission_id", "revision", name=op.f("uq_submission_revision_submission_id_revision")),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=300), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("per_year", sa.Boolean(), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("tolerance", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=4), nullable=True),
        sa.Column("review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(op IN ('increase', 'decrease', 'maintain')) OR value IS NOT NULL",
            name=op.f("ck_target_value_unless_trend"),
        ),
        sa.CheckConstraint(
            "op IN ('>=', '>', '<=', '<', '≈', '==', 'increase', 'decrease', 'maintain')",
            name=op.f("ck_target_op_allowed"),
        ),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name=op.f("ck_target_one_parent")),
        sa.CheckConstraint("tolerance IS NULL OR tolerance >= 0", name=op.f("ck_target_tolerance_non_negative")),
        sa.CheckConstraint("year IS NULL OR year BETWEEN 1949 AND 2100", name=op.f("ck_target_year_range")),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_target_goal_id_goal")),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"], name=op.f("fk_target_measure_id_measure")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_target_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_target_plan_id_code")),
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_target_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_target_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "submission_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("progress", sa.String(length=12), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "progress IN ('completed', 'on_schedule', 'delayed', 'not_started')",
            name=op.f("ck_submission_task_progress_allowed"),
        ),
        sa.CheckConstraint("(goal_id IS NULL) <> (measure_id IS NULL)", name=op.f("ck_submission_task_one_task")),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_submission_task_goal_id_goal")),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"], name=op.f("fk_submission_task_measure_id_measure")),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["submission_revision.id"], name=op.f("fk_submission_task_revision_id_submission_revision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_task")),
        sa.UniqueConstraint("revision_id", "goal_id", name=op.f("uq_submission_task_revision_id_goal_id")),
        sa.UniqueConstraint("revision_id", "measure_id", name=op.f("uq_submission_task_revision_id_measure_id")),
    )
    with op.batch_alter_table("submission_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_task_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_task_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "submission_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("reported_value", sa.Float(), nullable=False),
        sa.Column("reported_unit", sa.String(length=20), nullable=True),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("age_group", sa.String(length=30), nullable=False),
        sa.Column("area", sa.String(length=5), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("area IN ('all', 'urban', 'rural')", name=op.f("ck_submission_value_area_allowed")),
        sa.CheckConstraint("sex IN ('total', 'female', 'male')", name=op.f("ck_submission_value_sex_allowed")),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["submission_revision.id"],
            name=op.f("fk_submission_value_revision_id_submission_revision"),
        ),
        sa.ForeignKeyConstraint(["target_id"], ["target.id"], name=op.f("fk_submission_value_target_id_target")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_value")),
        sa.UniqueConstraint(
            "revision_id",
            "target_id",
            "sex",
            "age_group",
            "area",
            name=op.f("uq_submission_value_revision_id_target_id_sex_age_group_area"),
        ),
    )
    with op.batch_alter_table("submission_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_value_target_id"), ["target_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("submission_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_value_target_id"))

    op.drop_table("submission_value")
    with op.batch_alter_table("submission_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_task_measure_id"))
        batch_op.drop_index(batch_op.f("ix_submission_task_goal_id"))

    op.drop_table("submission_task")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_plan_id"))
        batch_op.drop_index(batch_op.f("ix_target_measure_id"))
        batch_op.drop_index(batch_op.f("ix_target_goal_id"))

    op.drop_table("target")
    op.drop_table("submission_revision")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assignment_measure_lead",
            sqlite_where=sa.text("role = 'lead' AND measure_id IS NOT NULL"),
            postgresql_where=sa.text("role = 'lead' AND measure_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_assignment_goal_lead",
            sqlite_where=sa.text("role = 'lead' AND goal_id IS NOT NULL"),
            postgresql_where=sa.text("role = 'lead' AND goal_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_assignment_unit_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_plan_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_measure_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_goal_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_unit_id"))
        batch_op.drop_index("ix_submission_plan_id_year_kind")
        batch_op.drop_index("ix_submission_cycle_id_status")

    op.drop_table("submission")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_plan_id"))
        batch_op.drop_index(batch_op.f("ix_measure_domain_id"))

    op.drop_table("measure")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_plan_id"))
        batch_op.drop_index(batch_op.f("ix_goal_domain_id"))

    op.drop_table("goal")
    with op.batch_alter_table("cycle_reopening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_reopening_unit_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_reopening_cycle_id"))

    op.drop_table("cycle_reopening")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_token_id"))
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("reporting_cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_cycle_plan_id"))

    op.drop_table("reporting_cycle")
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domain_plan_id"))

    op.drop_table("domain")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_unit_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_committee_id"))

    op.drop_table("unit")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_committee_id"))

    op.drop_table("plan")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
    op.drop_table("committee")
