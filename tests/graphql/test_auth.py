"""The REST rules, enforced on GraphQL fields and mutations; errors are coded and internals never leak."""

import logging

from sqlalchemy import select

from app.models import Submission
from tests.graphql.conftest import codes, gql
from tests.graphql.test_mutations import CREATE, REVISE, content
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, draft


async def _draft(client, world) -> dict:  # type: ignore[no-untyped-def]
    return (await client.post(f"/api/v1/plans/{PLAN}/submissions", json=draft(), headers=world.health)).json()


async def test_no_or_bad_token_is_unauthenticated(client, world) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"Authorization": "Bearer fep_nope"}, {"Authorization": "Basic abc"}):
        body = await gql(client, "{ plans { total } units { total } }", headers=headers)
        assert body["data"] is None and set(codes(body)) == {"UNAUTHENTICATED"}, body
        body = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024}}, headers)
        assert codes(body) == ["UNAUTHENTICATED"]


async def test_introspection_needs_no_token(client) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_me_says_who_is_calling(client, world) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, "{ me { name role unitCode } }", headers=world.health)
    assert body["data"]["me"] == {"name": "卫健委接口", "role": "unit", "unitCode": HEALTH}


async def test_a_unit_cannot_touch_another_units_submission(client, world, db) -> None:  # type: ignore[no-untyped-def]
    created = await _draft(client, world)
    read = await gql(client, "query($id: Int!) { submission(id: $id) { id } }", {"id": created["id"]},
                     world.education)
    assert codes(read) == ["FORBIDDEN"] and read["errors"][0]["path"] == ["submission"]
    revise = await gql(client, REVISE, {"id": created["id"], "etag": created["etag"], "input": content()},
                       world.education)
    assert codes(revise) == ["FORBIDDEN"]
    submission = (await db.execute(select(Submission).where(Submission.id == created["id"]))).scalar_one()
    assert submission.revision == 1
    on_behalf = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024, "unit": HEALTH}}, world.education)
    assert codes(on_behalf) == ["FORBIDDEN"]


async def test_a_unit_sees_only_its_own_units_work(client, world) -> None:  # type: ignore[no-untyped-def]
    await _draft(client, world)
    body = await gql(client, '{ units(committee: "110105") { items { code assignments { total } '
                             'submissions { total } } } }', headers=world.education)
    units = {u["code"]: u for u in body["data"]["units"]["items"]}
    assert units[EDUCATION]["assignments"]["total"] == 2 and units[EDUCATION]["submissions"]["total"] == 0
    assert units[HEALTH]["assignments"] is None and units[HEALTH]["submissions"] is None
    assert codes(body) == ["FORBIDDEN", "FORBIDDEN"]
    assert {tuple(e["path"][-1:]) for e in body["errors"]} == {("assignments",), ("submissions",)}
    # Plan-level lists narrow to the unit's own rows, as REST does.
    body = await gql(client, "query($p: String!) { plan(code: $p) { assignments { total items { unit } } "
                             "submissions { total } } }", {"p": PLAN}, world.education)
    assert {a["unit"] for a in body["data"]["plan"]["assignments"]["items"]} == {EDUCATION}
    assert body["data"]["plan"]["submissions"]["total"] == 0


async def test_readers_read_but_never_see_drafts_and_never_write(client, world) -> None:  # type: ignore[no-untyped-def]
    created = await _draft(client, world)
    query = "query($unit: String!) { unit(code: $unit) { submissions { total } } }"
    body = await gql(client, query, {"unit": HEALTH}, world.reader)
    assert body["data"]["unit"]["submissions"]["total"] == 0
    body = await gql(client, "query($id: Int!) { submission(id: $id) { id } }", {"id": created["id"]}, world.reader)
    assert codes(body) == ["FORBIDDEN"]
    admin = await gql(client, query, {"unit": HEALTH}, world.admin)
    assert admin["data"]["unit"]["submissions"]["total"] == 1

    for mutation, variables in (
        (CREATE, {"plan": PLAN, "input": {"year": 2024, "unit": HEALTH}}),
        ("mutation($p: String!) { createCycle(plan: $p, input: {year: 2025}) { year } }", {"p": PLAN}),
        ("mutation($p: String!) { closeCycle(plan: $p, year: 2024) { year } }", {"p": PLAN}),
        ("mutation($p: String!) { replaceAssignments(plan: $p, assignments: []) { total } }", {"p": PLAN}),
        ("mutation($id: Int!) { reviewSubmission(id: $id, input: {decision: accept}) { id } }",
         {"id": created["id"]}),
    ):
        body = await gql(client, mutation, variables, world.reader)
        assert codes(body) == ["FORBIDDEN"], (mutation, body)
        assert body["errors"][0]["message"].startswith("此操作仅限")


