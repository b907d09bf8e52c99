"""The command line a committee office uses: migrate, seed (idempotent), tokens."""

import asyncio
import json

import pytest
from sqlalchemy import func, select

from app.auth.tokens import hash_token
from app.cli import in_transaction, main
from app.models import AuditEvent, Committee, Domain, Goal, Measure, Plan, Target
from app.settings import PROJECT_ROOT, get_settings
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
    assert "错误：unit: 成员单位令牌须指定成员单位代码\n" in capsys.readouterr().err
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


def audit_actions(url: str) -> list[tuple[str, str, dict[str, object] | None]]:
    async def read(session) -> list[tuple[str, str, dict[str, object] | None]]:  # type: ignore[no-untyped-def]
        rows = await session.execute(select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.after)
                                     .order_by(AuditEvent.id))
        return [tuple(row) for row in rows.all()]

    return asyncio.run(in_transaction(url, read))


def test_token_creation_and_revocation_are_audited_without_the_secret(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["tokens", "create", "--role", "reader", "--name", "统计平台"]) == 0
    token = capsys.readouterr().out.strip()
    assert main(["tokens", "revoke", "1"]) == 0
    events = [event for event in audit_actions(fresh_db) if event[0].startswith("token.")]
    assert [(action, entity) for action, entity, _ in events] == [("token.create", "1"), ("token.revoke", "1")]
    assert events[0][2]["name"] == "统计平台" and events[1][2]["revoked_at"]  # type: ignore[index]
    recorded = json.dumps(events, ensure_ascii=False)
    assert token not in recorded and hash_token(token) not in recorded


def plan_rows(url: str) -> list[tuple[str, str | None, object]]:
    async def read(session) -> list[tuple[str, str | None, object]]:  # type: ignore[no-untyped-def]
        rows = await session.execute(select(Plan.code, Plan.source_file, Plan.anomalies).order_by(Plan.code))
        return [tuple(row) for row in rows.all()]

    return asyncio.run(in_transaction(url, read))


NOT_PLAN_TEXTS = {
    "a seed file": (PROJECT_ROOT / "seeds" / "plans" / "chaoyang-2021-2025.yaml").read_bytes(),
    "a notice of the committee": "北京市朝阳区妇女儿童工作委员会\n关于召开全体会议的通知\n".encode(),
    "a binary file": b"PK\x03\x04\x14\x00\x06\x00\xff\xfe",
    "a missing file": None,
}


@pytest.mark.parametrize("content", NOT_PLAN_TEXTS.values(), ids=NOT_PLAN_TEXTS.keys())
def test_importing_something_that_is_not_a_plan_text_fails_and_changes_nothing(
        fresh_db, capsys, tmp_path, content) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.txt"
    if content is not None:
        path.write_bytes(content)
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    before, counts = plan_rows(fresh_db), row_counts(fresh_db)
    capsys.readouterr()
    assert main(["plans", "import", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("错误：") and "更新" not in captured.out
    assert plan_rows(fresh_db) == before and row_counts(fresh_db) == counts
