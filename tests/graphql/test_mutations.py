"""Writes: the submission round trip, assignments and cycles, validation paths, and all-or-nothing requests."""

from typing import Any

from sqlalchemy import func, select

from app.models import Assignment, AuditEvent, ReportingCycle, Submission
from tests.graphql.conftest import codes, gql
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN

SUBMISSION = "id status revision late etag reviewComment acceptedRevision current { revision values { target value } }"

CREATE = f"""mutation($plan: String!, $input: SubmissionCreateInput!, $key: String) {{
  createSubmission(plan: $plan, input: $input, idempotencyKey: $key) {{ {SUBMISSION} }} }}"""
REVISE = f"""mutation($id: Int!, $input: SubmissionContentInput!, $etag: String!) {{
  reviseSubmission(id: $id, input: $input, ifMatch: $etag) {{ {SUBMISSION} }} }}"""
SUBMIT = f"mutation($id: Int!, $etag: String) {{ submitSubmission(id: $id, ifMatch: $etag) {{ {SUBMISSION} }} }}"
REVIEW = f"""mutation($id: Int!, $input: ReviewInput!, $etag: String) {{
  reviewSubmission(id: $id, input: $input, ifMatch: $etag) {{ {SUBMISSION} }} }}"""


def content(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "values": [{"target": "W1.2a", "value": 6.8, "unit": "1/10万", "source": "妇幼卫生年报"},
                   {"target": "C1.2a", "value": 1.6},
                   {"target": "C1.4a", "value": 97.1, "sex": "female"}],
        "tasks": [{"task": "W1.M1", "progress": "on_schedule", "description": "按计划推进"}],
        "narrative": {"achievements": "孕产妇死亡率持续下降", "problems": "基层人员不足", "nextSteps": "加强培训"},
    }
    body.update(overrides)
    return body


async def count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    return (await db.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_round_trip_draft_revise_submit_return_accept(client, world, db) -> None:  # type: ignore[no-untyped-def]
    created = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024, **content()}}, world.health)
    draft = created["data"]["createSubmission"]
    assert draft["status"] == "draft" and draft["revision"] == 1
    assert {v["target"]: v["value"] for v in draft["current"]["values"]}["W1.2a"] == 6.8

    revised = await gql(client, REVISE, {"id": draft["id"], "etag": draft["etag"],
                                         "input": content(values=[{"target": "W1.2a", "value": 6.5}])}, world.health)
    revision = revised["data"]["reviseSubmission"]
    assert revision["revision"] == 2 and revision["current"]["values"] == [{"target": "W1.2a", "value": 6.5}]

    stale = await gql(client, REVISE, {"id": draft["id"], "etag": draft["etag"], "input": content()}, world.health)
    assert codes(stale) == ["CONFLICT"] and stale["data"] is None
    bad_etag = await gql(client, SUBMIT, {"id": draft["id"], "etag": "nonsense"}, world.health)
    assert codes(bad_etag) == ["PRECONDITION_REQUIRED"]

    submitted = (await gql(client, SUBMIT, {"id": draft["id"], "etag": revision["etag"]},
                           world.health))["data"]["submitSubmission"]
    assert submitted["status"] == "submitted"

    no_comment = await gql(client, REVIEW, {"id": draft["id"], "input": {"decision": "return"}}, world.admin)
    assert codes(no_comment) == ["VALIDATION"]
    assert no_comment["errors"][0]["extensions"]["errors"] == [
        {"field": "comment", "reason": "退回报送时请说明成员单位需要修改的内容"}]
    returned = (await gql(client, REVIEW, {"id": draft["id"], "input": {"decision": "return", "comment": "补充来源"}},
                          world.admin))["data"]["reviewSubmission"]
    assert returned["status"] == "returned" and returned["reviewComment"] == "补充来源"

    resubmitted = (await gql(client, REVISE, {"id": draft["id"], "etag": returned["etag"],
                                              "input": content(submit=True)}, world.health))["data"]["reviseSubmission"]
    accepted = (await gql(client, REVIEW, {"id": draft["id"], "etag": resubmitted["etag"],
                                           "input": {"decision": "accept"}}, world.admin))["data"]["reviewSubmission"]
    assert accepted["status"] == "accepted" and accepted["acceptedRevision"] == 3

    history = await gql(client, """query($id: Int!) { submission(id: $id) { revisions { revision status }
        diff(fromRevision: 1, toRevision: 2) { values { key before after } } } }""", {"id": draft["id"]},
                        world.health)
    assert [r["revision"] for r in history["data"]["submission"]["revisions"]] == [1, 2, 3]
    changes = {(c["before"] or c["after"])["target"]: c for c in history["data"]["submission"]["diff"]["values"]}
    assert changes["W1.2a"]["key"].endswith("|total|all|all") and changes["W1.2a"]["after"]["value"] == 6.5

    # The same audit trail as REST: the service functions wrote it.
    actions = (await db.execute(select(AuditEvent.action).where(
        AuditEvent.entity_type == "submission", AuditEvent.entity_id == str(draft["id"]))
        .order_by(AuditEvent.id))).scalars()
    assert list(actions) == ["submission.create", "submission.revise", "submission.submit", "submission.return",
                             "submission.revise_and_submit", "submission.accept"]


