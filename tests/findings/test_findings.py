"""One end-to-end test per finding of the issue on indicators and observations, through REST and GraphQL.

Each would fail on the code before indicators: values were kept per target (so two milestones of one indicator
needed two reports), breakdowns were dropped, the status followed the current lead unit only, an empty
submission counted as sent, and `overdue` cleared on any submission.
"""

from typing import Any

import httpx
import pytest

from app.assignments.schemas import AssignmentCreate
from app.assignments.service import create_assignment
from app.auth.actor import CLI_ACTOR
from app.models.enums import AssignmentRole
from tests.findings.conftest import ZENGDU_WOMEN, Zengdu
from tests.graphql.conftest import codes, gql
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, open_cycles, report

STATUS = f"/api/v1/plans/{PLAN}/status"


async def statuses(client: httpx.AsyncClient, headers: dict[str, str], year: int, plan: str = PLAN,
                   **params: Any) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/api/v1/plans/{plan}/status", params={"year": year, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {target["code"]: target for target in response.json()["targets"]}


async def submit(client: httpx.AsyncClient, headers: dict[str, str], plan: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/api/v1/plans/{plan}/submissions", headers=headers, json=body)


async def accept(client: httpx.AsyncClient, admin: dict[str, str], submission_id: int) -> None:
    response = await client.post(f"/api/v1/submissions/{submission_id}/review", headers=admin,
                                 json={"decision": "accept"})
    assert response.status_code == 200, response.text


# --- 1. Two milestones of one indicator in different units: one report, both targets -----------------------

TARGET_GRAPHQL = """query($plan: String!, $year: Int) { plan(code: $plan) { domains { goals { code targets {
  code unit status(year: $year) { status latest { year value } } } } } } }"""


@pytest.mark.parametrize("named", [{"indicator": None}, {"target": "W1.2c"}, {"target": "W1.2d"}],
                         ids=["by-indicator", "by-W1.2c-in-1/万", "by-W1.2d-in-1/10万"])
async def test_one_report_of_maternal_mortality_serves_both_milestones(client, zengdu: Zengdu,
                                                                       named: dict[str, Any]) -> None:
    before = await statuses(client, zengdu.reader, 2021, ZENGDU_WOMEN)
    assert before["W1.2c"]["indicator"] == before["W1.2d"]["indicator"]  # one indicator, two milestones
    item = {"indicator": before["W1.2c"]["indicator"]} if "indicator" in named else dict(named)
    # 8.5/10万 is 0.85/万: sent against W1.2c (a 1/万 target) it is converted, not refused.
    created = await submit(client, zengdu.health, ZENGDU_WOMEN, {"year": 2021, "submit": True, "values": [
        {**item, "value": 8.5, "unit": "1/10万", "source": "妇幼卫生年报"}]})
    assert created.status_code == 201, created.text
    [value] = created.json()["current"]["values"]
    assert (value["reported_value"], value["reported_unit"]) == (8.5, "1/10万")
    assert value["target"] == named.get("target")
    await accept(client, zengdu.admin, created.json()["id"])

    after = await statuses(client, zengdu.reader, 2021, ZENGDU_WOMEN)
    assert after["W1.2c"]["latest"] == {"year": 2021, "value": pytest.approx(0.85), "provisional": False}
    assert after["W1.2d"]["latest"] == {"year": 2021, "value": pytest.approx(8.5), "provisional": False}
    assert after["W1.2c"]["status"] != "no_data" and after["W1.2d"]["status"] != "no_data"

    body = await gql(client, TARGET_GRAPHQL, {"plan": ZENGDU_WOMEN, "year": 2021}, zengdu.reader)
    assert "errors" not in body, body
    graph = {t["code"]: t for d in body["data"]["plan"]["domains"] for g in d["goals"] for t in g["targets"]}
    assert graph["W1.2c"]["status"]["latest"]["value"] == pytest.approx(0.85)
    assert graph["W1.2d"]["status"]["latest"]["value"] == pytest.approx(8.5)
    assert graph["W1.2c"]["status"]["status"] == after["W1.2c"]["status"]


# --- 2. Breakdown values: kept, judged per group, checked against the total, justified --------------------

SUBMISSION_GRAPHQL = """query($id: Int!) { submission(id: $id) { current { values {
  indicator target value sex ageGroup area justification warnings { code message params } } } } }"""


async def test_values_by_sex_and_area_are_kept_and_judged_per_group(client, world) -> None:  # type: ignore[no-untyped-def]
    values = [{"target": "W1.2a", "value": 6.5, "sex": "female"},
              {"target": "C1.4a", "value": 90.0, "area": "rural"}, {"target": "C1.4a", "value": 97.0, "area": "urban"}]
    await open_cycles(client, world, 2021)
    created = await submit(client, world.health, PLAN, {"year": 2021, "submit": True, "values": values})
    assert created.status_code == 201, created.text
    read = (await client.get(f"/api/v1/submissions/{created.json()['id']}", headers=world.admin)).json()
    for shown in (created.json()["current"]["values"], read["current"]["values"]):  # nothing dropped
        assert [(v["target"], v["value"], v["sex"], v["area"]) for v in shown] == [
            ("W1.2a", 6.5, "female", "all"), ("C1.4a", 90.0, "total", "rural"), ("C1.4a", 97.0, "total", "urban")]
    await accept(client, world.admin, created.json()["id"])

    by_area = await statuses(client, world.reader, 2021, breakdown="area")
    rows = {row["group"]: row for row in by_area["C1.4a"]["breakdowns"]}
    assert rows.keys() == {"rural", "urban"} and {r["dimension"] for r in rows.values()} == {"area"}
    assert rows["rural"]["latest"]["value"] == 90.0 and "90%" in rows["rural"]["explanation"]
    assert rows["urban"]["latest"]["value"] == 97.0 and "97%" in rows["urban"]["explanation"]
    assert by_area["C1.4a"]["latest"] is None  # no total was reported: the groups do not make one up
    assert by_area["W1.2a"]["breakdowns"] == []

    by_sex = await statuses(client, world.reader, 2021, breakdown="sex")
    [female] = by_sex["W1.2a"]["breakdowns"]
    assert (female["group"], female["latest"]["value"]) == ("female", 6.5)
    assert by_sex["C1.4a"]["breakdowns"] == []
    assert not (await statuses(client, world.reader, 2021))["C1.4a"].get("breakdowns")  # only when asked


async def test_age_group_spellings_are_one_group(client, world) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2021, 2022)
    await report(client, world, world.health, 2021, [{"target": "C1.2a", "value": 1.8, "age_group": "0-28天"}])
    await report(client, world, world.health, 2022, [{"target": "C1.2a", "value": 1.6, "age_group": "0-28 天"}])
    [row] = (await statuses(client, world.reader, 2022, breakdown="age"))["C1.2a"]["breakdowns"]
    assert row["group"] == "0-28天"
    assert row["baseline"]["value"] == 1.8 and row["latest"]["value"] == 1.6