async def test_units_do_not_review_or_manage(client, world) -> None:  # type: ignore[no-untyped-def]
    created = await _draft(client, world)
    body = await gql(client, "mutation($id: Int!) { reviewSubmission(id: $id, input: {decision: accept}) { id } }",
                     {"id": created["id"]}, world.health)
    assert codes(body) == ["FORBIDDEN"]
    body = await gql(client, "mutation($p: String!) { createCycle(plan: $p, input: {year: 2025}) { year } }",
                     {"p": PLAN}, world.health)
    assert codes(body) == ["FORBIDDEN"]


async def test_audit_events_are_for_admins_only(client, world) -> None:  # type: ignore[no-untyped-def]
    await _draft(client, world)
    query = '{ auditEvents(action: "submission") { total items { action actor entityType before after } } }'
    for headers in (world.reader, world.health):
        body = await gql(client, query, headers=headers)
        assert codes(body) == ["FORBIDDEN"] and body["data"] is None
    body = await gql(client, query, headers=world.admin)
    events = body["data"]["auditEvents"]
    assert events["total"] == 1 and events["items"][0]["action"] == "submission.create"
    assert events["items"][0]["after"]["unit"] == HEALTH
    rest = (await client.get("/api/v1/audit?action=submission", headers=world.admin)).json()
    assert rest["items"][0]["after"] == events["items"][0]["after"]


async def test_not_found_and_paging_bounds(client, world) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, '{ plan(code: "nope") { code } }', headers=world.reader)
    assert codes(body) == ["NOT_FOUND"] and "nope" in body["errors"][0]["message"]
    body = await gql(client, "{ plans(limit: 501) { total } }", headers=world.reader)
    assert codes(body) == ["VALIDATION"]
    assert body["errors"][0]["extensions"]["errors"] == [{"field": "limit", "reason": "应在 1 至 500 之间"}]


async def test_unexpected_errors_are_masked_and_logged(client, world, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from app.units import service

    async def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret connection string postgres://x:y@db")

    monkeypatch.setattr(service, "list_units", broken)
    with caplog.at_level(logging.ERROR, logger="app.graphql"):
        body = await gql(client, "{ units { total } me { role } }", headers=world.admin)
    assert body["data"] is None
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert "secret" not in str(body) and "RuntimeError" not in str(body)
    assert "请求编号" in body["errors"][0]["message"]
    assert any(record.exc_info and "secret" in str(record.exc_info[1]) for record in caplog.records)


async def test_an_error_beside_running_siblings_leaves_the_session_usable(client, world) -> None:  # type: ignore[no-untyped-def]
    # The NOT_FOUND nulls `data`, so graphql-core cancels the sibling resolvers mid-flight; their
    # statements still finish (Transaction.run), so the request ends cleanly and the next one works.
    for _ in range(3):
        body = await gql(client, '{ plan(code: "nope") { code } units { total } committees { total } '
                                 'plans { items { domains { goals { code } } } } }', headers=world.admin)
        assert codes(body) == ["NOT_FOUND"]
    assert (await gql(client, "{ me { role } }", headers=world.admin))["data"] == {"me": {"role": "admin"}}


async def test_document_errors_are_coded(client, world) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, "{ plans { nope } }", headers=world.reader)
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
