"""The annual self-assessment round trip: draft, revise, submit, return, resubmit, accept; revisions kept."""

from sqlalchemy import func, select

from app.models import AuditEvent, SubmissionRevision
from tests.submissions.conftest import PLAN, draft

BASE = f"/api/v1/plans/{PLAN}/submissions"


async def test_full_round_trip(client, world, db) -> None:  # type: ignore[no-untyped-def]
    created = await client.post(BASE, json=draft(), headers=world.health)
    assert created.status_code == 201, created.text
    body = created.json()
    sid = body["id"]
    assert body["status"] == "draft" and body["revision"] == 1 and body["unit"] == "110105-wjw"
    assert created.headers["etag"] == body["etag"]
    values = {v["target"]: v for v in body["current"]["values"]}
    assert values["W1.2a"]["value"] == 6.8 and values["W1.2a"]["unit"] == "1/10万"
    assert values["C1.4a"]["sex"] == "female"
    assert body["current"]["narrative"]["problems"] == "基层人员不足"

    revised = await client.put(f"/api/v1/submissions/{sid}", headers={**world.health, "If-Match": body["etag"]},
                               json={**_content(draft()), "values": [{"target": "W1.2a", "value": 6.5}],
                                     "submit": True})
    assert revised.status_code == 200, revised.text
    assert revised.json()["revision"] == 2 and revised.json()["status"] == "submitted"
    assert revised.json()["late"] is False

    returned = await client.post(f"/api/v1/submissions/{sid}/review", headers=world.admin,
                                 json={"decision": "return", "comment": "请补充数据来源"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_comment"] == "请补充数据来源"

    etag = returned.headers["etag"]
    resubmitted = await client.put(f"/api/v1/submissions/{sid}", headers={**world.health, "If-Match": etag},
                                   json={**_content(draft()), "submit": True})
    assert resubmitted.json()["revision"] == 3 and resubmitted.json()["status"] == "submitted"

    accepted = await client.post(f"/api/v1/submissions/{sid}/review", headers={
        **world.admin, "If-Match": resubmitted.headers["etag"]}, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["accepted_revision"] == 3

    revisions = (await client.get(f"/api/v1/submissions/{sid}/revisions", headers=world.health)).json()
    assert [r["revision"] for r in revisions["items"]] == [1, 2, 3]
    assert [r["status"] for r in revisions["items"]] == ["draft", "submitted", "submitted"]
    assert [len(r["values"]) for r in revisions["items"]] == [3, 1, 3]
    first = (await client.get(f"/api/v1/submissions/{sid}/revisions/1", headers=world.admin)).json()
    assert first["values"] == revisions["items"][0]["values"]

    diff = (await client.get(f"/api/v1/submissions/{sid}/diff?from=1&to=2", headers=world.health)).json()
    # Keyed by indicator and breakdown; each side says which target it was reported under.
    changes = {(change["before"] or change["after"])["target"]: change for change in diff["values"]}
    indicator = revisions["items"][1]["values"][0]["indicator"]
    assert changes["W1.2a"]["key"] == f"{indicator}|total|all|all"
    assert changes["W1.2a"]["before"]["value"] == 6.8
    assert changes["W1.2a"]["after"]["value"] == 6.5
    assert changes["C1.2a"]["after"] is None

    events = (await db.execute(select(AuditEvent).where(
        AuditEvent.entity_type == "submission", AuditEvent.entity_id == str(sid)).order_by(AuditEvent.id))).scalars()
    trail = [(e.action, e.before, e.after) for e in events]
    assert [action for action, _, _ in trail] == ["submission.create", "submission.revise_and_submit",
                                                  "submission.return", "submission.revise_and_submit",
                                                  "submission.accept"]
    # The trail points at the revision holding the content (kept there, append-only) instead of copying it.
    _, created_before, created_after = trail[0]
    assert created_before is None
    assert created_after["status"] == "draft" and created_after["revision"] == 1
    assert created_after["current"] == {"revision": 1, "status": "draft", "late": False, "values": 3, "tasks": 1}
    _, accept_before, accept_after = trail[-1]
    assert (accept_before["status"], accept_after["status"]) == ("submitted", "accepted")
    assert accept_after["accepted_revision"] == 3 and accept_after["current"]["values"] == 3


async def test_submit_endpoint_and_late_marking(client, world) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(year=2023, kind="midterm"), headers=world.health)).json()
    submitted = await client.post(f"/api/v1/submissions/{created['id']}/submit",
                                  headers={**world.health, "If-Match": created["etag"]})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["late"] is True  # the 2023 mid-term cycle was due on 2023-12-31
    again = await client.post(f"/api/v1/submissions/{created['id']}/submit", headers=world.health)
    assert again.status_code == 409


async def test_admin_submits_on_behalf_of_a_unit(client, world) -> None:  # type: ignore[no-untyped-def]
    missing = await client.post(BASE, json=draft(), headers=world.admin)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "unit"
    created = await client.post(BASE, json=draft(unit="110105-wjw"), headers=world.admin)
    assert created.status_code == 201 and created.json()["current"]["created_by"] == "office"


async def test_one_submission_per_unit_year_and_kind(client, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.post(BASE, json=draft(), headers=world.health)).status_code == 201
    second = await client.post(BASE, json=draft(), headers=world.health)
    assert second.status_code == 409
    assert "PUT /api/v1/submissions/" in second.json()["detail"]


async def test_stale_or_missing_if_match_changes_nothing(client, world, db) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(), headers=world.health)).json()
    url = f"/api/v1/submissions/{created['id']}"
    first = await client.put(url, headers={**world.health, "If-Match": created["etag"]}, json=_content(draft()))
    assert first.status_code == 200
    stale = await client.put(url, headers={**world.health, "If-Match": created["etag"]}, json=_content(draft()))
    assert stale.status_code == 409
    missing = await client.put(url, headers=world.health, json=_content(draft()))
    assert missing.status_code == 428
    count = (await db.execute(select(func.count()).select_from(SubmissionRevision).where(
        SubmissionRevision.submission_id == created["id"]))).scalar_one()
    assert count == 2
    assert (await client.get(url, headers=world.health)).json()["revision"] == 2


