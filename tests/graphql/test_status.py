"""Statuses through GraphQL: the dashboard in one request, agreeing with REST, bounded queries, the feed."""

from typing import Any

from tests.factories import bearer, counting, make_token
from tests.graphql.conftest import codes, gql
from tests.submissions.conftest import HEALTH, PLAN, open_cycles, report

DASHBOARD = """
query Dashboard($code: String!, $year: Int) {
  plan(code: $code) {
    status(year: $year) { year asOf targetCounts { achieved atRisk noData } goalCounts { atRisk noData } }
    domains {
      code
      goals {
        code
        status(year: $year) { status label flags explanation leadUnit qualitative targets }
        targets { code status(year: $year) { status label flags rule explanation projected
                                             baseline { year value } latest { year value provisional } } }
      }
    }
  }
}"""


async def arrange_history(client: Any, world: Any) -> None:
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}])
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.8}], kind="midterm")


async def test_dashboard_statuses_agree_with_rest(client, world) -> None:  # type: ignore[no-untyped-def]
    await arrange_history(client, world)
    body = await gql(client, DASHBOARD, {"code": PLAN, "year": 2023}, world.reader)
    assert "errors" not in body, body
    plan = body["data"]["plan"]
    rest = (await client.get(f"/api/v1/plans/{PLAN}/status", params={"year": 2023}, headers=world.reader)).json()

    assert plan["status"]["year"] == 2023 and plan["status"]["asOf"] == rest["as_of"]
    assert plan["status"]["targetCounts"]["atRisk"] == rest["summary"]["targets"]["at_risk"]
    assert plan["status"]["goalCounts"]["noData"] == rest["summary"]["goals"]["no_data"]

    graph_targets = {t["code"]: t["status"] for d in plan["domains"] for g in d["goals"] for t in g["targets"]}
    rest_targets = {t["code"]: t for t in rest["targets"] if t["goal_code"]}
    assert graph_targets.keys() == rest_targets.keys()
    for code, graph in graph_targets.items():
        expected = rest_targets[code]
        assert (graph["status"], graph["label"], graph["flags"], graph["rule"], graph["explanation"]) == (
            expected["status"], expected["label"], expected["flags"], expected["rule"], expected["explanation"]), code
    maternal = graph_targets["W1.2a"]
    assert maternal["status"] == "at_risk" and maternal["baseline"] == {"year": 2021, "value": 9.5}
    assert maternal["latest"] == {"year": 2023, "value": 8.8, "provisional": False}

    graph_goals = {g["code"]: g["status"] for d in plan["domains"] for g in d["goals"]}
    rest_goals = {g["code"]: g for g in rest["goals"]}
    assert graph_goals.keys() == rest_goals.keys()
    assert all(graph_goals[c]["explanation"] == rest_goals[c]["explanation"] for c in graph_goals)
    assert graph_goals["W1.2"]["leadUnit"] == HEALTH and graph_goals["W1.2"]["targets"] == ["W1.2a"]


async def test_dashboard_with_statuses_runs_a_fixed_number_of_queries(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    counts: dict[str, tuple[int, int, int]] = {}
    for code in ("zengdu-children-2021-2030", "xicheng-2021-2025"):
        sql = []
        for _ in range(2):
            with counting(connection) as statements:
                body = await gql(client, DASHBOARD, {"code": code, "year": 2025}, headers)
            assert "errors" not in body, body
            sql.append(len(statements))
        goals = sum(len(d["goals"]) for d in body["data"]["plan"]["domains"])
        counts[code] = (goals, *sql)
    (small_goals, small_first, small_again), (large_goals, large_first, large_again) = counts.values()
    assert large_goals > small_goals + 30
    # The tree's 6 queries, and the plan's stored verdicts read once (the plan, the years stored, its verdicts,
    # domains and units) for every status field of the document, whatever the number of goals and targets.
    assert small_first == large_first == 6 + 5, counts
    # Read again at the same version, the verdicts are not read or parsed again.
    assert small_again == large_again == 6 + 4, counts


async def test_a_changed_verdict_is_read_again_not_kept(client, world) -> None:  # type: ignore[no-untyped-def]
    """The parsed verdicts are kept per version: a new accepted value shows at once."""
    query = ('query($code: String!, $year: Int) { plan(code: $code) { domains { goals { targets { code '
             'status(year: $year) { latest { value } } } } } } }')

    async def latest() -> object:
        body = await gql(client, query, {"code": PLAN, "year": 2023}, world.reader)
        assert "errors" not in body, body
        return next(t["status"]["latest"] for d in body["data"]["plan"]["domains"] for g in d["goals"]
                    for t in g["targets"] if t["code"] == "W1.2a")

    before = await latest()
    assert await latest() == before  # kept
    await open_cycles(client, world, 2023)
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 7.7}])
    assert await latest() == {"value": 7.7}
    assert before != {"value": 7.7}


