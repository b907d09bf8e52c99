"""Bulk import of observations: dry runs, counts, refusals with row numbers, CSV, who may import what,
idempotency, and that an admin's import moves the verdicts and the outbox like an acceptance."""

import re
from typing import Any

from sqlalchemy import func, select

from app.models import AuditEvent, Observation, OutboxEvent, Submission
from tests.factories import counting
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN

IMPORT = f"/api/v1/plans/{PLAN}/observations/import"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def rows(**changes: Any) -> list[dict[str, Any]]:
    base = [{"unit": HEALTH, "target": "W1.2a", "year": 2024, "value": 6.8, "unit_of_measure": "1/10万"},
            {"unit": HEALTH, "target": "C1.2a", "year": 2024, "value": 1.6},
            {"unit": HEALTH, "target": "C1.4a", "year": 2024, "value": 97.1, "sex": "female"}]
    for index, change in changes.items():
        base[int(index.removeprefix("r"))].update(change)
    return base


async def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_dry_run_counts_and_writes_nothing(client, world, db) -> None:  # type: ignore[no-untyped-def]
    before = (await count(db, Submission), await count(db, Observation), await count(db, OutboxEvent))
    response = await client.post(IMPORT, headers=world.admin, json={"rows": rows()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dry_run"] is True and body["rows"] == 3
    assert (body["imported"], body["updated"], body["unchanged"], body["refused"]) == (3, 0, 0, 0)
    assert body["submissions"] == [{"unit": HEALTH, "year": 2024, "kind": "annual", "submission_id": None,
                                    "revision": 1, "status": "accepted", "imported": 3, "updated": 0,
                                    "unchanged": 0}]
    assert (await count(db, Submission), await count(db, Observation), await count(db, OutboxEvent)) == before


async def test_an_admin_import_lands_accepted_and_a_second_one_counts_changes(  # type: ignore[no-untyped-def]
        client, world, db) -> None:
    response = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": rows()})
    assert response.status_code == 200, response.text
    first = response.json()["submissions"][0]
    assert first["revision"] == 1 and first["status"] == "accepted" and first["imported"] == 3
    submission = (await client.get(f"/api/v1/submissions/{first['submission_id']}", headers=world.admin)).json()
    assert submission["status"] == "accepted" and submission["accepted_revision"] == 1
    assert submission["review_comment"] == "批量导入" and submission["unit"] == HEALTH
    values = {v["target"]: v for v in submission["current"]["values"]}
    assert values["W1.2a"]["value"] == 6.8 and values["C1.4a"]["sex"] == "female"

    # The same again: nothing changes, nothing is written.
    again = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": rows()})
    assert (again.json()["imported"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 3)
    assert again.json()["submissions"][0]["revision"] is None

    # One value changed, one new breakdown, one repeated: revision 2 keeps the rest of revision 1.
    changed = [*rows(r0={"value": 6.5}), {"unit": HEALTH, "target": "C1.4a", "year": 2024, "value": 96.0,
                                           "sex": "male"}]
    third = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": changed[:1] + changed[3:]})
    summary = third.json()
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (1, 1, 0), summary
    assert summary["submissions"][0]["revision"] == 2
    current = (await client.get(f"/api/v1/submissions/{first['submission_id']}", headers=world.admin)).json()
    assert current["revision"] == 2 and current["accepted_revision"] == 2
    got = {(v["target"], v["sex"]): v["value"] for v in current["current"]["values"]}
    assert got == {("W1.2a", "total"): 6.5, ("C1.2a", "total"): 1.6, ("C1.4a", "female"): 97.1,
                   ("C1.4a", "male"): 96.0}
    audit = (await db.execute(select(AuditEvent).where(AuditEvent.action == "submission.import")
                              .order_by(AuditEvent.id))).scalars().all()
    assert [a.after["revision"] for a in audit] == [1, 2] and audit[1].after["updated"] == 1


async def test_an_import_keeps_the_submissions_other_content(client, world) -> None:  # type: ignore[no-untyped-def]
    created = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=world.health, json={
        "year": 2024, "kind": "annual", "values": [{"target": "C1.2a", "value": 1.9}], "submit": True,
        "tasks": [{"task": "W1.M1", "progress": "on_schedule"}], "narrative": {"achievements": "成效"}})
    assert created.status_code == 201, created.text
    response = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": rows()[:1]})
    assert response.json()["submissions"][0]["revision"] == 2, response.text
    current = (await client.get(f"/api/v1/submissions/{created.json()['id']}", headers=world.admin)).json()
    assert {v["target"]: v["value"] for v in current["current"]["values"]} == {"C1.2a": 1.9, "W1.2a": 6.8}
    assert [t["task"] for t in current["current"]["tasks"]] == ["W1.M1"]
    assert current["current"]["narrative"]["achievements"] == "成效" and current["status"] == "accepted"


async def test_refused_rows_name_their_row_and_reason_and_nothing_is_written(  # type: ignore[no-untyped-def]
        client, world, db) -> None:
    before = await count(db, Observation)
    bad = [*rows(r1={"value": "1.6"}, r2={"indicator": "I999", "target": None}),
           {"unit": "nobody", "indicator": "I001", "year": 2024, "value": 1},
           {"unit": HEALTH, "target": "W1.2a", "year": 2022, "value": 7.0},
           {"unit": HEALTH, "target": "W1.2a", "year": 2024, "value": 7.0, "unit_of_measure": "人"}]
    response = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": bad})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "VALIDATION" and "5" in problem["detail"] and "6" in problem["detail"]
    found = {(e["row"], e["code"]) for e in problem["errors"]}
    assert found == {(1, "float_type"), (2, "unknown_indicator"), (3, "unknown_unit"), (4, "cycle"),
                     (5, "inconvertible_unit")}, problem["errors"]
    assert all(CHINESE.search(e["reason"]) for e in problem["errors"]), problem["errors"]
    fields = {e["row"]: e["field"] for e in problem["errors"]}
    assert fields[1] == "rows[1].value" and fields[5] == "rows[5].unit_of_measure"
    assert await count(db, Observation) == before


async def test_csv_with_bom_and_chinese_headers(client, world) -> None:  # type: ignore[no-untyped-def]
    text = ("填报单位,目标,年份,数值,计量单位,性别\r\n"
            f"{HEALTH},W1.2a,2024,6.8,1/10万,\r\n"
            f"{HEALTH},C1.4a,2024,97.1,,female\r\n")
    headers = {**world.admin, "Content-Type": "text/csv"}
    response = await client.post(IMPORT, headers=headers, content=("\ufeff" + text).encode())
    assert response.status_code == 200, response.text
    assert response.json()["dry_run"] is True and response.json()["imported"] == 2
    written = await client.post(IMPORT, params={"dry_run": "false"}, headers=headers, content=text.encode())
    assert written.json()["dry_run"] is False and written.json()["submissions"][0]["revision"] == 1

    bad = "unit,target,year,value\n" f"{HEALTH},W1.2a,2024,abc\n\n" f"{HEALTH},W9.9z,2024,1\n"
    refused = await client.post(IMPORT, headers=headers, content=bad.encode())
    assert refused.status_code == 422
    assert {(e["row"], e["field"], e["code"]) for e in refused.json()["errors"]} == {
        (2, "line 2.value", "float_type"), (4, "line 4.target", "unknown_target")}
    unknown = await client.post(IMPORT, headers=headers, content=b"unit,colour\nx,y\n")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "header"


async def test_a_unit_imports_only_its_own_rows_for_review(client, world) -> None:  # type: ignore[no-untyped-def]
    other = [{"unit": EDUCATION, "target": "C1.7a", "year": 2024, "value": 1.0}]
    refused = await client.post(IMPORT, headers=world.health, json={"rows": rows() + other})
    assert refused.status_code == 422
    assert [(e["row"], e["code"]) for e in refused.json()["errors"]] == [(3, "other_unit")]
    own = [{k: v for k, v in row.items() if k != "unit"} for row in rows()]  # a unit may leave its code out
    response = await client.post(IMPORT, headers=world.health, json={"dry_run": False, "rows": own})
    assert response.status_code == 200, response.text
    landed = response.json()["submissions"][0]
    assert landed["status"] == "submitted"
    submission = (await client.get(f"/api/v1/submissions/{landed['submission_id']}", headers=world.health)).json()
    assert submission["status"] == "submitted" and submission["accepted_revision"] is None
    assert (await client.post(IMPORT, headers=world.reader, json={"rows": own})).status_code == 403

    accepted = await client.post(f"/api/v1/submissions/{landed['submission_id']}/review", headers=world.admin,
                                 json={"decision": "accept"})
    assert accepted.status_code == 200
    again = await client.post(IMPORT, headers=world.health, json={"rows": rows(r0={"value": 6.1})})
    assert again.status_code == 422 and {e["code"] for e in again.json()["errors"]} == {"accepted"}


async def test_idempotency_key_replays_the_first_answer(client, world, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**world.admin, "Idempotency-Key": "bureau-2024-1"}
    first = await client.post(IMPORT, headers=headers, json={"dry_run": False, "rows": rows()})
    again = await client.post(IMPORT, headers=headers, json={"dry_run": False, "rows": rows()})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again.json()["imported"] == 3
    assert await count(db, Submission) == 1
    other = await client.post(IMPORT, headers=headers, json={"dry_run": False, "rows": rows(r0={"value": 6.0})})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_an_admin_import_changes_the_verdicts_and_emits_acceptances(  # type: ignore[no-untyped-def]
        client, world, db) -> None:
    status = f"/api/v1/plans/{PLAN}/status"
    before = {t["code"]: t for t in (await client.get(status, params={"year": 2024}, headers=world.reader))
              .json()["targets"]}
    assert before["C1.2a"]["status"] == "no_data"
    response = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": rows()})
    assert response.status_code == 200, response.text
    after = {t["code"]: t for t in (await client.get(status, params={"year": 2024}, headers=world.reader))
             .json()["targets"]}
    assert after["C1.2a"]["status"] != "no_data" and after["C1.2a"]["latest"]["value"] == 1.6
    events = (await db.execute(select(OutboxEvent).where(OutboxEvent.type == "submission.accepted"))).scalars().all()
    assert [e.subject for e in events] == [f"submission:{response.json()['submissions'][0]['submission_id']}"]
    assert events[0].payload["review_comment"] == "批量导入"


async def test_thousands_of_rows_in_a_constant_number_of_statements(  # type: ignore[no-untyped-def]
        client, world, db, connection) -> None:
    def many(n: int, value: float) -> list[dict[str, Any]]:
        return [{"unit": HEALTH, "target": "W1.2a", "year": 2024, "value": value, "sex": sex,
                 "age_group": f"{i}岁"} for i in range(n // 3) for sex in ("total", "female", "male")]

    assert (await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": many(30, 6.0)})
            ).status_code == 200
    with counting(connection) as small:  # both update the submission the first import created
        assert (await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": many(30, 7.0)})
                ).status_code == 200
    with counting(connection) as large:
        response = await client.post(IMPORT, headers=world.admin, json={"dry_run": False, "rows": many(3000, 7.5)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rows"], body["imported"], body["updated"], body["unchanged"]) == (3000, 2970, 30, 0)
    assert len(large) == len(small), (len(small), len(large))
    current = (await client.get(f"/api/v1/submissions/{body['submissions'][0]['submission_id']}",
                                headers=world.admin)).json()
    assert len(current["current"]["values"]) == 3000
    assert {v["value"] for v in current["current"]["values"]} == {7.5}


IMPORT_MUTATION = """mutation($plan: String!, $rows: [ImportRowInput!]!, $dryRun: Boolean!) {
  importObservations(plan: $plan, rows: $rows, dryRun: $dryRun) {
    dryRun rows imported updated unchanged submissions { unit submissionId revision status imported } } }"""


async def test_graphql_import_uses_the_same_service(client, world) -> None:  # type: ignore[no-untyped-def]
    gql_rows = [{"unit": HEALTH, "target": "C1.2a", "year": 2024, "value": 1.6}]
    response = await client.post("/graphql", headers=world.admin, json={
        "query": IMPORT_MUTATION, "variables": {"plan": PLAN, "rows": gql_rows, "dryRun": False}})
    body = response.json()
    assert "errors" not in body, body
    result = body["data"]["importObservations"]
    assert result["imported"] == 1 and result["submissions"][0]["status"] == "accepted"
    assert result["submissions"][0]["revision"] == 1
    refused = await client.post("/graphql", headers=world.admin, json={
        "query": IMPORT_MUTATION, "variables": {"plan": PLAN, "rows": [{**gql_rows[0], "target": "X9.9"}],
                                                 "dryRun": True}})
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION"
    assert error["extensions"]["errors"][0]["row"] == 0 and error["extensions"]["errors"][0]["code"] == "unknown_target"
