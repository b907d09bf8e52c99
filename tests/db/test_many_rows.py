"""`insert_rows` and `update_rows`: many rows in one statement on PostgreSQL (from one array per column), an
executemany on SQLite, with the same rows written on both."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlmodel import col

from app.db import insert_rows, update_rows
from app.models import OutboxEvent, Plan, Verdict
from tests.factories import counting


def verdict(plan_id: int, code: str, **changes: object) -> dict[str, object]:
    return {"plan_id": plan_id, "year": 2024, "subject_type": "target", "subject_code": code, "position": 1,
            "domain_code": "W1", "lead_unit": None, "applies": True, "status": "no_data", "flags": "",
            "payload": "{}", "version": 1, "inputs": "", "methodology": "2026.1", "computed_on": date(2024, 12, 31),
            "updated_at": datetime(2024, 12, 31, 8, tzinfo=UTC), **changes}


async def test_rows_are_inserted_and_updated_by_id_with_their_types(db, connection) -> None:  # type: ignore[no-untyped-def]
    plan_id = (await db.execute(select(col(Plan.id)).limit(1))).scalar_one()
    with counting(connection) as statements:
        await insert_rows(db, Verdict, [verdict(plan_id, f"T{i}", position=i, lead_unit="u" if i else None)
                                        for i in range(3)])
    stored = {v.subject_code: v for v in (await db.execute(select(Verdict).where(
        col(Verdict.plan_id) == plan_id, col(Verdict.subject_code).like("T_")))).scalars()}
    assert [(v.position, v.lead_unit, v.updated_at) for _, v in sorted(stored.items())] == [
        (0, None, datetime(2024, 12, 31, 8, tzinfo=UTC)), (1, "u", datetime(2024, 12, 31, 8, tzinfo=UTC)),
        (2, "u", datetime(2024, 12, 31, 8, tzinfo=UTC))]
    if connection.dialect.name == "postgresql":  # SQLite's executemany is one statement per set of columns given
        assert len(statements) == 1 and "unnest(" in statements[0]

    ids = [v.id for v in stored.values()]
    changed = [{"id": stored["T0"].id, "status": "achieved", "flags": "a,b", "version": 2, "lead_unit": "v"},
               {"id": stored["T2"].id, "status": "warning", "flags": "", "version": 3, "lead_unit": None}]
    with counting(connection) as statements:
        await update_rows(db, Verdict, changed)
    db.expire_all()
    after = {v.subject_code: (v.status, v.flags, v.version, v.lead_unit) for v in (await db.execute(
        select(Verdict).where(col(Verdict.id).in_(ids)))).scalars()}
    assert after == {"T0": ("achieved", "a,b", 2, "v"), "T1": ("no_data", "", 1, "u"), "T2": ("warning", "", 3, None)}
    if connection.dialect.name == "postgresql":  # SQLite's executemany is one statement per set of columns given
        assert len(statements) == 1 and "unnest(" in statements[0]


async def test_json_columns_take_objects_and_no_rows_run_nothing(db, connection) -> None:  # type: ignore[no-untyped-def]
    rows = [{"type": "cycle.due", "plan_id": None, "year": None, "subject": f"s{i}",
             "payload": {"n": i, "名称": "年度", "list": [1, None]}, "created_at": datetime(2026, 1, 1, tzinfo=UTC)}
            for i in range(2)]
    with counting(connection) as statements:
        await insert_rows(db, OutboxEvent, rows)
        await insert_rows(db, OutboxEvent, [])
        await update_rows(db, OutboxEvent, [])
    assert len(statements) == 1  # the empty lists run nothing
    payloads = (await db.execute(select(col(OutboxEvent.payload)).where(col(OutboxEvent.subject).in_(["s0", "s1"]))
                                 .order_by(col(OutboxEvent.subject)))).scalars().all()
    assert payloads == [{"n": 0, "名称": "年度", "list": [1, None]}, {"n": 1, "名称": "年度", "list": [1, None]}]


async def test_rows_with_different_columns_are_refused_on_postgresql(db, connection) -> None:  # type: ignore[no-untyped-def]
    """One array per column: a column only some rows give would be written for none of them."""
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite runs an executemany per set of columns: every row is written as given")
    plan_id = (await db.execute(select(col(Plan.id)).limit(1))).scalar_one()
    rows = [verdict(plan_id, "T0"), {**verdict(plan_id, "T1"), "extra": 1}]
    with pytest.raises(ValueError, match="same columns"):
        await insert_rows(db, Verdict, rows)
