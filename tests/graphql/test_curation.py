"""curateTarget and the new Target fields: the same service as REST's PATCH, versions without N+1."""

from sqlalchemy import func, select
from sqlmodel import col

from app.models import AuditEvent
from tests.factories import counting
from tests.graphql.conftest import codes, gql
from tests.submissions.conftest import PLAN

TARGET = ("code indicatorCode indicatorName scope { sex ageGroup area } baselineYear baselineValue baselineSource "
          "version reviewComment curatedAt etag review")
CURATE = f"""mutation($plan: String!, $code: String!, $input: TargetPatchInput!, $etag: String) {{
  curateTarget(plan: $plan, code: $code, input: $input, etag: $etag) {{ {TARGET}
    versions {{ version fields comment createdBy createdAt }} }} }}"""
TARGETS = """query($code: String!, $limit: Int!) { plan(code: $code) { targets(limit: $limit) { items {
  code etag version versions { version createdBy } } } } }"""
BASELINE = {"year": 2020, "value": 60.0, "source": "2020年学生体质健康监测"}


async def read_target(client, headers, code: str):  # type: ignore[no-untyped-def]
    body = await gql(client, TARGETS, {"code": PLAN, "limit": 200}, headers)
    return next(item for item in body["data"]["plan"]["targets"]["items"] if item["code"] == code)


async def test_the_office_curates_a_target(client, world, db) -> None:  # type: ignore[no-untyped-def]
    etag = (await read_target(client, world.admin, "C1.6b"))["etag"]
    body = await gql(client, CURATE, {"plan": PLAN, "code": "C1.6b", "etag": etag, "input": {
        "baseline": BASELINE, "scope": {"ageGroup": "6～18岁"}, "comment": "补充基期数值"}}, world.admin)
    assert "errors" not in body, body
    target = body["data"]["curateTarget"]
    assert target["indicatorCode"].startswith("I") and target["indicatorName"] == "中小学生视力不良检出率"
    assert (target["baselineYear"], target["baselineValue"], target["baselineSource"]) == (
        2020, 60.0, "2020年学生体质健康监测")
    assert target["scope"] == {"sex": None, "ageGroup": "6-18岁", "area": None}
    assert target["version"] == 2 and target["curatedAt"] and target["etag"] != etag
    original, curated = target["versions"]
    assert original["version"] == 1 and original["createdBy"] == "parser"
    assert original["fields"]["baseline_value"] is None
    assert curated["createdBy"] == "office" and curated["comment"] == "补充基期数值"
    audits = select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "target.curate")
    assert (await db.execute(audits)).scalar_one() == 1


async def test_null_clears_and_left_out_keeps(client, world) -> None:  # type: ignore[no-untyped-def]
    await gql(client, CURATE, {"plan": PLAN, "code": "C1.6b", "input": {"baseline": BASELINE,
                                                                         "scope": {"sex": "female"}}}, world.admin)
    body = await gql(client, CURATE, {"plan": PLAN, "code": "C1.6b", "input": {"baseline": None,
                                                                                "scope": {"area": "rural"}}},
                     world.admin)
    target = body["data"]["curateTarget"]
    assert target["baselineYear"] is None and target["baselineValue"] is None
    assert target["scope"] == {"sex": "female", "ageGroup": None, "area": "rural"}


async def test_the_same_rules_as_rest(client, world) -> None:  # type: ignore[no-untyped-def]
    invalid = await gql(client, CURATE, {"plan": PLAN, "code": "W1.2a", "input": {"year": 2030, "unit": "岁"}},
                        world.admin)
    assert codes(invalid) == ["VALIDATION"]
    assert {e["field"] for e in invalid["errors"][0]["extensions"]["errors"]} == {"year", "unit"}
    bad_sex = await gql(client, CURATE, {"plan": PLAN, "code": "W1.2a", "input": {"scope": {"sex": "x"}}},
                        world.admin)
    assert codes(bad_sex) == ["VALIDATION"]
    assert bad_sex["errors"][0]["extensions"]["errors"][0]["field"] == "scope.sex"
    stale = await gql(client, CURATE, {"plan": PLAN, "code": "W1.2a", "etag": '"target-0-1"',
                                       "input": {"tolerance": 0.5}}, world.admin)
    assert codes(stale) == ["CONFLICT"]
    for token in (world.health, world.reader):
        refused = await gql(client, CURATE, {"plan": PLAN, "code": "W1.2a", "input": {"tolerance": 0.5}}, token)
        assert codes(refused) == ["FORBIDDEN"]
    assert (await read_target(client, world.reader, "W1.2a"))["version"] == 1


async def test_versions_of_many_targets_cost_one_batch(client, world, connection) -> None:  # type: ignore[no-untyped-def]
    await gql(client, CURATE, {"plan": PLAN, "code": "C1.6b", "input": {"baseline": BASELINE}}, world.admin)
    sql = []
    for limit in (2, 80):
        with counting(connection) as statements:
            body = await gql(client, TARGETS, {"code": PLAN, "limit": limit}, world.reader)
        assert "errors" not in body, body
        assert len(body["data"]["plan"]["targets"]["items"]) == limit
        sql.append(len(statements))
    assert sql[0] == sql[1], sql
    curated = await read_target(client, world.reader, "C1.6b")
    assert [v["version"] for v in curated["versions"]] == [1, 2]
