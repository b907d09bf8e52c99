"""Reads: the dashboard trees, REST and GraphQL agreeing, and no N+1 queries."""

import re
from typing import Any

from tests.factories import bearer, counting, make_token
from tests.graphql.conftest import gql
from tests.submissions.conftest import HEALTH, PLAN, draft

DASHBOARD = """
query Dashboard($code: String!) {
  plan(code: $code) {
    code title publicationStatus
    domains { code part title goals { code text targets { code metric op value unit dueYear review } } }
  }
}"""


def camel(data: dict[str, Any]) -> dict[str, Any]:
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value for key, value in data.items()}


async def test_dashboard_tree_agrees_with_rest(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    body = await gql(client, DASHBOARD, {"code": PLAN}, headers)
    assert "errors" not in body, body
    plan = body["data"]["plan"]
    assert plan["publicationStatus"] == "published"

    rest = (await client.get(f"/api/v1/plans/{PLAN}/goals?limit=500", headers=headers)).json()
    graph_goals = [goal for domain in plan["domains"] for goal in domain["goals"]]
    assert [g["code"] for g in graph_goals] == [g["code"] for g in rest["items"]]
    assert len(graph_goals) == rest["total"]
    fields = ("code", "metric", "op", "value", "unit", "dueYear", "review")
    for graph_goal, rest_goal in zip(graph_goals, rest["items"], strict=True):
        assert graph_goal["text"] == rest_goal["text"]
        assert graph_goal["targets"] == [{k: camel(t)[k] for k in fields} for t in rest_goal["targets"]]
    rest_domains = (await client.get(f"/api/v1/plans/{PLAN}/domains", headers=headers)).json()["items"]
    assert [(d["code"], d["part"], d["title"]) for d in plan["domains"]] == [
        (d["code"], d["part"], d["title"]) for d in rest_domains]


async def test_plan_goals_page_uses_the_rest_filters(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    body = await gql(client, """query($code: String!) { plan(code: $code) {
        goals(domain: "W1", hasTargets: true, limit: 2, offset: 1) { total items { code targets { code } } } } }""",
                     {"code": PLAN}, headers)
    rest = (await client.get(f"/api/v1/plans/{PLAN}/goals?domain=W1&has_targets=true&limit=2&offset=1",
                             headers=headers)).json()
    page = body["data"]["plan"]["goals"]
    assert page["total"] == rest["total"]
    assert page["items"] == [{"code": g["code"], "targets": [{"code": t["code"]} for t in g["targets"]]}
                             for g in rest["items"]]


async def test_plans_list_filters_and_pages(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    body = await gql(client, '{ plans(kind: combined, limit: 2) { total items { code kind committee { code } } } }',
                     headers=headers)
    rest = (await client.get("/api/v1/plans?kind=combined&limit=2", headers=headers)).json()
    assert body["data"]["plans"]["total"] == rest["total"]
    assert [p["code"] for p in body["data"]["plans"]["items"]] == [p["code"] for p in rest["items"]]
    assert all(p["committee"]["code"] == r["committee_code"]
               for p, r in zip(body["data"]["plans"]["items"], rest["items"], strict=True))


async def test_dashboard_runs_a_fixed_number_of_queries(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    counts: dict[str, tuple[int, int]] = {}
    for code in ("zengdu-children-2021-2030", "xicheng-2021-2025"):
        with counting(connection) as statements:
            body = await gql(client, DASHBOARD, {"code": code}, headers)
        assert "errors" not in body, body
        goals = sum(len(d["goals"]) for d in body["data"]["plan"]["domains"])
        counts[code] = (goals, len(statements))
    (small_goals, small_sql), (large_goals, large_sql) = counts.values()
    assert large_goals > small_goals + 30
    # token, plan, committee, domains, goals of every domain, targets of every goal
    assert small_sql == large_sql == 6, counts

    # Every plan at once: still one query per level, whatever the number of plans.
    tree = "{ plans(limit: %d) { items { domains { goals { targets { code } } measures { targets { code } } } } } }"
    sql = []
    for limit in (1, 6):
        with counting(connection) as statements:
            body = await gql(client, tree % limit, headers=headers)
        assert len(body["data"]["plans"]["items"]) == limit
        sql.append(len(statements))
    assert sql[0] == sql[1] == 8, sql  # token, count, page, domains, goals, measures, targets of each


async def test_units_assignments_and_submissions_in_one_request(client, world, connection) -> None:  # type: ignore[no-untyped-def]
    created = await client.post(f"/api/v1/plans/{PLAN}/submissions", json=draft(), headers=world.health)
    assert created.status_code == 201
    query = """{ units(committee: "110105") { total items { code
        assignments(limit: 2) { total items { planCode task role } }
        submissions { total items { id status etag current { values { target value } tasks { task progress } } } }
    } } }"""
    with counting(connection) as statements:
        body = await gql(client, query, headers=world.admin)
    assert "errors" not in body, body
    units = {u["code"]: u for u in body["data"]["units"]["items"]}
    health = units[HEALTH]
    assert health["assignments"]["total"] == 5 and len(health["assignments"]["items"]) == 2
    rest = (await client.get(f"/api/v1/units/{HEALTH}/assignments?limit=2", headers=world.admin)).json()
    assert [(a["task"], a["role"]) for a in health["assignments"]["items"]] == [
        (a["task"], a["role"]) for a in rest["items"]]
    [submission] = health["submissions"]["items"]
    assert submission["etag"] == created.json()["etag"]
    assert {v["target"] for v in submission["current"]["values"]} == {"W1.2a", "C1.2a", "C1.4a"}
    assert units["110105-jw"]["submissions"]["total"] == 0
    # token, count, units page, assignments of every unit, submissions of every unit, current revisions,
    # their values, their tasks
    assert len(statements) == 8, statements


async def test_paging_children_past_the_end_keeps_the_total(client, world) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, "query($unit: String!) { unit(code: $unit) { assignments(limit: 2, offset: 4) "
                             "{ total items { task } } more: assignments(offset: 10) { total items { task } } } }",
                     {"unit": HEALTH}, world.health)
    assert body["data"]["unit"]["assignments"] == {"total": 5, "items": [{"task": "W1.M1"}]}
    assert body["data"]["unit"]["more"] == {"total": 5, "items": []}


async def test_submission_agrees_with_rest(client, world) -> None:  # type: ignore[no-untyped-def]
    sid = (await client.post(f"/api/v1/plans/{PLAN}/submissions", json=draft(), headers=world.health)).json()["id"]
    rest = (await client.get(f"/api/v1/submissions/{sid}", headers=world.health)).json()
    body = await gql(client, """query($id: Int!) { submission(id: $id) {
        id planCode unit unitName year kind status revision acceptedRevision late reviewComment etag
        current { revision status late createdBy narrative { achievements problems nextSteps }
          values { indicator indicatorName target metric value unit reportedValue reportedUnit sex ageGroup area
                   source note warnings { code message params } justification }
          tasks { task taskType progress description } } } }""", {"id": sid}, world.health)
    graph = body["data"]["submission"]
    current = graph.pop("current")
    assert graph == {k: v for k, v in camel(rest).items() if k in graph}
    assert current["values"] == [camel(v) for v in rest["current"]["values"]]
    assert current["tasks"] == [camel(t) for t in rest["current"]["tasks"]]
    assert current["narrative"] == camel(rest["current"]["narrative"])
    assert current["createdBy"] == rest["current"]["created_by"]


async def test_cycles_and_completeness(client, world) -> None:  # type: ignore[no-untyped-def]
    query = """query($code: String!) { plan(code: $code) { cycles { year kind state }
        cycle(year: 2023, kind: midterm) { state completeness { summary units { unit status } } } } }"""
    body = await gql(client, query, {"code": PLAN}, world.reader)
    plan = body["data"]["plan"]
    rest = (await client.get(f"/api/v1/plans/{PLAN}/cycles", headers=world.reader)).json()["items"]
    assert plan["cycles"] == [{"year": c["year"], "kind": c["kind"], "state": c["state"]} for c in rest]
    assert plan["cycle"]["completeness"]["summary"]["units"] == 2
    denied = await gql(client, query, {"code": PLAN}, world.health)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert denied["errors"][0]["path"] == ["plan", "cycle", "completeness"]
    # The unit's screen keeps everything it may see: only the office's field is null.
    assert denied["data"]["plan"]["cycle"] == {"state": "overdue", "completeness": None}
    assert denied["data"]["plan"]["cycles"] == plan["cycles"]


async def test_plan_counts_agree_with_rest_in_four_queries_for_any_number_of_plans(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    with counting(connection) as statements:
        body = await gql(client, "{ plans(limit: 6) { items { code counts { domains goals measures targets } } } }",
                         headers=headers)
    assert len(statements) == 3 + 4, statements  # token, count, page; one grouped count per table
    for plan in body["data"]["plans"]["items"]:
        rest = (await client.get(f"/api/v1/plans/{plan['code']}", headers=headers)).json()
        assert plan["counts"] == {**rest["counts"]}
