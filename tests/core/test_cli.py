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
    assert first["goal"] == sum(doc.goal_count for doc in SEED_PLANS)
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


def test_seed_demo_adds_accepted_example_submissions_once(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.models import Assignment, Goal, Observation, Submission, SubmissionRevision, Unit

    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    assert "已采纳的报送 4 份" in capsys.readouterr().out

    async def read(session):  # type: ignore[no-untyped-def]
        submissions = (await session.execute(
            select(Submission.year, Submission.kind, Submission.status, Unit.code)
            .join(Unit, Unit.id == Submission.unit_id).order_by(Submission.year))).all()
        revisions = (await session.execute(select(SubmissionRevision))).scalars().all()
        values = (await session.execute(select(Observation))).scalars().all()
        leads = (await session.execute(select(Unit.code, Assignment.role, Assignment.is_example)
                                       .join(Assignment, Assignment.unit_id == Unit.id)
                                       .join(Goal, Goal.id == Assignment.goal_id)
                                       .join(Plan, Plan.id == Goal.plan_id)
                                       .where(Goal.code == "C1.4", Plan.code == "chaoyang-2021-2025"))).all()
        events = (await session.execute(select(func.count()).select_from(AuditEvent))).scalar_one()
        return submissions, revisions, values, sorted(leads), events

    submissions, revisions, values, leads, events = asyncio.run(in_transaction(fresh_db, read))
    assert [(year, kind, status, unit) for year, kind, status, unit in submissions] == [
        (2020, "baseline", "accepted", "110105-wjw"),
        *[(year, "annual", "accepted", "110105-wjw") for year in (2021, 2022, 2023)]]
    assert all("示例数据" in (r.achievements or "") and "示例数据" in (r.problems or "") and
               "示例数据" in (r.next_steps or "") for r in revisions)
    assert values and all("示例数据" in (v.source or "") for v in values)
    assert {(v.sex, v.area) for v in values} >= {("female", "all"), ("male", "all"), ("total", "urban"),
                                                 ("total", "rural")}
    # One value raises a real check (the total outside its parts) and carries the unit's explanation.
    [warned] = [v for v in values if any(w["code"] != "unexpected_breakdown" for w in v.warnings)]
    assert [w["code"] for w in warned.warnings] == ["total_outside_parts"] and "示例数据" in warned.justification
    # C1.4 moved to the education commission; the health commission stays on as support; all are examples.
    assert leads == [("110105-jw", "lead", True), ("110105-tjj", "support", True), ("110105-wjw", "support", True)]

    assert main(["status", "show", "chaoyang-2021-2025", "--year", "2023"]) == 0
    targets = {t["code"]: t for t in json.loads(capsys.readouterr().out)["targets"]}
    assert targets["C1.4a"]["lead_unit"] == "110105-jw"
    assert targets["C1.4a"]["latest"] == {"year": 2023, "value": 96.1, "provisional": False}  # the years kept
    assert targets["W1.2a"]["baseline"]["year"] == 2020  # from the base-year cycle

    assert main(["seed", "--demo"]) == 0
    assert "已采纳的报送 0 份（已存在" in capsys.readouterr().out
    again = asyncio.run(in_transaction(fresh_db, read))
    assert (len(again[0]), len(again[1]), len(again[2]), again[3], again[4]) == (
        len(submissions), len(revisions), len(values), leads, events)


def test_status_commands_show_and_publish(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    capsys.readouterr()
    assert main(["status", "refresh"]) == 0
    assert "发布变化 0 项" in capsys.readouterr().out  # every write of the seed kept its verdicts current
    assert main(["worker", "--once"]) == 0  # the daily catch-up: already done today

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
