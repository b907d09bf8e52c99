"""No N+1 in GraphQL: each nested query runs the same number of SQL statements at two data sizes.

Every test runs one document against a small arrangement and a larger one (a bigger plan, more plans, more
units, submissions, revisions or cycles) and asserts the statement counts are equal while the answers grew.
"""

from typing import Any

import pytest

from app.assignments.schemas import AssignmentBulk, AssignmentCreate
from app.assignments.service import replace_assignments
from app.auth.actor import CLI_ACTOR
from app.core.clock import today
from app.cycles.schemas import CycleCreate
from app.cycles.service import create_cycle
from app.models.enums import AssignmentRole, CycleKind
from tests.factories import bearer, counting, make_token, make_unit
from tests.graphql.conftest import gql
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, draft, open_cycles, report

# 67 goals, 81 measures, 68 targets against 105 goals, 118 measures, 80 targets; both with targets in measures.
SMALL_PLAN, LARGE_PLAN = "zengdu-children-2021-2030", "chaoyang-2021-2025"
ALL_PLANS = {"changping-2021-2025", PLAN, "wanghua-women-2021-2030", "xicheng-2021-2025", SMALL_PLAN,
             "zengdu-women-2021-2030"}


async def run(client: Any, connection: Any, query: str, variables: dict[str, Any],
              headers: dict[str, str], *, allowed: set[str] = frozenset()) -> tuple[dict[str, Any], int]:  # type: ignore[assignment]
    """The answer's data and the number of statements it cost (errors only of the `allowed` codes)."""
    with counting(connection) as statements:
        body = await gql(client, query, variables, headers)
    assert {e["extensions"]["code"] for e in body.get("errors", [])} <= allowed, body["errors"][:3]
    return body["data"], len(statements)


def leaves(data: Any, key: str) -> int:
    """How many objects anywhere in `data` carry `key` (to check the larger answer really is larger)."""
    if isinstance(data, dict):
        return (key in data) + sum(leaves(v, key) for v in data.values())
    if isinstance(data, list):
        return sum(leaves(v, key) for v in data)
    return 0


# --- plans → domains → goals → targets → indicator ---------------------------------------------------------

TARGET = """code versions { version } indicator { code name targets { planCode code } observations { value } }
            status(year: 2025) { status }"""
TREES = {
    "domains": """query($code: String!) { plan(code: $code) { code counts { goals } committee { code }
        status(year: 2025) { year targets { code } }
        domains { code goals { code status(year: 2025) { status } targets { TARGET } }
                  measures { code targets { TARGET } } } } }""".replace("TARGET", TARGET),
    "goals page": """query($code: String!) { plan(code: $code) {
        goals(limit: 500) { total items { code status(year: 2025) { status } targets { TARGET } } } } }""".replace(
        "TARGET", TARGET),
    "measures page": """query($code: String!) { plan(code: $code) {
        measures(limit: 500) { total items { code targets { TARGET } } } } }""".replace("TARGET", TARGET),
    "targets page": """query($code: String!) { plan(code: $code) {
        targets(limit: 500) { total items { TARGET } } } }""".replace("TARGET", TARGET),
    "indicators page": """query($code: String!) { plan(code: $code) {
        indicators(limit: 500) { total items { code targets { code } observations { value } } } } }""",
}


@pytest.mark.parametrize("name", TREES)
async def test_a_plan_tree_costs_the_same_for_a_larger_plan(client, db, connection, name) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "admin"))
    small, small_sql = await run(client, connection, TREES[name], {"code": SMALL_PLAN}, headers)
    large, large_sql = await run(client, connection, TREES[name], {"code": LARGE_PLAN}, headers)
    assert leaves(large, "code") > leaves(small, "code") + 10
    assert small_sql == large_sql, (small_sql, large_sql)


PLAN_FIELDS = {
    "goals": "goals(limit: 500) { total items { code targets { code indicator { code } } } }",
    "measures": "measures(limit: 500) { total items { code targets { code } } }",
    "targets": 'targets(limit: 500, domain: "W1") { total items { code versions { version } } }',
    "indicators": "indicators(limit: 500) { total items { code observations { value } } }",
    "indicator": 'indicator(code: "I001") { code targets { code } }',
    "cycles": "cycles { year kind completeness { summary units { unit } } }",
    "cycle": "cycle(year: 2024) { year state completeness { summary } }",
    "assignments": "assignments { total items { task unit } }",
    "submissions": "submissions { total items { id current { values { value } } revisions { revision } } }",
    "status": "status(year: 2025) { year goals { code } }",
    "tree": "counts { targets } committee { code } domains { goals { targets { code } } }",
}


