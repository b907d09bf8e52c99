"""Reporting cycles gate writes; units see only their own; Idempotency-Key makes POST retries safe."""

from sqlalchemy import func, select

from app.models import Submission
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, draft

BASE = f"/api/v1/plans/{PLAN}/submissions"
CYCLES = f"/api/v1/plans/{PLAN}/cycles"


async def test_no_cycle_means_409(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(BASE, json=draft(year=2022), headers=world.health)
    assert response.status_code == 409
    assert "2022 年没有年度自评填报周期" in response.json()["detail"]


async def test_closed_cycle_refuses_until_reopened_for_the_unit(client, world) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(), headers=world.health)).json()
    closed = await client.post(f"{CYCLES}/2024/annual/close", headers=world.admin)
    assert closed.json()["state"] == "closed"

    refused = await client.put(f"/api/v1/submissions/{created['id']}", json={"values": []},
                               headers={**world.health, "If-Match": created["etag"]})
    assert refused.status_code == 409 and "已关闭" in refused.json()["detail"]
    refused_new = await client.post(BASE, json=draft(values=[{"target": "C1.8a", "value": 71}], tasks=[]),
                                    headers=world.education)
    assert refused_new.status_code == 409

    reopened = await client.post(f"{CYCLES}/2024/annual/reopen-for-unit", json={"unit": HEALTH},
                                 headers=world.admin)
    assert reopened.json()["reopened_for"] == [HEALTH] and reopened.json()["state"] == "closed"
    allowed = await client.put(f"/api/v1/submissions/{created['id']}", json={"values": []},
                               headers={**world.health, "If-Match": created["etag"]})
    assert allowed.status_code == 200
    still_refused = await client.post(BASE, json=draft(values=[{"target": "C1.8a", "value": 71}], tasks=[]),
                                      headers=world.education)
    assert still_refused.status_code == 409

    await client.post(f"{CYCLES}/2024/annual/reopen", headers=world.admin)
    assert (await client.post(BASE, json=draft(values=[{"target": "C1.8a", "value": 71}], tasks=[]),
                              headers=world.education)).status_code == 201


async def test_cycle_administration(client, world) -> None:  # type: ignore[no-untyped-def]
    listed = (await client.get(CYCLES, headers=world.reader)).json()
    assert [(c["year"], c["kind"], c["state"]) for c in listed["items"]] == [
        (2023, "midterm", "overdue"), (2024, "annual", "open")]
    created = await client.post(CYCLES, json={"year": 2025, "kind": "final"}, headers=world.admin)
    assert created.status_code == 201
    assert created.json()["due_on"] == "2025-12-31"
    duplicate = await client.post(CYCLES, json={"year": 2025, "kind": "final"}, headers=world.admin)
    assert duplicate.status_code == 409
    wrong_year = await client.post(CYCLES, json={"year": 2024, "kind": "final"}, headers=world.admin)
    assert wrong_year.status_code == 422 and wrong_year.json()["errors"][0]["field"] == "year"
    backwards = await client.post(CYCLES, json={"year": 2022, "opens_on": "2022-06-01", "due_on": "2022-01-01"},
                                  headers=world.admin)
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "due_on"
    assert (await client.post(CYCLES, json={"year": 2022}, headers=world.health)).status_code == 403
    assert (await client.get(f"{CYCLES}/2031/annual", headers=world.admin)).status_code == 404


