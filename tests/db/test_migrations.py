"""Migrations: upgrade on an empty database, downgrade to base, upgrade again; no drift from the models."""

import asyncio
import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.cli import alembic_config, migrate
from app.db import create_engine
from app.models import metadata


def table_names(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(read())


def schema_drift(url: str) -> list[object]:
    async def diff() -> list[object]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            result = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
        await engine.dispose()
        return list(result)

    return asyncio.run(diff())


def test_upgrade_downgrade_upgrade(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    migrate(url)
    expected = set(metadata.tables) | {"alembic_version"}
    assert table_names(url) == expected
    assert schema_drift(url) == []

    command.downgrade(alembic_config(url), "base")
    assert table_names(url) <= {"alembic_version"}

    migrate(url)
    assert table_names(url) == expected


# --- 0003: targets get indicators, values become observations -------------------------------------------------

def run_sql(url: str, statements: list[str]) -> list[list[tuple[object, ...]]]:
    async def go() -> list[list[tuple[object, ...]]]:
        engine = create_engine(url)
        results = []
        async with engine.begin() as connection:
            for statement in statements:
                result = await connection.execute(text(statement))
                results.append([tuple(row) for row in result.all()] if result.returns_rows else [])
        await engine.dispose()
        return results

    return asyncio.run(go())


BEFORE_0003 = [
    "INSERT INTO committee (id, code, name, region) VALUES (1, '421303', '曾都区妇儿工委', '湖北省随州市曾都区')",
    "INSERT INTO plan (id, committee_id, code, title, kind, start_year, end_year, status, anomalies, created_at) "
    "VALUES (1, 1, 'zd-w', '妇女规划', 'women', 2021, 2030, 'published', '[]', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO plan (id, committee_id, code, title, kind, start_year, end_year, status, anomalies, created_at) "
    "VALUES (2, 1, 'zd-c', '儿童规划', 'children', 2021, 2030, 'published', '[]', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO domain (id, plan_id, code, part, seq, title, inferred) VALUES "
    "(1, 1, 'W1', 'W', 1, '妇女与健康', false), (2, 2, 'C1', 'C', 1, '儿童与健康', false)",
    "INSERT INTO goal (id, plan_id, domain_id, code, seq, text) VALUES (1, 1, 1, 'W1.2', 1, '孕产妇死亡率……')",
    "INSERT INTO goal (id, plan_id, domain_id, code, seq, text) VALUES (2, 2, 2, 'C1.1', 1, '全区孕产妇死亡率……')",
    # Two milestones of one quantity in two units, the same quantity worded otherwise in the other plan,
    # and another quantity.
    "INSERT INTO target (id, plan_id, goal_id, code, seq, metric, op, value, unit, year, per_year, review) VALUES "
    "(1, 1, 1, 'W1.2c', 1, '孕产妇死亡率', '<=', 1, '1/万', 2025, false, false), "
    "(2, 1, 1, 'W1.2d', 2, '孕产妇死亡率', '<=', 9, '1/10万', 2030, false, false), "
    "(3, 2, 2, 'C1.1a', 1, '全区孕产妇死亡率', '<=', 9, '1/10万', NULL, false, false), "
    "(4, 1, 1, 'W1.2a', 3, '产前筛查率', '>=', 80, '%', 2025, false, false)",
    "INSERT INTO unit (id, committee_id, code, name, active, is_example, created_at, updated_at) VALUES "
    "(1, 1, '421303-wjw', '区卫生健康委', true, false, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO reporting_cycle (id, plan_id, year, kind, opens_on, due_on, created_at) VALUES "
    "(1, 1, 2023, 'annual', '2023-01-01', '2023-12-31', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO submission (id, plan_id, unit_id, cycle_id, year, kind, status, revision, accepted_revision, late, "
    "created_at, updated_at) VALUES (1, 1, 1, 1, 2023, 'annual', 'accepted', 2, 2, false, "
    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO submission_revision (id, submission_id, revision, status, late, created_at, created_by) VALUES "
    "(1, 1, 1, 'draft', false, '2026-01-01 00:00:00+00:00', 'u'), "
    "(2, 1, 2, 'submitted', false, '2026-01-01 00:00:00+00:00', 'u')",
    "INSERT INTO submission_value (revision_id, target_id, value, unit, reported_value, reported_unit, sex, age_group, "
    "area, source, note) VALUES "
    "(1, 1, 0.8, '1/万', 0.8, '1/万', 'total', 'all', 'all', NULL, NULL), "
    "(2, 1, 0.9, '1/万', 0.9, '1/万', 'total', 'all', 'all', '年报', NULL), "
    "(2, 2, 9.0, '1/10万', 9.0, '1/10万', 'total', 'all', 'all', NULL, NULL), "
    "(2, 4, 85.0, '%', 85.0, '%', 'female', '0-28 天', 'rural', NULL, '备注')",
]


def test_upgrade_to_0003_keeps_every_value(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    command.upgrade(alembic_config(url), "0002")
    run_sql(url, BEFORE_0003)
    migrate(url)
    indicators, targets, observations = run_sql(url, [
        "SELECT code, name, unit, direction, review FROM indicator ORDER BY code",
        "SELECT t.code, i.code FROM target t JOIN indicator i ON i.id = t.indicator_id ORDER BY t.code",
        "SELECT o.revision_id, i.code, t.code, o.value, o.unit, o.reported_value, o.reported_unit, o.sex, o.age_group, "
        "o.area, o.source, o.note, o.warnings FROM observation o JOIN indicator i ON i.id = o.indicator_id "
        "LEFT JOIN target t ON t.id = o.target_id ORDER BY o.revision_id, i.code"])
    # One indicator for the three maternal-mortality targets of both plans, stored in the finer unit; the merge
    # of a differently worded name is marked for review.
    assert [row[:4] for row in indicators] == [("I001", "全区孕产妇死亡率", "1/10万", "lower"),
                                               ("I002", "产前筛查率", "%", "higher")]
    assert [bool(row[4]) for row in indicators] == [True, False]
    assert dict(targets) == {"C1.1a": "I001", "W1.2a": "I002", "W1.2c": "I001", "W1.2d": "I001"}
    assert len(observations) == 3
    first, maternal, screening = observations
    assert first[:7] == (1, "I001", "W1.2c", 8.0, "1/10万", 0.8, "1/万")
    # 0.9/万 and 9/10万 are the same number: one observation, converted, nothing else to keep.
    assert maternal[:7] == (2, "I001", "W1.2c", 9.0, "1/10万", 0.9, "1/万") and maternal[10] == "年报"
    assert not (maternal[12] if isinstance(maternal[12], list) else json.loads(maternal[12]))
    # Breakdowns and notes survive; the age group's spelling is normalised.
    assert screening[1:] == ("I002", "W1.2a", 85.0, "%", 85.0, "%", "female", "0-28天", "rural", None, "备注",
                             screening[12])
    assert schema_drift(url) == []


def test_conflicting_milestone_values_are_kept_in_the_note(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    command.upgrade(alembic_config(url), "0002")
    conflicting = BEFORE_0003[-1].replace("(2, 2, 9.0, '1/10万', 9.0,", "(2, 2, 9.5, '1/10万', 9.5,")
    run_sql(url, [*BEFORE_0003[:-1], conflicting])
    migrate(url)
    [[(value, note, warnings)]] = run_sql(url, [
        "SELECT value, note, warnings FROM observation WHERE revision_id = 2 AND sex = 'total'"])
    assert value == 9.0 and "W1.2d" in note and "9.5" in note
    parsed = warnings if isinstance(warnings, list) else json.loads(warnings)
    assert [w["code"] for w in parsed] == ["migrated_conflicting_value"]


def test_downgrade_from_0003_turns_observations_back_into_values(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    command.upgrade(alembic_config(url), "0002")
    run_sql(url, BEFORE_0003)
    migrate(url)
    command.downgrade(alembic_config(url), "0002")
    [values] = run_sql(url, ["SELECT revision_id, target_id, value, sex, age_group FROM submission_value "
                             "ORDER BY revision_id, target_id"])
    assert values == [(1, 1, 8.0, "total", "all"), (2, 1, 9.0, "total", "all"), (2, 4, 85.0, "female", "0-28天")]


# --- 0004: baseline cycles and submissions are allowed -------------------------------------------------------

BASELINE_ROWS = [
    "INSERT INTO reporting_cycle (id, plan_id, year, kind, opens_on, due_on, created_at) VALUES "
    "(2, 1, 2020, 'baseline', '2021-01-01', '2021-12-31', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO submission (id, plan_id, unit_id, cycle_id, year, kind, status, revision, accepted_revision, late, "
    "created_at, updated_at) VALUES (2, 1, 1, 2, 2020, 'baseline', 'accepted', 1, 1, false, "
    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO submission_revision (id, submission_id, revision, status, late, created_at, created_by) VALUES "
    "(3, 2, 1, 'submitted', false, '2026-01-01 00:00:00+00:00', 'u')",
    "INSERT INTO observation (revision_id, indicator_id, value, reported_value, sex, age_group, area, warnings) "
    "SELECT 3, indicator_id, 9.8, 9.8, 'total', 'all', 'all', '[]' FROM target WHERE id = 2",
]


def test_0004_allows_baseline_cycles_and_its_downgrade_refuses_to_lose_them(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    command.upgrade(alembic_config(url), "0002")
    run_sql(url, BEFORE_0003)
    command.upgrade(alembic_config(url), "0003")
    try:  # 0003 alone still refuses the kind
        run_sql(url, BASELINE_ROWS[:1])
    except Exception as exc:  # noqa: BLE001  (the driver's IntegrityError, whichever the backend)
        assert "kind_allowed" in str(exc)
    else:
        raise AssertionError("0003 accepted a baseline cycle")
    migrate(url)
    run_sql(url, BASELINE_ROWS)
    assert run_sql(url, ["SELECT count(*) FROM observation WHERE revision_id = 3"]) == [[(1,)]]
    try:  # base-year figures would be lost: the downgrade refuses and changes nothing
        command.downgrade(alembic_config(url), "0003")
    except RuntimeError as exc:
        assert "baseline" in str(exc)
    else:
        raise AssertionError("the downgrade dropped base-year rows")
    assert run_sql(url, ["SELECT count(*) FROM submission WHERE kind = 'baseline'"]) == [[(1,)]]
    run_sql(url, ["DELETE FROM observation WHERE revision_id = 3", "DELETE FROM submission_revision WHERE id = 3",
                  "DELETE FROM submission WHERE id = 2", "DELETE FROM reporting_cycle WHERE id = 2"])
    command.downgrade(alembic_config(url), "0003")
    migrate(url)
    assert schema_drift(url) == []


# --- 0008: targets record the parser rule that read them ------------------------------------------------------

def target_columns(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("target")})
        await engine.dispose()
        return names

    return asyncio.run(read())


def test_0008_adds_a_null_parse_rule_to_existing_targets(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    command.upgrade(alembic_config(url), "0002")
    run_sql(url, BEFORE_0003)
    command.upgrade(alembic_config(url), "0007")
    assert "parse_rule" not in target_columns(url)
    migrate(url)
    [rows] = run_sql(url, ["SELECT code, parse_rule FROM target ORDER BY code"])
    assert rows == [("C1.1a", None), ("W1.2a", None), ("W1.2c", None), ("W1.2d", None)]  # imported before: none
    run_sql(url, ["UPDATE target SET parse_rule = 'threshold' WHERE code = 'W1.2a'"])
    assert schema_drift(url) == []
    command.downgrade(alembic_config(url), "0007")
    assert "parse_rule" not in target_columns(url)
    assert run_sql(url, ["SELECT count(*) FROM target"]) == [[(4,)]]  # the targets stay, only the column goes
    migrate(url)
    assert run_sql(url, ["SELECT count(*) FROM target WHERE parse_rule IS NULL"]) == [[(4,)]]


async def test_verdict_pages_leave_room_for_changes_on_postgresql(db, connection) -> None:  # type: ignore[no-untyped-def]
    """0012: a changed verdict can be rewritten on its own page without touching an index (a heap-only update)."""
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite has no fill factor")
    options = (await db.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'verdict'"))).scalar_one()
    assert "fillfactor=70" in options