@pytest.mark.parametrize(("target", "unit", "total", "parts", "code"), [
    ("C1.2a", "‰", 10.0, {"female": 2.0, "male": 3.0}, "total_outside_parts"),  # a rate lies between its parts
    ("W4.4a", "名", 3.0, {"female": 2.0, "male": 3.0}, "parts_exceed_total"),  # counts add up to at most the total
])
async def test_parts_are_checked_against_the_total_and_the_justification_reaches_the_office(
        client, world, db, target: str, unit: str, total: float, parts: dict[str, float], code: str) -> None:  # type: ignore[no-untyped-def]
    await create_assignment(db, CLI_ACTOR, PLAN, AssignmentCreate(task="W4.4", unit=HEALTH, role=AssignmentRole.lead))
    justification = "数据来自两个统计口径，已与统计局核对"
    values = [{"target": target, "value": total, "unit": unit, "justification": justification}]
    values += [{"target": target, "value": v, "unit": unit, "sex": sex} for sex, v in parts.items()]
    created = await submit(client, world.health, PLAN, {"year": 2024, "submit": True, "values": values})
    assert created.status_code == 201, created.text  # a warning never refuses a value
    submission_id = created.json()["id"]

    rest = (await client.get(f"/api/v1/submissions/{submission_id}", headers=world.admin)).json()["current"]["values"]
    total_row = next(v for v in rest if v["sex"] == "total")
    assert [w["code"] for w in total_row["warnings"]] == [code]
    assert total_row["warnings"][0]["message"]  # in Chinese, naming the numbers
    assert total_row["justification"] == justification
    # The parts raise nothing: the indicator does not declare its breakdowns, so none is unexpected.
    assert [w for v in rest if v["sex"] != "total" for w in v["warnings"]] == []

    body = await gql(client, SUBMISSION_GRAPHQL, {"id": submission_id}, world.admin)
    assert "errors" not in body, body
    graph = next(v for v in body["data"]["submission"]["current"]["values"] if v["sex"] == "total")
    assert graph["justification"] == justification
    assert [(w["code"], w["message"]) for w in graph["warnings"]] == [
        (w["code"], w["message"]) for w in total_row["warnings"]]