async def test_cycle_not_yet_open(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.post(CYCLES, json={"year": 2025, "opens_on": "2099-01-01", "due_on": "2099-12-31"},
                      headers=world.admin)
    response = await client.post(BASE, json=draft(year=2025), headers=world.health)
    assert response.status_code == 409 and "于 2099-01-01 开始" in response.json()["detail"]


async def test_completeness(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.post(BASE, json=draft(year=2023, kind="midterm", submit=True), headers=world.health)
    report = await client.get(f"{CYCLES}/2023/midterm/completeness", headers=world.admin)
    assert report.status_code == 200, report.text
    body = report.json()
    units = {row["unit"]: row for row in body["units"]}
    assert units[HEALTH]["status"] == "submitted" and units[HEALTH]["late"] is True
    assert units[EDUCATION]["status"] == "not_submitted" and units[EDUCATION]["late"] is True
    assert {k: v for k, v in body["summary"].items() if k != "indicators_missing"} == {
        "submitted": 1, "not_submitted": 1, "late": 2, "units": 2}
    assert (await client.get(f"{CYCLES}/2023/midterm/completeness", headers=world.health)).status_code == 403


async def test_units_cannot_touch_each_others_submissions(client, world) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(), headers=world.health)).json()
    url = f"/api/v1/submissions/{created['id']}"
    assert (await client.get(url, headers=world.education)).status_code == 403
    assert (await client.get(f"{url}/revisions", headers=world.education)).status_code == 403
    assert (await client.put(url, json={"values": []}, headers={
        **world.education, "If-Match": created["etag"]})).status_code == 403
    assert (await client.post(f"{url}/submit", headers=world.education)).status_code == 403
    assert (await client.post(BASE, json=draft(unit=HEALTH), headers=world.education)).status_code == 403
    assert (await client.get(url, headers=world.reader)).status_code == 403  # a draft
    assert (await client.post(BASE, json=draft(unit=HEALTH), headers=world.reader)).status_code == 403
    assert (await client.get("/api/v1/submissions/999999", headers=world.admin)).status_code == 404


async def test_idempotent_retry_returns_the_first_response(client, world, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**world.health, "Idempotency-Key": "2024-annual-wjw-1"}
    first = await client.post(BASE, json=draft(), headers=headers)
    retry = await client.post(BASE, json=draft(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    count = (await db.execute(select(func.count()).select_from(Submission))).scalar_one()
    assert count == 1

    different = await client.post(BASE, json=draft(values=[]), headers=headers)
    assert different.status_code == 422
    assert different.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_failed_request_does_not_burn_its_key(client, world) -> None:  # type: ignore[no-untyped-def]
    headers = {**world.health, "Idempotency-Key": "retry-after-fix"}
    bad = await client.post(BASE, json=draft(year=2022), headers=headers)
    assert bad.status_code == 409
    # the office opens the cycle; the same key now goes through
    await client.post(CYCLES, json={"year": 2022, "due_on": "2099-12-31"}, headers=world.admin)
    assert (await client.post(BASE, json=draft(year=2022), headers=headers)).status_code == 201


async def test_audit_log_is_admin_only_and_filterable(client, world) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(), headers=world.health)).json()
    await client.post(f"/api/v1/submissions/{created['id']}/submit", headers=world.health)
    events = (await client.get(f"/api/v1/audit?entity_type=submission&entity_id={created['id']}",
                               headers=world.admin)).json()
    assert [e["action"] for e in events["items"]] == ["submission.create", "submission.submit"]
    assert events["items"][1]["before"]["status"] == "draft"
    assert events["items"][1]["after"]["status"] == "submitted"
    assert {e["actor"] for e in events["items"]} == {"卫健委接口"}
    by_prefix = (await client.get("/api/v1/audit?action=submission", headers=world.admin)).json()
    assert by_prefix["total"] == 2
    assignments = (await client.get("/api/v1/audit?action=assignment.replace", headers=world.admin)).json()
    assert assignments["total"] == 1
    assert (await client.get("/api/v1/audit", headers=world.health)).status_code == 403
    assert (await client.get("/api/v1/audit", headers=world.reader)).status_code == 403
    naive = await client.get("/api/v1/audit?since=2024-01-01T00:00:00", headers=world.admin)
    assert naive.status_code == 422


async def test_an_empty_idempotency_key_is_refused_as_documented(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(f"/api/v1/plans/{PLAN}/submissions", json=draft(),
                                 headers={**world.health, "Idempotency-Key": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "idempotency-key"