async def test_status_arguments_are_checked_like_rest(client, world) -> None:  # type: ignore[no-untyped-def]
    query = "query($year: Int, $unit: String) { plan(code: \"%s\") { status(year: $year, unit: $unit) { year } } }"
    bad_year = await gql(client, query % PLAN, {"year": 2030}, world.reader)
    assert codes(bad_year) == ["VALIDATION"] and bad_year["errors"][0]["extensions"]["errors"][0]["field"] == "year"
    bad_unit = await gql(client, query % PLAN, {"unit": "nobody"}, world.reader)
    assert codes(bad_unit) == ["VALIDATION"]

    provisional = '{ plan(code: "%s") { status(year: 2024, includeProvisional: true) { includeProvisional } } }'
    assert codes(await gql(client, provisional % PLAN, headers=world.health)) == ["FORBIDDEN"]
    allowed = await gql(client, provisional % PLAN, headers=world.reader)
    assert allowed["data"]["plan"]["status"]["includeProvisional"] is True
    assert codes(await gql(client, provisional % PLAN)) == ["UNAUTHENTICATED"]


async def test_unit_filter_lists_the_goals_a_unit_leads(client, world) -> None:  # type: ignore[no-untyped-def]
    query = '{ plan(code: "%s") { status(year: 2024, unit: "%s") { goals { code } targets { code } } } }'
    body = await gql(client, query % (PLAN, HEALTH), headers=world.health)
    assert [g["code"] for g in body["data"]["plan"]["status"]["goals"]] == ["W1.2", "C1.2", "C1.4"]


async def test_the_feed_through_graphql_agrees_with_rest(client, world) -> None:  # type: ignore[no-untyped-def]
    await arrange_history(client, world)
    query = """query($since: String, $plan: String) {
      statusChanges(since: $since, plan: $plan, limit: 1000) {
        nextCursor items { cursor planCode year subjectType subjectCode fromStatus toStatus toFlags cause } } }"""
    body = await gql(client, query, {"plan": PLAN}, world.reader)
    assert "errors" not in body, body
    rest = (await client.get("/api/v1/status/changes", params={"plan": PLAN, "limit": 1000},
                             headers=world.reader)).json()
    graph = body["data"]["statusChanges"]
    assert [i["cursor"] for i in graph["items"]] == [i["cursor"] for i in rest["items"]]
    assert graph["nextCursor"] == rest["next_cursor"]
    assert any(i["subjectCode"] == "W1.2a" and i["toStatus"] == "at_risk" for i in graph["items"])
    empty = await gql(client, query, {"plan": PLAN, "since": graph["nextCursor"]}, world.reader)
    assert empty["data"]["statusChanges"]["items"] == []
    bad = await gql(client, query, {"since": "yesterday"}, world.reader)
    assert codes(bad) == ["VALIDATION"]


BREAKDOWNS = """
query($code: String!, $year: Int, $breakdown: Breakdown) {
  plan(code: $code) {
    status(year: $year, breakdown: $breakdown) { targets { code breakdowns {
      dimension group status label flags rule explanation
      baseline { year value } latest { year value provisional } } } }
    domains { goals { targets { code status(year: $year, breakdown: $breakdown) { breakdowns { group status } } } } }
  }
}"""