# --- 3. Changing the lead unit keeps the accepted history -------------------------------------------------

async def make_education_lead(client: httpx.AsyncClient, world: Any, how: str) -> None:
    """The office moves W1.2 from the health commission to the education commission."""
    if how == "replace":  # the whole decomposition replaced; the health commission keeps nothing of W1.2
        listed = (await client.get(f"/api/v1/plans/{PLAN}/assignments", headers=world.admin)).json()["items"]
        kept = [{"task": a["task"], "unit": a["unit"], "role": a["role"]} for a in listed if a["task"] != "W1.2"]
        response = await client.put(f"/api/v1/plans/{PLAN}/assignments", headers=world.admin, json={
            "assignments": [*kept, {"task": "W1.2", "unit": EDUCATION, "role": "lead"}]})
        assert response.status_code == 200, response.text
        return
    listed = (await client.get(f"/api/v1/plans/{PLAN}/assignments", headers=world.admin,
                               params={"unit": HEALTH})).json()["items"]
    old = next(a for a in listed if a["task"] == "W1.2")
    demoted = await client.patch(f"/api/v1/plans/{PLAN}/assignments/{old['id']}", headers=world.admin,
                                 json={"role": "support"})
    assert demoted.status_code == 200, demoted.text
    created = await client.post(f"/api/v1/plans/{PLAN}/assignments", headers=world.admin,
                                json={"task": "W1.2", "unit": EDUCATION, "role": "lead"})
    assert created.status_code == 201, created.text


GOAL_GRAPHQL = """query($year: Int) { plan(code: "chaoyang-2021-2025") { domains { goals { code
  status(year: $year) { status leadUnit } targets { code status(year: $year) { status latest { year value } } } } } } }
"""


@pytest.mark.parametrize("how", ["replace", "demote-and-assign"])
async def test_a_new_lead_unit_does_not_erase_the_old_ones_years(client, world, how: str) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}])
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.8}], kind="midterm")
    assert (await statuses(client, world.reader, 2023))["W1.2a"]["status"] == "at_risk"

    await make_education_lead(client, world, how)
    kept = await statuses(client, world.reader, 2023)
    assert kept["W1.2a"]["status"] == "at_risk" and kept["W1.2a"]["lead_unit"] == EDUCATION
    assert kept["W1.2a"]["baseline"]["value"] == 9.5 and kept["W1.2a"]["latest"]["value"] == 8.8
    # The former lead reported the 2023 mid-term: the new lead does not owe it, nothing is overdue.
    assert "overdue" not in kept["W1.2a"]["flags"], kept["W1.2a"]
    # Until the new lead reports, the old lead's last value is the latest one (2024 is still open).
    assert (await statuses(client, world.reader, 2024))["W1.2a"]["latest"] == {
        "year": 2023, "value": 8.8, "provisional": False}
    body = await gql(client, GOAL_GRAPHQL, {"year": 2023}, world.reader)
    goal = next(g for d in body["data"]["plan"]["domains"] for g in d["goals"] if g["code"] == "W1.2")
    assert goal["status"] == {"status": "at_risk", "leadUnit": EDUCATION}
    assert goal["targets"][0]["status"]["latest"] == {"year": 2023, "value": 8.8}
    # The feed published no fall back to no_data when the lead changed.
    feed = (await client.get("/api/v1/status/changes", headers=world.admin,
                             params={"plan": PLAN, "limit": 1000})).json()["items"]
    moved = [c for c in feed if c["cause"] == "task decomposition changed" and c["subject_code"] in ("W1.2", "W1.2a")]
    assert all(c["to_status"] == c["from_status"] and c["to_flags"] == c["from_flags"] for c in moved), moved

    await report(client, world, world.education, 2024, [{"target": "W1.2a", "value": 6.5}])
    now = await statuses(client, world.reader, 2024)
    assert now["W1.2a"]["latest"] == {"year": 2024, "value": 6.5, "provisional": False}
    assert now["W1.2a"]["baseline"]["value"] == 9.5