@pytest.mark.parametrize("field", PLAN_FIELDS)
async def test_plan_fields_cost_the_same_for_one_plan_or_all(client, world, db, connection, field) -> None:  # type: ignore[no-untyped-def]
    await report(client, world, world.health, 2024, draft()["values"])  # type: ignore[arg-type]
    query = ("query($limit: Int!, $offset: Int!) { plans(limit: $limit, offset: $offset) { items { code FIELD } } }"
             .replace("FIELD", PLAN_FIELDS[field]))
    if field == "cycle":  # every plan gets the 2024 cycle 朝阳's plan has
        for code in ALL_PLANS - {PLAN}:
            await create_cycle(db, CLI_ACTOR, code, CycleCreate(year=2024, kind=CycleKind.annual), today())
        await db.commit()
    # 朝阳's plan (the second by code) alone, then every plan.
    one, one_sql = await run(client, connection, query, {"limit": 1, "offset": 1}, world.admin)
    every, every_sql = await run(client, connection, query, {"limit": 6, "offset": 0}, world.admin)
    assert one["plans"]["items"][0]["code"] == PLAN and len(every["plans"]["items"]) == 6
    assert one_sql == every_sql, (one_sql, every_sql)


# --- units → submissions → revisions → values ----------------------------------------------------------------

UNITS = """{ units(committee: "110105") { total items { code
    assignments { total items { task role } }
    submissions { total items { id status
      current { revision values { target value warnings { code } } tasks { task progress } }
      revisions { revision status values { value } tasks { task } }
      diff(fromRevision: 1, toRevision: 1) { values { key } } } } } } }"""
PLAN_SUBMISSIONS = """query($code: String!) { plan(code: $code) { submissions { total items { id unit
    current { values { value } } revisions { revision values { value } } } } } }"""


async def grow_submissions(client: Any, world: Any, db: Any, sid: int) -> None:
    """Two more units of 朝阳 with assignments; the health commission's 2024 submission returned and revised twice,
    two more years of it, and one of the education commission."""
    for code, name in (("110105-mz", "区民政局"), ("110105-rs", "区人力社保局")):
        await make_unit(db, code, name)
    lead, support = AssignmentRole.lead, AssignmentRole.support
    await replace_assignments(db, CLI_ACTOR, PLAN, AssignmentBulk(assignments=[
        AssignmentCreate(task=task, unit=unit, role=role) for task, unit, role in (
            ("W1.2", HEALTH, lead), ("C1.2", HEALTH, lead), ("C1.4", HEALTH, lead), ("C1.7", HEALTH, support),
            ("W1.M1", HEALTH, lead), ("C1.7", EDUCATION, lead), ("C1.8", EDUCATION, lead),
            ("C1.2", "110105-mz", support), ("C1.4", "110105-rs", support))]))
    await db.commit()
    await revise(client, world, sid, 6.7, 6.6)
    await open_cycles(client, world, 2022)
    await report(client, world, world.health, 2022, [{"target": "W1.2a", "value": 7.1}])
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 7.0}], kind="midterm")
    await report(client, world, world.education, 2024, [{"target": "C1.7a", "value": 95.0}], accept=False)


async def revise(client: Any, world: Any, sid: int, *values: float) -> None:
    """The office returns the submission; its unit saves a draft revision with each value."""
    returned = await client.post(f"/api/v1/submissions/{sid}/review", headers=world.admin,
                                 json={"decision": "return", "comment": "请核实"})
    assert returned.status_code == 200, returned.text
    etag = returned.headers["ETag"]
    for value in values:
        revised = await client.put(f"/api/v1/submissions/{sid}", headers={**world.health, "If-Match": etag},
                                   json={"values": [{"target": "W1.2a", "value": value}], "submit": False})
        assert revised.status_code == 200, revised.text
        etag = revised.headers["ETag"]


async def test_units_submissions_and_revisions_cost_the_same_for_more_of_them(client, world, db, connection) -> None:  # type: ignore[no-untyped-def]
    sid = await report(client, world, world.health, 2024, draft()["values"], accept=False)  # type: ignore[arg-type]
    small, small_sql = await run(client, connection, UNITS, {}, world.admin)
    small_plan, small_plan_sql = await run(client, connection, PLAN_SUBMISSIONS, {"code": PLAN}, world.admin)
    await grow_submissions(client, world, db, sid)
    large, large_sql = await run(client, connection, UNITS, {}, world.admin)
    large_plan, large_plan_sql = await run(client, connection, PLAN_SUBMISSIONS, {"code": PLAN}, world.admin)

    assert large["units"]["total"] == small["units"]["total"] + 2
    assert leaves(large, "revision") > leaves(small, "revision") + 6
    assert small_sql == large_sql, (small_sql, large_sql)
    assert large_plan["plan"]["submissions"]["total"] > small_plan["plan"]["submissions"]["total"] + 2
    assert small_plan_sql == large_plan_sql, (small_plan_sql, large_plan_sql)


