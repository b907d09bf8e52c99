"""indicators and observations

Every target gets an indicator of its committee's catalogue (targets that measure the same quantity share one,
as the seed loader links them), and every reported value becomes an observation of that indicator, in the
indicator's unit. Two values of one revision that now report the same indicator and breakdown (the 2025 and 2030
milestones of one quantity) become one observation; if they differed, the other value is kept in its note and a
warning, never dropped. Downgrading turns observations back into values of their target (or of the first target
on their indicator in the submission's plan).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:27:46
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.indicators.catalogue import Catalogue, TargetFacts, merge_reason
from app.indicators.units import convert, convertible
from app.observations.breakdowns import normalise_age_group

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("match_key", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("direction", sa.String(length=6), nullable=True),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("data_source_unit_id", sa.Integer(), nullable=True),
        sa.Column("breakdowns", sa.JSON(), nullable=False),
        sa.Column("age_groups", sa.JSON(), nullable=False),
        sa.Column("precision", sa.Integer(), nullable=True),
        sa.Column("national_code", sa.String(length=40), nullable=True),
        sa.Column("review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("direction IS NULL OR direction IN ('higher', 'lower')",
                           name=op.f("ck_indicator_direction_allowed")),
        sa.CheckConstraint("precision IS NULL OR precision BETWEEN 0 AND 6", name=op.f("ck_indicator_precision_range")),
        sa.ForeignKeyConstraint(["committee_id"], ["committee.id"], name=op.f("fk_indicator_committee_id_committee")),
        sa.ForeignKeyConstraint(["data_source_unit_id"], ["unit.id"],
                                name=op.f("fk_indicator_data_source_unit_id_unit")),
        sa.ForeignKeyConstraint(["merged_into_id"], ["indicator.id"],
                                name=op.f("fk_indicator_merged_into_id_indicator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("committee_id", "code", name=op.f("uq_indicator_committee_id_code")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        # Matching at seeding and import: WHERE committee_id = ? AND match_key = ?.
        batch_op.create_index("ix_indicator_committee_id_match_key", ["committee_id", "match_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicator_data_source_unit_id"), ["data_source_unit_id"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("reported_value", sa.Float(), nullable=False),
        sa.Column("reported_unit", sa.String(length=20), nullable=True),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("age_group", sa.String(length=30), nullable=False),
        sa.Column("area", sa.String(length=5), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("warnings", JSONDoc, nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.CheckConstraint("area IN ('all', 'urban', 'rural')", name=op.f("ck_observation_area_allowed")),
        sa.CheckConstraint("sex IN ('total', 'female', 'male')", name=op.f("ck_observation_sex_allowed")),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"], name=op.f("fk_observation_indicator_id_indicator")),
        sa.ForeignKeyConstraint(["revision_id"], ["submission_revision.id"],
                                name=op.f("fk_observation_revision_id_submission_revision")),
        sa.ForeignKeyConstraint(["target_id"], ["target.id"], name=op.f("fk_observation_target_id_target")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint("revision_id", "indicator_id", "sex", "age_group", "area",
                            name=op.f("uq_observation_revision_id_indicator_id_sex_age_group_area")),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_observation_revision_id"), ["revision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_observation_target_id"), ["target_id"], unique=False)

    op.create_table(
        "target_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", JSONDoc, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["target.id"], name=op.f("fk_target_version_target_id_target")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_version")),
        sa.UniqueConstraint("target_id", "version", name=op.f("uq_target_version_target_id_version")),
    )

    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_source", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("indicator_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scope_sex", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("scope_age_group", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("scope_area", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("curated_at", sa.DateTime(timezone=True), nullable=True))

    connection = op.get_bind()
    _link_targets(connection)
    _values_to_observations(connection)

    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.alter_column("indicator_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("version", existing_type=sa.Integer(), server_default=None)
        batch_op.create_index(batch_op.f("ix_target_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_target_indicator_id_indicator"), "indicator", ["indicator_id"],
                                    ["id"])
        batch_op.create_check_constraint("scope_sex_allowed", "scope_sex IS NULL OR scope_sex IN ('female', 'male')")
        batch_op.create_check_constraint("scope_area_allowed",
                                         "scope_area IS NULL OR scope_area IN ('urban', 'rural')")

    with op.batch_alter_table("submission_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_value_target_id"))
    op.drop_table("submission_value")


def _link_targets(connection: sa.Connection) -> None:
    """One indicator per committee and quantity, numbered in plan order, as the seed loader does it."""
    now = sa.func.now()
    indicator = sa.table("indicator", *(sa.column(c) for c in (
        "id", "committee_id", "code", "name", "match_key", "unit", "direction", "review", "review_reason",
        "created_at", "updated_at")), sa.column("breakdowns", sa.JSON), sa.column("age_groups", sa.JSON))
    rows = connection.execute(sa.text(
        "SELECT t.id, t.metric, t.op, t.unit, t.per_year, t.baseline_year, t.direction, p.committee_id "
        "FROM target t JOIN plan p ON p.id = t.plan_id ORDER BY p.committee_id, p.code, t.id")).all()
    catalogues: dict[int, Catalogue] = {}
    links: list[tuple[int, int, Any]] = []  # (target id, committee id, entry)
    for target_id, metric, target_op, unit, per_year, baseline_year, direction, committee_id in rows:
        catalogue = catalogues.setdefault(committee_id, Catalogue())
        entry, _ = catalogue.place(TargetFacts(metric=metric, op=target_op, unit=unit, per_year=bool(per_year),
                                               baseline_year=baseline_year, direction=direction))
        links.append((target_id, committee_id, entry))
    for committee_id, catalogue in catalogues.items():
        for number, entry in enumerate(catalogue.entries, start=1):
            entry.ref = connection.execute(indicator.insert().values(
                committee_id=committee_id, code=f"I{number:03d}", name=entry.name, match_key=entry.key,
                unit=entry.unit, direction=entry.direction, breakdowns=[], age_groups=[], review=entry.inferred,
                review_reason=merge_reason(entry) if entry.inferred else None, created_at=now, updated_at=now,
            ).returning(indicator.c.id)).scalar_one()
    for target_id, _, entry in links:
        connection.execute(sa.text("UPDATE target SET indicator_id = :indicator WHERE id = :id"),
                           {"indicator": entry.ref, "id": target_id})


def _values_to_observations(connection: sa.Connection) -> None:
    observation = sa.table("observation", *(sa.column(c) for c in (
        "revision_id", "indicator_id", "target_id", "value", "unit", "reported_value", "reported_unit", "sex",
        "age_group", "area", "source", "note", "justification")), sa.column("warnings", JSONDoc))
    values = connection.execute(sa.text(
        "SELECT v.revision_id, v.target_id, t.code, t.indicator_id, i.unit, v.value, v.unit, v.reported_value, "
        "v.reported_unit, v.sex, v.age_group, v.area, v.source, v.note "
        "FROM submission_value v JOIN target t ON t.id = v.target_id JOIN indicator i ON i.id = t.indicator_id "
        "ORDER BY v.id")).all()
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    for (revision_id, target_id, code, indicator_id, indicator_unit, value, unit, reported_value, reported_unit, sex,
         age_group, area, source, note) in values:
        if indicator_unit and unit and convertible(unit, indicator_unit):
            value, unit = convert(value, unit, indicator_unit), indicator_unit
        age = normalise_age_group(age_group or "all")
        key = (revision_id, indicator_id, sex, age, area)
        first = kept.get(key)
        if first is None:
            kept[key] = {"revision_id": revision_id, "indicator_id": indicator_id, "target_id": target_id,
                         "value": value, "unit": unit, "reported_value": reported_value,
                         "reported_unit": reported_unit, "sex": sex, "age_group": age, "area": area,
                         "source": source, "note": note, "warnings": [], "justification": None}
        elif abs(first["value"] - value) > 1e-9 * max(1.0, abs(value)):
            # Two targets of one indicator reported differently in one revision: keep both numbers.
            text = f"迁移时发现同一修订在{code}下另报{reported_value:g}{reported_unit or ''}"
            first["note"] = f"{first['note']}；{text}" if first["note"] else text
            first["warnings"].append({"code": "migrated_conflicting_value", "message": text,
                                      "params": {"target": code, "value": reported_value, "unit": reported_unit}})
    if kept:
        connection.execute(observation.insert(), list(kept.values()))


def downgrade() -> None:
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
        sa.ForeignKeyConstraint(["revision_id"], ["submission_revision.id"],
                                name=op.f("fk_submission_value_revision_id_submission_revision")),
        sa.ForeignKeyConstraint(["target_id"], ["target.id"], name=op.f("fk_submission_value_target_id_target")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_value")),
        sa.UniqueConstraint("revision_id", "target_id", "sex", "age_group", "area",
                            name=op.f("uq_submission_value_revision_id_target_id_sex_age_group_area")),
    )
    with op.batch_alter_table("submission_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_value_target_id"), ["target_id"], unique=False)
    op.execute(
        "INSERT INTO submission_value (revision_id, target_id, value, unit, reported_value, reported_unit, sex, "
        "age_group, area, source, note) "
        "SELECT o.revision_id, COALESCE(o.target_id, (SELECT MIN(t.id) FROM target t JOIN submission_revision r "
        "ON r.id = o.revision_id JOIN submission s ON s.id = r.submission_id WHERE t.indicator_id = o.indicator_id "
        "AND t.plan_id = s.plan_id)), o.value, o.unit, o.reported_value, o.reported_unit, o.sex, o.age_group, o.area, "
        "o.source, o.note FROM observation o")

    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_target_scope_area_allowed"), type_="check")
        batch_op.drop_constraint(op.f("ck_target_scope_sex_allowed"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_target_indicator_id_indicator"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_target_indicator_id"))
        for column in ("curated_at", "version", "review_comment", "scope_area", "scope_age_group", "scope_sex",
                       "indicator_id", "baseline_source"):
            batch_op.drop_column(column)

    op.drop_table("target_version")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_target_id"))
        batch_op.drop_index(batch_op.f("ix_observation_revision_id"))
        batch_op.drop_index(batch_op.f("ix_observation_indicator_id"))
    op.drop_table("observation")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_data_source_unit_id"))
        batch_op.drop_index("ix_indicator_committee_id_match_key")
    op.drop_table("indicator")
