"""Variables of the wrong type are the client's error: BAD_USER_INPUT naming the variable, and no incident logged."""

import json
import logging

import pytest

from tests.graphql.conftest import codes, gql

STATUS = 'query($y: Int!) { plan(code: "chaoyang-2021-2025") { status(year: $y) { targetCounts { achieved } } } }'
PLANS_OF_KIND = "query($k: PlanKind) { plans(kind: $k) { total } }"
SUBMIT = """mutation($v: Float!) { createSubmission(plan: "chaoyang-2021-2025",
  input: {year: 2024, values: [{target: "W1.2a", value: $v}]}) { id } }"""


@pytest.mark.parametrize(("query", "variables", "variable"), [
    (STATUS, {"y": "abc"}, "y"),
    (STATUS, {"y": 2024.5}, "y"),
    (STATUS, {"y": None}, "y"),
    (PLANS_OF_KIND, {"k": "nope"}, "k"),
    (PLANS_OF_KIND, {"k": 3}, "k"),
    (SUBMIT, {"v": "1.5"}, "v"),
    (SUBMIT, {"v": True}, "v"),
])
async def test_a_variable_that_cannot_be_coerced_is_bad_user_input(client, world, caplog, query, variables,
                                                                   variable) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.INFO):
        body = await gql(client, query, variables, world.health)
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["errors"][0]["field"] == f"variables.{variable}"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_nan_in_variables_is_bad_user_input(client, world, caplog) -> None:  # type: ignore[no-untyped-def]
    raw = json.dumps({"query": SUBMIT, "variables": {"v": float("nan")}})  # Python writes the non-standard NaN
    response = await client.post("/graphql", content=raw.encode(),
                                 headers={**world.health, "Content-Type": "application/json"})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", response.text
    assert not [r for r in caplog.records if r.exc_info]


async def test_many_bad_variables_log_no_tracebacks(client, world, caplog) -> None:  # type: ignore[no-untyped-def]
    variables = {f"k{i}": "nope" for i in range(25)}
    query = ("query(" + ", ".join(f"$k{i}: PlanKind" for i in range(25)) + ") { "
             + " ".join(f"p{i}: plans(kind: $k{i}) {{ total }}" for i in range(25)) + " }")
    body = await gql(client, query, variables, world.health)
    assert set(codes(body)) == {"BAD_USER_INPUT"} and len(body["errors"]) == 25
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("body", [b"{not json", b'{"query": 5}', b'{"variables": {}}', b"[]",
                                  b'{"query": "{ plans { total } }", "operationName": 7}'])
async def test_a_request_that_is_not_graphql_is_a_coded_json_error(client, world, body) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/graphql", content=body, headers={**world.health,
                                                                      "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