# --- 4. An empty submission is not a submission; overdue clears per indicator -----------------------------

CREATE_GRAPHQL = """mutation($input: SubmissionCreateInput!) {
  createSubmission(plan: "chaoyang-2021-2025", input: $input) { id status } }"""


async def test_an_empty_submission_cannot_be_sent(client, world) -> None:  # type: ignore[no-untyped-def]
    refused = await submit(client, world.health, PLAN, {"year": 2024, "submit": True})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["values"]
    body = await gql(client, CREATE_GRAPHQL, {"input": {"year": 2024, "submit": True}}, world.health)
    assert codes(body) == ["VALIDATION"]

    draft = await submit(client, world.health, PLAN, {"year": 2024})
    assert draft.status_code == 201 and draft.json()["status"] == "draft", draft.text
    submission = draft.json()
    # Sending the empty draft, or saving it empty with submit, is refused the same way.
    sent = await client.post(f"/api/v1/submissions/{submission['id']}/submit", headers=world.health)
    assert sent.status_code == 422, sent.text
    assert [e["field"] for e in sent.json()["errors"]] == ["values"]
    saved = await client.put(f"/api/v1/submissions/{submission['id']}", json={"submit": True},
                             headers={**world.health, "If-Match": submission["etag"]})
    assert saved.status_code == 422, saved.text
    still = (await client.get(f"/api/v1/submissions/{submission['id']}", headers=world.health)).json()
    assert still["status"] == "draft" and still["revision"] == 1


async def test_completeness_and_overdue_are_per_indicator(client, world) -> None:  # type: ignore[no-untyped-def]
    # 2023 mid-term is past its due date: the health commission reports maternal mortality only, late.
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.8}], kind="midterm",
                 accept=False)
    response = await client.get(f"/api/v1/plans/{PLAN}/cycles/2023/midterm/completeness", headers=world.admin)
    assert response.status_code == 200, response.text
    units = {row["unit"]: row for row in response.json()["units"]}
    health = units[HEALTH]
    assert health["status"] == "submitted" and health["late"] is True
    maternal = (await statuses(client, world.reader, 2023))["W1.2a"]["indicator"]
    assert maternal in health["indicators_expected"] and health["indicators_reported"] == [maternal]
    assert set(health["indicators_missing"]) == set(health["indicators_expected"]) - {maternal}
    assert len(health["indicators_missing"]) >= 2
    assert units[EDUCATION]["status"] == "not_submitted"
    assert units[EDUCATION]["indicators_reported"] == [] and units[EDUCATION]["indicators_missing"]
    assert response.json()["summary"]["indicators_missing"] == sum(
        len(row["indicators_missing"]) for row in units.values())

    now = await statuses(client, world.reader, 2023)
    assert "overdue" not in now["W1.2a"]["flags"]
    assert "overdue" in now["C1.2a"]["flags"] and "overdue" in now["C1.4a"]["flags"]  # still not reported
    assert "overdue" in now["C1.8a"]["flags"]  # the education commission sent nothing


# --- Base-year cycles: a year before the plan, on a migrated database ------------------------------------

async def test_a_baseline_cycle_before_the_plan_gives_the_targets_their_base_year(client, world) -> None:  # type: ignore[no-untyped-def]
    refused = await client.post(f"/api/v1/plans/{PLAN}/cycles", headers=world.admin,
                                json={"year": 2022, "kind": "baseline"})  # inside the plan, and no target's base year
    assert refused.status_code == 422, refused.text
    created = await client.post(f"/api/v1/plans/{PLAN}/cycles", headers=world.admin,
                                json={"year": 2020, "kind": "baseline"})
    assert created.status_code == 201, created.text
    assert (created.json()["kind"], created.json()["opens_on"]) == ("baseline", "2021-01-01")  # collected in 2021
    await report(client, world, world.health, 2020, [{"target": "W1.2a", "value": 9.8}], kind="baseline")
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}])
    maternal = (await statuses(client, world.reader, 2021))["W1.2a"]
    assert maternal["baseline"] == {"year": 2020, "value": 9.8, "provisional": False}
    assert maternal["latest"]["year"] == 2021 and maternal["status"] != "insufficient_data"