async def test_validation_errors_name_the_input_fields(client, world, db) -> None:  # type: ignore[no-untyped-def]
    # pydantic (the REST schema) rejects the shape ...
    body = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024, **content(values=[
        {"target": "W1.2a", "value": 6.8, "sex": "both"}, {"target": "C1.2a", "value": 1.6, "ageGroup": ""}])}},
        world.health)
    assert codes(body) == ["VALIDATION"]
    fields = [e["field"] for e in body["errors"][0]["extensions"]["errors"]]
    assert fields == ["values[0].sex", "values[1].ageGroup"]
    # ... and the service rejects what is not the unit's to report, every problem at once.
    body = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024, **content(values=[
        {"target": "C1.8a", "value": 1}, {"target": "W1.2a", "value": -5}],
        tasks=[{"task": "Z9", "progress": "delayed"}])}}, world.health)
    assert codes(body) == ["VALIDATION"]
    errors = body["errors"][0]["extensions"]["errors"]
    assert [e["field"] for e in errors][0] == "values[0].target" and errors[-1]["field"] == "tasks[0].task"
    assert body["errors"][0]["path"] == ["createSubmission"]
    assert await count(db, Submission) == 0


async def test_a_failed_mutation_keeps_nothing_of_the_request(client, world, db) -> None:  # type: ignore[no-untyped-def]
    before_assignments = await count(db, Assignment)
    before_events = await count(db, AuditEvent)
    body = await gql(client, """mutation($plan: String!, $unit: String!) {
      first: createCycle(plan: $plan, input: {year: 2025}) { year state }
      second: createAssignment(plan: $plan, input: {task: "W1.1", unit: $unit, role: lead}) { id }
      third: createAssignment(plan: $plan, input: {task: "W9.9", unit: $unit, role: lead}) { id }
      fourth: closeCycle(plan: $plan, year: 2024) { state }
    }""", {"plan": PLAN, "unit": HEALTH}, world.admin)
    # Mutation results are non-null, so the failure nulls `data` and the later mutations never run.
    assert body["data"] is None
    assert codes(body) == ["VALIDATION"] and body["errors"][0]["path"] == ["third"]
    # The cycle and the first assignment were written, then rolled back with the failing one.
    assert await count(db, ReportingCycle, ReportingCycle.year == 2025) == 0
    assert await count(db, Assignment) == before_assignments
    assert await count(db, AuditEvent) == before_events
    assert await count(db, ReportingCycle, ReportingCycle.year == 2024, ReportingCycle.closed_at.is_not(None)) == 0


async def test_replace_assignments_checks_every_row_first(client, world, db) -> None:  # type: ignore[no-untyped-def]
    mutation = """mutation($plan: String!, $rows: [AssignmentInput!]!) {
      replaceAssignments(plan: $plan, assignments: $rows) { total items { task unit role } } }"""
    before = await count(db, Assignment)
    bad = await gql(client, mutation, {"plan": PLAN, "rows": [
        {"task": "W1.1", "unit": HEALTH, "role": "lead"}, {"task": "W1.1", "unit": EDUCATION, "role": "lead"},
        {"task": "W1.1", "unit": "nobody", "role": "support"}]}, world.admin)
    assert codes(bad) == ["VALIDATION"]
    assert [e["field"] for e in bad["errors"][0]["extensions"]["errors"]] == ["assignments[1].role",
                                                                            "assignments[2].unit"]
    assert await count(db, Assignment) == before
    good = await gql(client, mutation, {"plan": PLAN, "rows": [
        {"task": "W1.1", "unit": HEALTH, "role": "lead"}, {"task": "W1.1", "unit": EDUCATION, "role": "support"}]},
        world.admin)
    assert good["data"]["replaceAssignments"]["total"] == 2
    assert await count(db, Assignment) == 2


