"""stored verdicts and the outbox

The published statuses (status_snapshot: status and flags) become the verdict read model (status, flags, the
whole explanation as served, plan order, version); the change feed (status_change) becomes the outbox, which
also carries workflow events. Existing changes are kept with their ids, so a consumer's cursor stays valid.
Verdict rows copied from the snapshots have an empty payload: `python -m app migrate` recomputes every plan
right after upgrading (it emits events only where a status or flag really changes).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    txid_default = sa.text("(pg_current_xact_id()::text::bigint)") if _postgres() else sa.text("0")
    op.create_table(
        "verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_code", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("domain_code", sa.String(length=10), nullable=False),
        sa.Column("lead_unit", sa.String(length=60), nullable=True),
        sa.Column("applies", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flags", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_verdict_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdict")),
        sa.UniqueConstraint("plan_id", "year", "subject_type", "subject_code",
                            name=op.f("uq_verdict_plan_id_year_subject_type_subject_code")),
    )
    op.execute("INSERT INTO verdict (plan_id, year, subject_type, subject_code, position, domain_code, applies, "
               "status, flags, payload, version, computed_on, updated_at) "
               "SELECT plan_id, year, subject_type, subject_code, 0, '', true, status, flags, '', 1, "
               "'1970-01-01', updated_at FROM status_snapshot")
    op.drop_table("status_snapshot")
    op.execute("DELETE FROM status_refresh")  # every plan is recomputed once

    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False, server_default=txid_default),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_outbox_event_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    op.create_index("ix_outbox_event_txid_id", "outbox_event", ["txid", "id"])
    op.create_index("ix_outbox_event_plan_id_txid_id", "outbox_event", ["plan_id", "txid", "id"])
    changes = sa.table("status_change", *(sa.column(c) for c in (
        "id", "plan_id", "year", "subject_type", "subject_code", "from_status", "to_status", "from_flags",
        "to_flags", "explanation", "cause", "changed_at")))
    bind = op.get_bind()
    rows = [dict(r._mapping) for r in bind.execute(sa.select(changes).order_by(changes.c.id))]
    if rows:
        outbox = sa.table("outbox_event", *(sa.column(c) for c in (
            "id", "txid", "type", "plan_id", "year", "subject", "created_at")), sa.column("payload", JSON))
        bind.execute(sa.insert(outbox), [
            {"id": r["id"], "txid": 0, "type": "verdict.changed", "plan_id": r["plan_id"], "year": r["year"],
             "subject": f"{r['subject_type']}:{r['subject_code']}", "created_at": r["changed_at"],
             "payload": _payload(r)} for r in rows])
        if _postgres():
            op.execute("SELECT setval(pg_get_serial_sequence('outbox_event', 'id'), "
                       "(SELECT max(id) FROM outbox_event))")
    op.drop_index("ix_status_change_plan_id_id", table_name="status_change")
    op.drop_table("status_change")
    with op.batch_alter_table("reporting_cycle") as batch:
        batch.add_column(sa.Column("due_announced_at", sa.DateTime(timezone=True), nullable=True))
    # Cycles already past their due date are not announced again.
    op.execute("UPDATE reporting_cycle SET due_announced_at = created_at WHERE due_on < CURRENT_DATE")


def _payload(row: dict) -> dict:  # type: ignore[type-arg]
    def flags(value: str | None) -> list[str] | None:
        return None if value is None else [f for f in value.split(",") if f]

    return {"subject_type": row["subject_type"], "subject_code": row["subject_code"],
            "from_status": row["from_status"], "to_status": row["to_status"],
            "from_flags": flags(row["from_flags"]), "to_flags": flags(row["to_flags"]) or [],
            "explanation": row["explanation"], "cause": row["cause"]}


def downgrade() -> None:
    with op.batch_alter_table("reporting_cycle") as batch:
        batch.drop_column("due_announced_at")
    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_code", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("from_flags", sa.String(length=100), nullable=True),
        sa.Column("to_flags", sa.String(length=100), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("cause", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_status_change_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    op.create_index("ix_status_change_plan_id_id", "status_change", ["plan_id", "id"], unique=False)
    bind = op.get_bind()
    outbox = sa.table("outbox_event", *(sa.column(c) for c in (
        "id", "txid", "type", "plan_id", "year", "created_at")), sa.column("payload", JSON))
    events = bind.execute(sa.select(outbox).where(outbox.c.type == "verdict.changed")
                          .order_by(outbox.c.txid, outbox.c.id)).all()
    changes = sa.table("status_change", *(sa.column(c) for c in (
        "plan_id", "year", "subject_type", "subject_code", "from_status", "to_status", "from_flags", "to_flags",
        "explanation", "cause", "changed_at")))
    if events:
        def flags(value: list[str] | None) -> str | None:
            return None if value is None else ",".join(value)

        bind.execute(sa.insert(changes), [
            {"plan_id": e.plan_id, "year": e.year, "subject_type": e.payload["subject_type"],
             "subject_code": e.payload["subject_code"], "from_status": e.payload["from_status"],
             "to_status": e.payload["to_status"], "from_flags": flags(e.payload["from_flags"]),
             "to_flags": flags(e.payload["to_flags"]) or "", "explanation": e.payload["explanation"],
             "cause": e.payload["cause"][:100], "changed_at": e.created_at} for e in events])
    op.drop_index("ix_outbox_event_plan_id_txid_id", table_name="outbox_event")
    op.drop_index("ix_outbox_event_txid_id", table_name="outbox_event")
    op.drop_table("outbox_event")

    op.create_table(
        "status_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_code", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flags", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_status_snapshot_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_snapshot")),
        sa.UniqueConstraint("plan_id", "year", "subject_type", "subject_code",
                            name=op.f("uq_status_snapshot_plan_id_year_subject_type_subject_code")),
    )
    op.execute("INSERT INTO status_snapshot (plan_id, year, subject_type, subject_code, status, flags, updated_at) "
               "SELECT plan_id, year, subject_type, subject_code, status, flags, updated_at FROM verdict")
    op.drop_table("verdict")