async def test_return_needs_a_comment_and_only_submitted_is_reviewed(client, world) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(), headers=world.health)).json()
    review = f"/api/v1/submissions/{created['id']}/review"
    assert (await client.post(review, headers=world.admin, json={"decision": "accept"})).status_code == 409
    await client.post(f"/api/v1/submissions/{created['id']}/submit", headers=world.health)
    no_comment = await client.post(review, headers=world.admin, json={"decision": "return"})
    assert no_comment.status_code == 422 and no_comment.json()["errors"][0]["field"] == "comment"
    assert (await client.post(review, headers=world.health, json={"decision": "accept"})).status_code == 403


async def test_listing_and_filters(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.post(BASE, json=draft(), headers=world.health)
    await client.post(BASE, json=draft(values=[{"target": "C1.8a", "value": 72.5}], tasks=[], submit=True),
                      headers=world.education)
    everything = (await client.get(BASE, headers=world.admin)).json()
    assert everything["total"] == 2
    own = (await client.get(BASE, headers=world.health)).json()
    assert [s["unit"] for s in own["items"]] == ["110105-wjw"]
    submitted = (await client.get(f"{BASE}?status=submitted", headers=world.admin)).json()
    assert [s["unit"] for s in submitted["items"]] == ["110105-jw"]
    reader = (await client.get(BASE, headers=world.reader)).json()
    assert [s["status"] for s in reader["items"]] == ["submitted"]  # readers never see drafts


def _content(body: dict[str, object]) -> dict[str, object]:
    return {key: body[key] for key in ("values", "tasks", "narrative")}


async def test_an_accepted_submission_changes_only_after_the_office_returns_it(client, world) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(submit=True), headers=world.health)).json()
    sid = created["id"]
    accepted = await client.post(f"/api/v1/submissions/{sid}/review", headers=world.admin,
                                 json={"decision": "accept"})
    etag = accepted.headers["etag"]
    edit = await client.put(f"/api/v1/submissions/{sid}", headers={**world.health, "If-Match": etag},
                            json=_content(draft()))
    assert edit.status_code == 409 and "请先请办公室退回" in edit.json()["detail"]
    assert (await client.post(f"/api/v1/submissions/{sid}/submit", headers=world.health)).status_code == 409
    again = await client.post(f"/api/v1/submissions/{sid}/review", headers=world.admin, json={"decision": "accept"})
    assert again.status_code == 409 and "只能采纳状态为已报送的报送" in again.json()["detail"]

    returned = await client.post(f"/api/v1/submissions/{sid}/review", headers=world.admin,
                                 json={"decision": "return", "comment": "2024年数据需按年报口径更正"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["accepted_revision"] == 1  # the accepted values keep counting meanwhile
    headers = {**world.health, "If-Match": returned.headers["etag"]}
    fixed = await client.put(f"/api/v1/submissions/{sid}", headers=headers, json={**_content(draft()), "submit": True})
    assert fixed.status_code == 200 and fixed.json()["revision"] == 2 and fixed.json()["accepted_revision"] == 1