async def test_revisions_are_those_rest_shows_to_each_role(client, world) -> None:  # type: ignore[no-untyped-def]
    # A draft, then sent with other values: readers see the revision sent, not the draft before it.
    created = await client.post(f"/api/v1/plans/{PLAN}/submissions", json=draft(), headers=world.health)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    sent = await client.put(f"/api/v1/submissions/{sid}", headers={**world.health, "If-Match": created.headers["ETag"]},
                            json={"values": [{"target": "W1.2a", "value": 6.5}], "submit": True})
    assert sent.status_code == 200, sent.text
    query = """query($unit: String!) { unit(code: $unit) { submissions { items { id
        revisions { revision status values { target value } } } } } }"""
    seen = {}
    for role in ("admin", "reader", "health"):
        headers = getattr(world, role)
        body = await gql(client, query, {"unit": HEALTH}, headers)
        assert "errors" not in body, body
        [submission] = body["data"]["unit"]["submissions"]["items"]
        rest = (await client.get(f"/api/v1/submissions/{sid}/revisions", headers=headers)).json()
        assert submission["revisions"] == [{"revision": r["revision"], "status": r["status"], "values": [
            {"target": v["target"], "value": v["value"]} for v in r["values"]]} for r in rest["items"]]
        seen[role] = [r["status"] for r in submission["revisions"]]
    assert seen == {"admin": ["draft", "submitted"], "reader": ["submitted"], "health": ["draft", "submitted"]}


# --- cycles → completeness ------------------------------------------------------------------------------------

CYCLES = """query($code: String!) { plan(code: $code) { cycles { year kind state reopenedFor
    completeness { summary units { unit status late revision } cycle { year kind } } } } }"""


async def test_cycles_with_completeness_cost_the_same_for_more_cycles(client, world, connection) -> None:  # type: ignore[no-untyped-def]
    await report(client, world, world.health, 2024, draft()["values"])  # type: ignore[arg-type]
    small, small_sql = await run(client, connection, CYCLES, {"code": PLAN}, world.admin)
    await open_cycles(client, world, 2021, 2022)
    await report(client, world, world.health, 2022, [{"target": "W1.2a", "value": 7.1}])
    closed = await client.post(f"/api/v1/plans/{PLAN}/cycles/2021/annual/close", headers=world.admin)
    assert closed.status_code == 200, closed.text
    reopened = await client.post(f"/api/v1/plans/{PLAN}/cycles/2021/annual/reopen-for-unit",
                                 headers=world.admin, json={"unit": EDUCATION})
    assert reopened.status_code == 200, reopened.text
    large, large_sql = await run(client, connection, CYCLES, {"code": PLAN}, world.admin)
    assert len(large["plan"]["cycles"]) == len(small["plan"]["cycles"]) + 2
    assert small_sql == large_sql, (small_sql, large_sql)
    # Each cycle's completeness is the one REST computes for it.
    for cycle in large["plan"]["cycles"]:
        rest = (await client.get(f"/api/v1/plans/{PLAN}/cycles/{cycle['year']}/{cycle['kind']}/completeness",
                                 headers=world.admin)).json()
        assert cycle["completeness"]["summary"] == rest["summary"]
        assert cycle["completeness"]["units"] == [
            {"unit": u["unit"], "status": u["status"], "late": u["late"], "revision": u["revision"]}
            for u in rest["units"]]
        assert cycle["completeness"]["cycle"] == {"year": cycle["year"], "kind": cycle["kind"]}
    assert next(c for c in large["plan"]["cycles"] if c["year"] == 2021)["reopenedFor"] == [EDUCATION]


async def test_completeness_of_many_cycles_stays_forbidden_to_a_unit(client, world) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2022)
    body = await gql(client, CYCLES, {"code": PLAN}, world.health)
    cycles = body["data"]["plan"]["cycles"]
    assert len(cycles) == 3 and all(c["completeness"] is None for c in cycles)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert len(body["errors"]) == 3


# --- statuses -------------------------------------------------------------------------------------------------

STATUSES = """query($code: String!) { plan(code: $code) {
    status(year: 2025) { year targetCounts { noData } domains { code } targets { code } goals { code } }
    provisional: status(year: 2025, includeProvisional: true, breakdown: sex) { targets { breakdowns { group } } }
    domains { goals { status(year: 2025) { status } targets { status(year: 2025) { status }
      bySex: status(year: 2025, breakdown: sex) { breakdowns { group } } } } } } }"""


async def test_statuses_cost_the_same_for_a_larger_plan(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "admin"))
    small, small_sql = await run(client, connection, STATUSES, {"code": SMALL_PLAN}, headers)
    large, large_sql = await run(client, connection, STATUSES, {"code": LARGE_PLAN}, headers)
    assert len(large["plan"]["status"]["targets"]) > len(small["plan"]["status"]["targets"]) + 10
    assert small_sql == large_sql, (small_sql, large_sql)


async def test_statuses_of_every_plan_cost_the_same_as_of_one(client, world, connection) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2022)
    await report(client, world, world.health, 2022, [{"target": "W1.2a", "value": 7.1}])
    query = """query($limit: Int!) { plans(limit: $limit) { items { code status(year: 2023) { targets { code } }
        goals(limit: 500) { items { status(year: 2023) { status } targets { status(year: 2023) { status } } } } } } }"""
    one, one_sql = await run(client, connection, query, {"limit": 1}, world.reader)
    every, every_sql = await run(client, connection, query, {"limit": 6}, world.reader)
    assert leaves(every, "status") > leaves(one, "status")
    assert one_sql == every_sql, (one_sql, every_sql)
