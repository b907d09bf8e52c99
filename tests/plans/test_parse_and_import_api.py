"""The target parser and the plan importer as the committee office reaches them: HTTP and command line."""

import io
import json
import subprocess
import sys

from sqlalchemy import func, select, update

from app.models import Goal, Plan, Target
from app.models.enums import Role
from app.settings import PROJECT_ROOT
from tests.conftest import SEED_PLANS
from tests.factories import bearer, make_token

TEXTS = PROJECT_ROOT / "seeds" / "texts"


async def test_parse_endpoint(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.reader))
    response = await client.post("/api/v1/targets/parse", headers=headers,
                                 json={"text": "新生儿、婴儿和5岁以下儿童死亡率分别降至2‰、3‰和4‰以下。"})
    assert response.status_code == 200, response.text
    targets = response.json()["targets"]
    assert [(t["metric"], t["op"], t["value"], t["unit"]) for t in targets] == [
        ("新生儿死亡率", "<=", 2.0, "‰"), ("婴儿死亡率", "<=", 3.0, "‰"), ("5岁以下儿童死亡率", "<=", 4.0, "‰")]
    qualitative = await client.post("/api/v1/targets/parse", headers=headers, json={"text": "加强妇女思想政治引领。"})
    assert qualitative.json() == {"targets": []}
    empty = await client.post("/api/v1/targets/parse", headers=headers, json={"text": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "text"
    assert (await client.post("/api/v1/targets/parse", json={"text": "x"})).status_code == 401


def test_parse_command_reads_lines_and_prints_json_lines() -> None:
    sentences = "孕产妇死亡率控制在7/10万以下。\n\n到2025年和2030年，产前筛查率分别达80%以上和82%以上。\n"
    done = subprocess.run([sys.executable, "-m", "app", "targets", "parse"], input=sentences, text=True,
                          capture_output=True, cwd=PROJECT_ROOT, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 3 and lines[1] == []
    assert lines[0][0]["unit"] == "1/10万" and [t["year"] for t in lines[2]] == [2025, 2030]


async def test_dry_run_import_of_a_seeded_plan_changes_nothing(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    text = (TEXTS / "004_75f05439943c4a30.txt").read_text(encoding="utf-8")
    goals_before = (await db.execute(select(func.count()).select_from(Goal))).scalar_one()
    response = await client.post("/api/v1/plans/import", headers=headers,
                                 json={"text": text, "source_file": "004_75f05439943c4a30.txt"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True
    assert [p["code"] for p in report["plans"]] == ["wanghua-women-2021-2030"]
    assert report["created"] == 0 and report["updated"] == 0 and report["unchanged"] > 0
    assert (await db.execute(select(func.count()).select_from(Goal))).scalar_one() == goals_before


async def test_import_writes_only_when_asked(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    text = (TEXTS / "002_aa5ca547c2e032c6.txt").read_text(encoding="utf-8")
    report = (await client.post("/api/v1/plans/import", headers=headers, json={
        "text": text, "source_file": "002_aa5ca547c2e032c6.txt", "dry_run": False})).json()
    assert {p["code"] for p in report["plans"]} == {"zengdu-women-2021-2030", "zengdu-children-2021-2030"}
    assert report["dry_run"] is False and report["created"] == 0  # already seeded: idempotent


async def test_import_needs_admin_and_a_plan(client, db) -> None:  # type: ignore[no-untyped-def]
    reader = bearer(await make_token(db, Role.reader))
    admin = bearer(await make_token(db, Role.admin))
    body = {"text": "这不是一份规划。", "source_file": "x.txt"}
    assert (await client.post("/api/v1/plans/import", headers=reader, json=body)).status_code == 403
    refused = await client.post("/api/v1/plans/import", headers=admin, json=body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "text"


async def test_reimporting_an_edited_plan_keeps_every_code(client, db, world) -> None:  # type: ignore[no-untyped-def]
    """A target found anew before a reported one: the reported code keeps its target, the new one gets a new code."""
    admin = bearer(await make_token(db, Role.admin))
    reported = await client.post("/api/v1/plans/chaoyang-2021-2025/submissions", headers=world.health,
                                 json={"year": 2024, "values": [{"target": "W1.2a", "value": 6.8}]})
    assert reported.status_code == 201, reported.text
    source = "000_387d95fb7cc2558f.txt"
    goal = "2.保障孕产妇安全，孕产妇死亡率控制在7/10万以下。"
    edited = goal.replace("，", "，孕产妇系统管理率达到95%以上，")
    text = (TEXTS / source).read_text(encoding="utf-8").replace(goal, edited)
    dry = (await client.post("/api/v1/plans/import", headers=admin, json={"text": text, "source_file": source}))
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["added"] == ["chaoyang-2021-2025 target W1.2b"]
    assert "chaoyang-2021-2025 goal W1.2" in report["changed"] and report["removed"] == []
    codes = select(Target.code, Target.metric).join(Plan, Plan.id == Target.plan_id).where(  # type: ignore[arg-type]
        Plan.code == "chaoyang-2021-2025", Target.code.in_(["W1.2a", "W1.2b"]))  # type: ignore[attr-defined]
    assert dict((await db.execute(codes)).all()) == {"W1.2a": "孕产妇死亡率"}  # a dry run changes nothing
    done = await client.post("/api/v1/plans/import", headers=admin,
                             json={"text": text, "source_file": source, "dry_run": False})
    assert done.status_code == 200, done.text
    assert dict((await db.execute(codes)).all()) == {"W1.2a": "孕产妇死亡率", "W1.2b": "孕产妇系统管理率"}


async def test_a_word_plan_is_imported_and_anything_else_refused(client, db) -> None:  # type: ignore[no-untyped-def]
    import docx  # the committee's own .docx: the seeded 望花 plan, one paragraph per line

    admin = bearer(await make_token(db, Role.admin))
    document = docx.Document()
    for line in (TEXTS / "004_75f05439943c4a30.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    files = {"file": ("望花区妇女发展规划.docx", out.getvalue(),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}
    response = await client.post("/api/v1/plans/import/file", headers=admin, files=files)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True and [p["code"] for p in report["plans"]] == ["wanghua-women-2021-2030"]
    assert report["added"] == [] and report["created"] == 0
    goals_before = (await db.execute(select(func.count()).select_from(Goal))).scalar_one()
    refused = await client.post("/api/v1/plans/import/file", headers=admin, data={"dry_run": "false"},
                                files={"file": ("plan.pdf", b"%PDF-1.7\n", "application/pdf")})
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert (error["field"], error["code"]) == ("file", "unreadable_document") and "plan.pdf" in error["reason"]
    assert (await db.execute(select(func.count()).select_from(Goal))).scalar_one() == goals_before
    reader = bearer(await make_token(db, Role.reader))
    assert (await client.post("/api/v1/plans/import/file", headers=reader, files=files)).status_code == 403


async def test_an_import_stores_each_targets_parser_rule_and_the_apis_return_it(client, db) -> None:  # type: ignore[no-untyped-def]
    """Targets stored before rule ids were kept (NULL) get them from the next import; REST and GraphQL show them."""
    from app.plans.targets import RULES
    from tests.graphql.conftest import gql

    admin = bearer(await make_token(db, Role.admin))
    plan_id = select(Plan.id).where(Plan.code == "wanghua-women-2021-2030").scalar_subquery()  # type: ignore[arg-type]
    await db.execute(update(Target).where(Target.plan_id == plan_id).values(parse_rule=None))  # type: ignore[arg-type]
    await db.commit()
    source = "004_75f05439943c4a30.txt"
    report = (await client.post("/api/v1/plans/import", headers=admin, json={
        "text": (TEXTS / source).read_text(encoding="utf-8"), "source_file": source, "dry_run": False})).json()
    stored = dict((await db.execute(select(Target.code, Target.parse_rule).where(Target.plan_id == plan_id))).all())  # type: ignore[arg-type]
    assert len(stored) > 50 and set(stored.values()) <= {rule.id for rule in RULES}  # every target, a known rule
    assert sorted(report["changed"]) == sorted(f"wanghua-women-2021-2030 target {code}" for code in stored)
    seed = {t.code: t.rule for doc in SEED_PLANS if doc.plan.code == "wanghua-women-2021-2030"
            for t in doc.targets()}
    assert stored == seed  # the seed file records the same rules

    target = (await client.get("/api/v1/plans/wanghua-women-2021-2030/targets/W1.1a", headers=admin)).json()
    assert target["parse_rule"] == stored["W1.1a"]
    body = await gql(client, """query { plan(code: "wanghua-women-2021-2030") {
        domains { goals { targets { code parseRule } } } } }""", headers=admin)
    graph = {t["code"]: t["parseRule"] for d in body["data"]["plan"]["domains"] for g in d["goals"]
             for t in g["targets"]}
    assert graph == {code: rule for code, rule in stored.items() if code in graph} and graph