async def test_breakdowns_agree_with_rest(client, world) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "C1.4a", "value": 90.0, "area": "rural"},
                                                     {"target": "C1.4a", "value": 97.0, "area": "urban"}])
    await report(client, world, world.health, 2023, [{"target": "C1.4a", "value": 92.0, "area": "rural"},
                                                     {"target": "C1.4a", "value": 98.0, "area": "urban"},
                                                     {"target": "W1.2a", "value": 8.0, "sex": "female"}],
                 kind="midterm")
    for breakdown in ("area", "sex", "age", None):
        body = await gql(client, BREAKDOWNS, {"code": PLAN, "year": 2023, "breakdown": breakdown}, world.reader)
        assert "errors" not in body, body
        params = {"year": 2023, **({"breakdown": breakdown} if breakdown else {})}
        rest = (await client.get(f"/api/v1/plans/{PLAN}/status", params=params, headers=world.reader)).json()
        expected = {t["code"]: [{"dimension": b["dimension"], "group": b["group"], "status": b["status"],
                                 "label": b["label"], "flags": b["flags"], "rule": b["rule"],
                                 "explanation": b["explanation"],
                                 "baseline": b["baseline"] and {k: b["baseline"][k] for k in ("year", "value")},
                                 "latest": b["latest"]} for b in t.get("breakdowns") or []]
                    for t in rest["targets"]}
        graph = {t["code"]: t["breakdowns"] for t in body["data"]["plan"]["status"]["targets"]}
        assert graph == expected, breakdown
        per_target = {t["code"]: t["status"]["breakdowns"] for d in body["data"]["plan"]["domains"]
                      for g in d["goals"] for t in g["targets"]}
        assert per_target["C1.4a"] == [{"group": b["group"], "status": b["status"]} for b in expected["C1.4a"]]
    # The comparison is not vacuous: area has C1.4a's two groups, sex W1.2a's women.
    area = {b["group"]: b for b in (await _rest_target(client, world, "area", "C1.4a"))["breakdowns"]}
    assert area.keys() == {"rural", "urban"} and area["rural"]["latest"]["value"] == 92.0
    [female] = (await _rest_target(client, world, "sex", "W1.2a"))["breakdowns"]
    assert female["group"] == "female" and female["latest"]["value"] == 8.0


async def _rest_target(client: Any, world: Any, breakdown: str, code: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/plans/{PLAN}/status", params={"year": 2023, "breakdown": breakdown},
                                headers=world.reader)
    assert response.status_code == 200, response.text
    return dict(next(t for t in response.json()["targets"] if t["code"] == code))


async def test_breakdown_is_checked(client, world) -> None:  # type: ignore[no-untyped-def]
    query = 'query($code: String!) { plan(code: $code) { status(breakdown: region) { year } } }'
    body = await gql(client, query, {"code": PLAN}, world.reader)
    assert body.get("errors") and body.get("data") is None


async def test_one_evaluation_per_breakdown(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    """Fields asking the same breakdown share one evaluation; another breakdown is another (fixed-cost) one."""
    headers = bearer(await make_token(db, "reader"))
    query = """query($code: String!) { plan(code: $code) {
      a: status(year: 2025, breakdown: area) { year }
      b: status(year: 2025, breakdown: area) { year }
      domains { goals { targets { status(year: 2025, breakdown: area) { breakdowns { group } } } } } } }"""
    with counting(connection) as same:
        assert "errors" not in await gql(client, query, {"code": PLAN}, headers)
    with counting(connection) as two:
        body = await gql(client, query.replace("b: status(year: 2025, breakdown: area)",
                                               "b: status(year: 2025, breakdown: sex)"), {"code": PLAN}, headers)
        assert "errors" not in body, body
    # The plan and its facts' 11 reads, once more (what was reported is not read: no cycle of 2025 is past due).
    assert len(two) == len(same) + 12, (len(same), len(two))


ACROSS_PLANS = """query($limit: Int!) { plans(limit: $limit) { items { code
  status(year: 2025) { targetCounts { atRisk } }
  domains { goals { code status(year: 2025) { status } } }
} } }"""


async def test_statuses_across_plans_read_the_stored_verdicts_once(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    sql = {}
    for limit in (1, 6):
        with counting(connection) as statements:
            body = await gql(client, ACROSS_PLANS, {"limit": limit}, headers)
        assert "errors" not in body and len(body["data"]["plans"]["items"]) == limit, body
        sql[limit] = len(statements)
    assert sql[1] == sql[6], sql  # one batch of verdicts for all plans, not one per plan
    # The same verdicts as REST.
    plan = body["data"]["plans"]["items"][-1]
    rest = (await client.get(f"/api/v1/plans/{plan['code']}/status", params={"year": 2025}, headers=headers)).json()
    assert {g["code"]: g["status"] for g in rest["goals"]} == {
        g["code"]: g["status"]["status"].lower() for d in plan["domains"] for g in d["goals"]}
