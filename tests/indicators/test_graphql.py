"""The indicator catalogue through GraphQL: the same answers as REST, bounded statements, the office's edits."""

from typing import Any

import pytest

from tests.factories import counting
from tests.graphql.conftest import codes, gql
from tests.indicators.conftest import CHILDREN, HEALTH, INDICATORS, STATS, WOMEN, report
from tests.indicators.test_api import MATERNAL

FIELDS = """code name unit direction definition dataSourceUnit breakdowns ageGroups precision nationalCode
            review reviewReason mergedInto
            targets { planCode code metric op value unit dueYear scope { sex ageGroup area } }"""
OBSERVATIONS = """observations(breakdown: $breakdown, includeProvisional: $provisional, unit: $unit) {
    year unit unitName kind sex ageGroup area value measureUnit reportedValue reportedUnit source note
    provisional submissionId revision warnings justification }"""
PAGE = ("query($plan: String!, $breakdown: ObservationBreakdown, $provisional: Boolean! = false, $unit: String) {"
        " plan(code: $plan) { indicators(limit: 500) { total items { " + FIELDS + OBSERVATIONS + " } } } }")
TREE = """query($plan: String!) { plan(code: $plan) { domains { goals { targets { code
  indicator { code name targets { planCode code } } } } } } }"""


def camel(rest: dict[str, Any]) -> dict[str, Any]:
    def key(name: str) -> str:
        head, *tail = name.split("_")
        return head + "".join(part.title() for part in tail)

    def convert(value: Any) -> Any:
        if isinstance(value, dict) and "params" not in value:
            return {key(k): convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return convert(rest)  # type: ignore[no-any-return]


async def test_plan_indicators_agree_with_rest(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.health, [{"indicator": MATERNAL, "value": 8.5, "source": "年报"}])
    body = await gql(client, PAGE, {"plan": WOMEN}, zengdu.reader)
    assert "errors" not in body, body
    page = body["data"]["plan"]["indicators"]
    rest = (await client.get(INDICATORS, params={"limit": 500}, headers=zengdu.reader)).json()
    assert page["total"] == rest["total"]
    graph = {i["code"]: {k: v for k, v in i.items() if k != "observations"} for i in page["items"]}
    assert graph == {i["code"]: camel(i) for i in rest["items"]}
    observed = next(i for i in page["items"] if i["code"] == MATERNAL)["observations"]
    rest_series = (await client.get(f"{INDICATORS}/{MATERNAL}/observations", headers=zengdu.reader)).json()
    assert observed == camel(rest_series)["items"] and observed[0]["value"] == 8.5


async def test_target_indicator_shows_the_shared_indicator(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, TREE, {"plan": WOMEN}, zengdu.reader)
    assert "errors" not in body, body
    targets = {t["code"]: t["indicator"] for d in body["data"]["plan"]["domains"] for g in d["goals"]
               for t in g["targets"]}
    assert targets["W1.2c"] == targets["W1.2d"] and targets["W1.2c"]["code"] == MATERNAL
    assert [t["code"] for t in targets["W1.2c"]["targets"]] == ["W1.2c", "W1.2d"]
    assert any(len({t["planCode"] for t in i["targets"]}) == 2 for i in targets.values())  # shared with children's


@pytest.mark.parametrize("query", [PAGE, TREE])
async def test_a_fixed_number_of_statements_whatever_the_plan(client, zengdu, connection, query) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.health, [{"indicator": MATERNAL, "value": 8.5}])
    counts = {}
    for plan in (WOMEN, CHILDREN, "xicheng-2021-2025"):
        with counting(connection) as statements:
            body = await gql(client, query, {"plan": plan}, zengdu.admin)
        assert "errors" not in body, body
        counts[plan] = len(statements)
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize(("role", "variables", "expected"), [
    ("reader", {"provisional": True}, ["FORBIDDEN"]),
    ("health", {"unit": STATS}, ["FORBIDDEN"]),
    ("health", {"provisional": True}, []),
    ("admin", {"provisional": True}, []),
])
async def test_observation_visibility_as_in_rest(client, zengdu, role, variables, expected) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.stats, [{"indicator": MATERNAL, "value": 8.0}], accept=False)
    query = """query($plan: String!, $code: String!, $provisional: Boolean! = false, $unit: String) {
      plan(code: $plan) { indicator(code: $code) {
        observations(includeProvisional: $provisional, unit: $unit) { unit provisional } } } }"""
    body = await gql(client, query, {"plan": WOMEN, "code": MATERNAL, **variables}, getattr(zengdu, role))
    assert codes(body) == expected, body
    if not expected:
        seen = body["data"]["plan"]["indicator"]["observations"]
        assert seen == ([{"unit": STATS, "provisional": True}] if role == "admin" else [])


async def test_edits_through_graphql(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    update = """mutation($plan: String!, $code: String!, $input: IndicatorUpdateInput!) {
      updateIndicator(plan: $plan, code: $code, input: $input) { dataSourceUnit precision ageGroups direction } }"""
    at = {"plan": WOMEN, "code": MATERNAL}
    body = await gql(client, update, {**at, "input": {"dataSourceUnit": HEALTH, "precision": 2,
                                                      "ageGroups": ["0～28天"]}}, zengdu.admin)
    assert body["data"]["updateIndicator"] == {"dataSourceUnit": HEALTH, "precision": 2, "ageGroups": ["0-28天"],
                                               "direction": "lower"}
    cleared = await gql(client, update, {**at, "input": {"dataSourceUnit": None}}, zengdu.admin)
    assert cleared["data"]["updateIndicator"]["dataSourceUnit"] is None
    assert cleared["data"]["updateIndicator"]["precision"] == 2
    bad = await gql(client, update, {**at, "input": {"ageGroups": ["0-5岁", "百岁"]}}, zengdu.admin)
    assert codes(bad) == ["VALIDATION"] and bad["errors"][0]["extensions"]["errors"][0]["field"] == "ageGroups[1]"
    forbidden = await gql(client, update, {**at, "input": {"precision": 1}}, zengdu.reader)
    assert codes(forbidden) == ["FORBIDDEN"]

    split = await gql(client, """mutation($plan: String!, $code: String!) { splitIndicator(plan: $plan, code: $code,
      targets: ["W1.2d"], name: "孕产妇死亡率（2030年）") { code targets { code } } }""", at, zengdu.admin)
    new = split["data"]["splitIndicator"]
    assert new["targets"] == [{"code": "W1.2d"}]
    merge = """mutation($plan: String!, $code: String!, $into: String!) {
      mergeIndicator(plan: $plan, code: $code, into: $into) { code targets { code } } }"""
    merged = await gql(client, merge, {"plan": WOMEN, "code": new["code"], "into": MATERNAL}, zengdu.admin)
    assert merged["data"]["mergeIndicator"] == {"code": MATERNAL, "targets": [{"code": "W1.2c"}, {"code": "W1.2d"}]}
    refused = await gql(client, merge, {**at, "into": MATERNAL}, zengdu.admin)
    assert codes(refused) == ["VALIDATION"]
