"""The command line a committee office uses: migrate, seed (idempotent), tokens."""

import asyncio
import json

import pytest
from sqlalchemy import func, select

from app.cli import in_transaction, main
from app.models import Committee, Domain, Goal, Measure, Plan, Target
from app.settings import get_settings
from tests.conftest import SEED_PLANS


@pytest.fixture
def fresh_db(databases, monkeypatch):  # type: ignore[no-untyped-def]
    url = databases.create()
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def row_counts(url: str) -> dict[str, int]:
    async def count(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
        return {model.__tablename__: (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Committee, Plan, Domain, Goal, Measure, Target)}

    return asyncio.run(in_transaction(url, count))


def test_migrate_then_seed_twice_changes_nothing(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    first = row_counts(fresh_db)
    assert first["plan"] == len(SEED_PLANS) == 6
    assert first["goal"] == sum(len(d["goals"]) for doc in SEED_PLANS for d in doc["domains"])
    capsys.readouterr()

    assert main(["seed"]) == 0
    out = capsys.readouterr().out
    assert "新建 0 条，更新 0 条，" in out
    assert row_counts(fresh_db) == first


def test_token_lifecycle(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["tokens", "create", "--role", "reader", "--name", "统计平台"]) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("fep_") and len(token) > 40
    assert "令牌只显示这一次" in captured.err

    assert main(["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert "统计平台" in listing and "有效" in listing and token not in listing

    assert main(["tokens", "revoke", "1"]) == 0
    assert main(["tokens", "list"]) == 0
    assert "吊销" in capsys.readouterr().out
    assert main(["--lang", "en", "tokens", "list"]) == 0  # messages in English on request
    assert "revoked" in capsys.readouterr().out


def test_unit_token_needs_an_existing_unit(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["tokens", "create", "--role", "unit", "--name", "x"]) == 2
    assert capsys.readouterr().err.endswith("错误：unit: 成员单位令牌须指定成员单位代码\n")
    assert main(["tokens", "create", "--role", "unit", "--unit", "nope", "--name", "x"]) == 2
    assert capsys.readouterr().err.endswith("错误：成员单位 nope 不存在。\n")
    assert main(["--lang", "en", "tokens", "create", "--role", "unit", "--unit", "nope", "--name", "x"]) == 2
    assert capsys.readouterr().err.endswith("error: Unit nope does not exist.\n")


def test_seed_demo_loads_marked_example_decomposition_once(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.models import Assignment, ReportingCycle, Unit

    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    assert "示例数据" in capsys.readouterr().out

    async def read(session):  # type: ignore[no-untyped-def]
        units = (await session.execute(select(Unit))).scalars().all()
        assignments = (await session.execute(select(Assignment))).scalars().all()
        cycles = (await session.execute(select(func.count()).select_from(ReportingCycle))).scalar_one()
        leads = (await session.execute(select(Assignment.goal_id, func.count()).where(
            Assignment.role == "lead", Assignment.goal_id.is_not(None)).group_by(Assignment.goal_id))).all()
        return units, assignments, cycles, leads

    units, assignments, cycles, leads = asyncio.run(in_transaction(fresh_db, read))
    assert units and all(unit.is_example for unit in units)
    assert "110105-wjw" in {unit.code for unit in units}
    assert assignments and all(a.is_example for a in assignments)
    goal_count = row_counts(fresh_db)["goal"]
    assert len(leads) == goal_count and all(n == 1 for _, n in leads)  # every goal has exactly one lead
    assert cycles > 0

    assert main(["seed", "--demo"]) == 0
    again = asyncio.run(in_transaction(fresh_db, read))
    assert (len(again[0]), len(again[1]), again[2]) == (len(units), len(assignments), cycles)


def test_status_commands_show_and_publish(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    assert "已发布状态" in capsys.readouterr().out
    assert main(["status", "refresh"]) == 0
    assert "发布变化 0 项" in capsys.readouterr().out  # the seed already published everything

    assert main(["status", "show", "chaoyang-2021-2025", "--year", "2023"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["plan_code"] == "chaoyang-2021-2025" and shown["year"] == 2023
    assert {t["code"] for t in shown["targets"]} >= {"W1.2a", "C1.2a"}
    assert main(["status", "show", "chaoyang-2021-2025", "--year", "2023", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("类型,编码,领域")
    assert main(["status", "show", "chaoyang-2021-2025", "--year", "1999"]) == 2
    assert "year" in capsys.readouterr().err
