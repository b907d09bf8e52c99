"""The read API over the seeded plans: lists, filters, detail, verbatim text, 404s and query counts."""

import pytest
from sqlalchemy import select

from app.models import Assignment, Goal, Measure, Plan
from app.models.enums import Role
from app.settings import PROJECT_ROOT
from tests.conftest import SEED_PLANS
from tests.factories import bearer, counting, make_token, make_unit

PLAN = "chaoyang-2021-2025"
SOURCE = (PROJECT_ROOT / "seeds" / "texts" / "000_387d95fb7cc2558f.txt").read_text(encoding="utf-8")


@pytest.fixture
async def headers(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return bearer(await make_token(db, Role.reader))


async def test_all_seed_plans_are_listed(client, headers) -> None:  # type: ignore[no-untyped-def]
    body = (await client.get("/api/v1/plans", headers=headers)).json()
    assert body["total"] == len(SEED_PLANS) == 6
    assert {plan["code"] for plan in body["items"]} == {doc.plan.code for doc in SEED_PLANS}


@pytest.mark.parametrize(("query", "expected"), [
    ("committee=110105", {"chaoyang-2021-2025"}),
    ("committee=421303", {"zengdu-women-2021-2030", "zengdu-children-2021-2030"}),
    ("kind=children", {"zengdu-children-2021-2030"}),
    ("year=2028", {"zengdu-women-2021-2030", "zengdu-children-2021-2030", "wanghua-women-2021-2030"}),
    ("q=望花", {"wanghua-women-2021-2030"}),
])
async def test_plan_filters(client, headers, query, expected) -> None:  # type: ignore[no-untyped-def]
    body = (await client.get(f"/api/v1/plans?{query}", headers=headers)).json()
    assert {plan["code"] for plan in body["items"]} == expected
    assert body["total"] == len(expected)


async def test_plan_detail_matches_its_seed(client, headers) -> None:  # type: ignore[no-untyped-def]
    for doc in SEED_PLANS:
        plan = (await client.get(f"/api/v1/plans/{doc.plan.code}", headers=headers)).json()
        assert plan["title"] == doc.plan.title
        assert [d["code"] for d in plan["domains"]] == [d.code for d in doc.domains]
        assert plan["counts"]["goals"] == doc.goal_count
        assert plan["counts"]["measures"] == sum(len(d.measures) for d in doc.domains)
        assert plan["anomalies"] == doc.plan.anomalies


async def test_inferred_domain_headings_are_marked(client, headers) -> None:  # type: ignore[no-untyped-def]
    domains = (await client.get(f"/api/v1/plans/{PLAN}/domains", headers=headers)).json()["items"]
    assert [d["code"] for d in domains if d["inferred"]] == ["C6", "C7"]
    assert domains[0]["code"] == "W1" and domains[0]["title"] == "妇女与健康"


async def test_goal_text_is_verbatim(client, headers) -> None:  # type: ignore[no-untyped-def]
    goal = (await client.get(f"/api/v1/plans/{PLAN}/goals/W1.2", headers=headers)).json()
    assert goal["text"] == "保障孕产妇安全，孕产妇死亡率控制在7/10万以下。"
    assert goal["domain_code"] == "W1"
    goals = (await client.get(f"/api/v1/plans/{PLAN}/goals?limit=500", headers=headers)).json()["items"]
    for item in goals:
        assert item["text"] in SOURCE, item["code"]


async def test_goal_filters(client, headers) -> None:  # type: ignore[no-untyped-def]
    w1 = (await client.get(f"/api/v1/plans/{PLAN}/goals?domain=W1", headers=headers)).json()
    assert w1["total"] == len(w1["items"]) > 0
    assert {goal["domain_code"] for goal in w1["items"]} == {"W1"}
    children = (await client.get(f"/api/v1/plans/{PLAN}/goals?part=C&limit=500", headers=headers)).json()
    assert {goal["domain_code"][0] for goal in children["items"]} == {"C"}
    search = (await client.get(f"/api/v1/plans/{PLAN}/goals?q=孕产妇死亡率", headers=headers)).json()
    assert "W1.2" in [goal["code"] for goal in search["items"]]
    assert all("孕产妇死亡率" in goal["text"] for goal in search["items"])


async def test_goals_and_measures_by_assigned_unit(client, headers, db) -> None:  # type: ignore[no-untyped-def]
    unit = await make_unit(db)
    plan_id = (await db.execute(select(Plan.id).where(Plan.code == PLAN))).scalar_one()
    goal_ids = dict((await db.execute(select(Goal.code, Goal.id).where(Goal.plan_id == plan_id))).all())
    measure_id = (await db.execute(select(Measure.id).where(
        Measure.plan_id == plan_id, Measure.code == "W1.M1"))).scalar_one()
    db.add_all([Assignment(plan_id=plan_id, unit_id=unit.id, goal_id=goal_ids["W1.2"], role="lead"),
                Assignment(plan_id=plan_id, unit_id=unit.id, goal_id=goal_ids["W1.3"], role="support"),
                Assignment(plan_id=plan_id, unit_id=unit.id, measure_id=measure_id, role="lead")])
    await db.commit()

    base = f"/api/v1/plans/{PLAN}"
    assigned = (await client.get(f"{base}/goals?unit=110105-wjw", headers=headers)).json()
    assert [goal["code"] for goal in assigned["items"]] == ["W1.2", "W1.3"]
    led = (await client.get(f"{base}/goals?unit=110105-wjw&role=lead", headers=headers)).json()
    assert [goal["code"] for goal in led["items"]] == ["W1.2"]
    measures = (await client.get(f"{base}/measures?unit=110105-wjw", headers=headers)).json()
    assert [measure["code"] for measure in measures["items"]] == ["W1.M1"]


async def test_measure_has_title_and_verbatim_text(client, headers) -> None:  # type: ignore[no-untyped-def]
    measure = (await client.get(f"/api/v1/plans/{PLAN}/measures/W2.M1", headers=headers)).json()
    assert measure["title"] == "加强妇女思想政治引领"
    assert measure["text"].startswith("加强妇女思想政治引领。坚持用习近平新时代中国特色社会主义思想武装妇女")
    assert measure["text"] in SOURCE


@pytest.mark.parametrize("path", [
    "/api/v1/plans/no-such-plan", "/api/v1/plans/no-such-plan/goals", f"/api/v1/plans/{PLAN}/goals/W9.9",
    f"/api/v1/plans/{PLAN}/measures/W9.M9", f"/api/v1/plans/{PLAN}/domains/X1",
    f"/api/v1/plans/{PLAN}/targets/none", "/api/v1/committees/999999",
])
async def test_unknown_codes_are_404_problems(client, headers, path) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_FOUND" and "不存在" in response.json()["detail"]


async def test_bad_filter_values_are_422(client, headers) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/plans/{PLAN}/goals?part=X&limit=501", headers=headers)
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"part", "limit"}


async def test_goal_list_runs_a_fixed_number_of_queries(client, headers, connection) -> None:  # type: ignore[no-untyped-def]
    for limit in (5, 200):
        with counting(connection) as statements:
            response = await client.get(f"/api/v1/plans/{PLAN}/goals?limit={limit}", headers=headers)
        assert response.status_code == 200
        # token, plan, count, page, all targets of the page
        assert len(statements) == 5, statements