async def test_assignment_crud(client, world) -> None:  # type: ignore[no-untyped-def]
    create = """mutation($plan: String!, $input: AssignmentInput!) {
      createAssignment(plan: $plan, input: $input) { id task role } }"""
    created = await gql(client, create, {"plan": PLAN, "input": {"task": "W1.1", "unit": HEALTH, "role": "support"}},
                        world.admin)
    assignment = created["data"]["createAssignment"]
    assert assignment["task"] == "W1.1" and assignment["role"] == "support"
    duplicate = await gql(client, create, {"plan": PLAN, "input": {"task": "W1.1", "unit": HEALTH, "role": "lead"}},
                          world.admin)
    assert codes(duplicate) == ["CONFLICT"]
    updated = await gql(client, "mutation($plan: String!, $id: Int!) { updateAssignment(plan: $plan, id: $id, "
                                "role: lead) { role } }", {"plan": PLAN, "id": assignment["id"]}, world.admin)
    assert updated["data"]["updateAssignment"]["role"] == "lead"
    deleted = await gql(client, "mutation($plan: String!, $id: Int!) { deleteAssignment(plan: $plan, id: $id) }",
                        {"plan": PLAN, "id": assignment["id"]}, world.admin)
    assert deleted["data"]["deleteAssignment"] == assignment["id"]
    again = await gql(client, "mutation($plan: String!, $id: Int!) { deleteAssignment(plan: $plan, id: $id) }",
                      {"plan": PLAN, "id": assignment["id"]}, world.admin)
    assert codes(again) == ["NOT_FOUND"]


async def test_cycles_close_and_reopen(client, world) -> None:  # type: ignore[no-untyped-def]
    created = await gql(client, """mutation($plan: String!) { createCycle(plan: $plan,
      input: {year: 2025, opensOn: "2025-01-01", dueOn: "2025-06-30"}) { year kind dueOn } }""", {"plan": PLAN},
                        world.admin)
    assert created["data"]["createCycle"] == {"year": 2025, "kind": "annual", "dueOn": "2025-06-30"}
    wrong = await gql(client, """mutation($plan: String!) {
      createCycle(plan: $plan, input: {year: 2024, kind: final}) { year } }""", {"plan": PLAN}, world.admin)
    assert codes(wrong) == ["VALIDATION"] and wrong["errors"][0]["extensions"]["errors"][0]["field"] == "year"
    inverted = await gql(client, """mutation($plan: String!) {
      createCycle(plan: $plan, input: {year: 2022, opensOn: "2022-05-01", dueOn: "2022-01-01"}) { year } }""",
                         {"plan": PLAN}, world.admin)
    assert inverted["errors"][0]["extensions"]["errors"][0]["field"] == "dueOn"

    closed = await gql(client, 'mutation($plan: String!) { closeCycle(plan: $plan, year: 2024) { state } }',
                       {"plan": PLAN}, world.admin)
    assert closed["data"]["closeCycle"]["state"] == "closed"
    refused = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024, **content()}}, world.health)
    assert codes(refused) == ["CONFLICT"]
    reopened = await gql(client, """mutation($plan: String!, $unit: String!) {
      reopenCycle(plan: $plan, year: 2024, unit: $unit) { state reopenedFor } }""", {"plan": PLAN, "unit": HEALTH},
                         world.admin)
    assert reopened["data"]["reopenCycle"] == {"state": "closed", "reopenedFor": [HEALTH]}
    accepted = await gql(client, CREATE, {"plan": PLAN, "input": {"year": 2024, **content()}}, world.health)
    assert accepted["data"]["createSubmission"]["status"] == "draft"


async def test_idempotency_key_makes_a_retry_safe(client, world, db) -> None:  # type: ignore[no-untyped-def]
    variables = {"plan": PLAN, "input": {"year": 2024, **content()}, "key": "retry-1"}
    first = await gql(client, CREATE, variables, world.health)
    second = await gql(client, CREATE, variables, world.health)
    assert first["data"]["createSubmission"] == second["data"]["createSubmission"]
    assert await count(db, Submission) == 1
    other = await gql(client, CREATE, {**variables, "input": {"year": 2024, **content(values=[])}}, world.health)
    assert codes(other) == ["VALIDATION"]
    without_key = await gql(client, CREATE, {**variables, "key": None}, world.health)
    assert codes(without_key) == ["CONFLICT"]  # the submission exists already
