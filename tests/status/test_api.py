"""The rules service end to end: submit and accept values over several years, read statuses, CSV and the feed."""

import csv
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.assignments.schemas import AssignmentCreate
from app.assignments.service import create_assignment
from app.auth.actor import CLI_ACTOR
from app.models import Goal, Plan
from app.models.enums import AssignmentRole
from tests.factories import bearer, counting, make_token
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, open_cycles, report

STATUS = f"/api/v1/plans/{PLAN}/status"


def by_code(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in items}


async def read(client: httpx.AsyncClient, headers: dict[str, str], year: int, part: str = "targets",
               **params: Any) -> dict[str, dict[str, Any]]:
    """The plan's target (or goal) statuses for a year, by code."""
    response = await client.get(STATUS, params={"year": year, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return by_code(response.json()[part])


async def test_statuses_of_a_plan_follow_the_accepted_history(client, history) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(STATUS, params={"year": 2023}, headers=history.reader)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["plan_code"] == PLAN and body["year"] == 2023 and body["include_provisional"] is False
    targets, goals = by_code(body["targets"]), by_code(body["goals"])

    maternal = targets["W1.2a"]
    # 8.8 × (8.8 / 9.5) ≈ 8.15 in 2025: (8.15 − 9.5) / (7 − 9.5) ≈ 54 % of the way → 预计达标困难
    assert maternal["status"] == "at_risk" and maternal["label"] == "预计达标困难"
    assert maternal["rule"] == "threshold.projection" and maternal["lead_unit"] == HEALTH
    assert maternal["baseline"] == {"year": 2021, "value": 9.5, "provisional": False}
    assert maternal["latest"] == {"year": 2023, "value": 8.8, "provisional": False}
    assert maternal["projected"] == pytest.approx(8.8 * 8.8 / 9.5) and maternal["required"] == 7
    assert maternal["explanation"] == ("2023年孕产妇死亡率为8.8/10万，高于2025年目标7/10万；"
                                       "按2021年以来的年均变化推算，2025年约为8.15/10万，预计达标困难。")
    assert targets["C1.2a"]["status"] == "achieved"
    assert targets["C1.2b"]["status"] == "no_data" and targets["C1.2b"]["latest"] is None

    assert goals["W1.2"]["status"] == "at_risk" and goals["W1.2"]["targets"] == ["W1.2a"]
    assert goals["W1.2"]["lead_unit"] == HEALTH and goals["W1.2"]["rule"] == "goal.worst_of_targets"
    # A goal is the worst of its targets: one achieved, two unreported → no_data, not achieved.
    assert goals["C1.2"]["status"] == "no_data"
    assert "3项适用指标中2项无数据、1项已达标" in goals["C1.2"]["explanation"]

    # Every target and goal of the plan is there, and the summary counts them.
    plan = (await client.get(f"/api/v1/plans/{PLAN}", headers=history.reader)).json()
    assert len(body["targets"]) == plan["counts"]["targets"] and len(body["goals"]) == plan["counts"]["goals"]
    counted = sum(body["summary"]["targets"].values())
    assert counted == sum(1 for t in body["targets"] if t["applies"])
    assert body["summary"]["targets"]["at_risk"] >= 1 and body["summary"]["targets"]["achieved"] >= 1
    assert sum(sum(d["goals"].values()) for d in body["domains"]) == len(body["goals"])

    # Before the values of 2023 the same target had only one value: no trend to project.
    early = (await read(client, history.reader, 2022, "targets"))
    assert early["W1.2a"]["status"] == "insufficient_data" and early["W1.2a"]["latest"]["year"] == 2021


async def test_filters_scope_the_answer(client, history) -> None:  # type: ignore[no-untyped-def]
    at_risk = (await client.get(STATUS, params={"year": 2023, "status": "at_risk"}, headers=history.reader)).json()
    assert {t["code"] for t in at_risk["targets"]} >= {"W1.2a"}
    assert all(t["status"] == "at_risk" for t in at_risk["targets"] + at_risk["goals"])
    full = (await client.get(STATUS, params={"year": 2023}, headers=history.reader)).json()
    assert at_risk["summary"] == full["summary"]  # the status filter selects items, not the counts

    women = (await client.get(STATUS, params={"year": 2023, "domain": "W1"}, headers=history.reader)).json()
    assert {t["domain_code"] for t in women["targets"]} == {"W1"} and [d["code"] for d in women["domains"]] == ["W1"]

    led = (await client.get(STATUS, params={"year": 2023, "unit": HEALTH}, headers=history.reader)).json()
    assert [g["code"] for g in led["goals"]] == ["W1.2", "C1.2", "C1.4"]
    assert {t["code"] for t in led["targets"]} == {"W1.2a", "C1.2a", "C1.2b", "C1.2c", "C1.4a", "C1.4b"}
    same = (await client.get(f"/api/v1/plans/{PLAN}/units/{HEALTH}/status", params={"year": 2023},
                             headers=history.reader)).json()
    assert same == led
    unknown = await client.get(f"/api/v1/plans/{PLAN}/units/110105-nobody/status", headers=history.reader)
    assert unknown.status_code == 404
    unknown_filter = await client.get(STATUS, params={"unit": "110105-nobody"}, headers=history.reader)
    assert unknown_filter.status_code == 422 and unknown_filter.json()["errors"][0]["field"] == "unit"

    review = (await client.get(STATUS, params={"year": 2023, "flag": "review"}, headers=history.reader)).json()
    assert all("review" in t["flags"] for t in review["targets"])


async def test_one_goal_with_its_targets(client, history) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/plans/{PLAN}/goals/C1.2/status", params={"year": 2023},
                                headers=history.health)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["goal"]["code"] == "C1.2" and [t["code"] for t in body["targets"]] == ["C1.2a", "C1.2b", "C1.2c"]
    missing = await client.get(f"/api/v1/plans/{PLAN}/goals/W9.9/status", headers=history.health)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("params", "field"), [
    ({"year": 2019}, "year"), ({"year": "soon"}, "year"), ({"status": "fine"}, "status"),
    ({"flag": "red"}, "flag"), ({"domain": "Z9"}, "domain"), ({"include": "drafts"}, "include"),
])
async def test_bad_questions_get_a_clear_422(client, world, params, field) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(STATUS, params=params, headers=world.reader)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_status_needs_a_token_and_a_known_plan(client, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get(STATUS)).status_code == 401
    unknown = await client.get("/api/v1/plans/nowhere-2021-2025/status", headers=world.reader)
    assert unknown.status_code == 404 and "nowhere-2021-2025" in unknown.json()["detail"]


async def test_provisional_data_are_used_only_when_asked_and_flagged(client, history) -> None:  # type: ignore[no-untyped-def]
    await report(client, history, history.health, 2024, [{"target": "W1.2a", "value": 6.5}], accept=False)
    accepted_only = (await read(client, history.admin, 2024, "targets"))
    assert accepted_only["W1.2a"]["latest"]["year"] == 2023 and "provisional" not in accepted_only["W1.2a"]["flags"]

    body = (await client.get(STATUS, params={"year": 2024, "include": "provisional"}, headers=history.reader)).json()
    maternal = by_code(body["targets"])["W1.2a"]
    assert body["include_provisional"] is True
    assert maternal["status"] == "achieved" and maternal["latest"] == {"year": 2024, "value": 6.5,
                                                                       "provisional": True}
    assert "provisional" in maternal["flags"] and "暂定" in maternal["explanation"]
    # Other units' unaccepted data are not a unit's to see.
    refused = await client.get(STATUS, params={"year": 2024, "include": "provisional"}, headers=history.health)
    assert refused.status_code == 403


async def test_conflicting_reports_use_the_lead_units_value_and_say_so(client, world) -> None:  # type: ignore[no-untyped-def]
    # C1.7: 区教委 leads, 区卫生健康委 supports; both report the anaemia rate for 2024.
    await report(client, world, world.education, 2024, [{"target": "C1.7a", "value": 2.8}])
    await report(client, world, world.health, 2024, [{"target": "C1.7a", "value": 3.4}])
    anaemia = (await read(client, world.reader, 2024, "targets"))["C1.7a"]
    assert anaemia["latest"]["value"] == 2.8 and anaemia["status"] == "achieved"
    assert anaemia["flags"] == ["conflict"] and "各单位报送的数值不一致" in anaemia["explanation"]


async def test_a_support_units_value_counts_when_the_lead_has_none(client, world) -> None:  # type: ignore[no-untyped-def]
    await report(client, world, world.health, 2024, [{"target": "C1.7b", "value": 1.4}])
    stunting = (await read(client, world.reader, 2024, "targets"))["C1.7b"]
    assert stunting["latest"]["value"] == 1.4 and stunting["flags"] == []


async def test_overdue_lead_unit_is_flagged(client, world) -> None:  # type: ignore[no-untyped-def]
    # The 2023 midterm cycle is past its due date and 区卫生健康委 has not submitted.
    before = (await read(client, world.reader, 2023, "targets"))
    assert "overdue" in before["W1.2a"]["flags"]
    assert before["W1.2a"]["explanation"].endswith("；牵头单位逾期未报送（2023年中期评估）。")
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.0}], kind="midterm",
                 accept=False)
    after = (await read(client, world.reader, 2023, "targets"))
    assert "overdue" not in after["W1.2a"]["flags"]


async def test_qualitative_goal_takes_the_lead_units_task_progress(client, world, db) -> None:  # type: ignore[no-untyped-def]
    # W1.4 (促进健康孕育，提高妇女生殖健康水平) has no numeric target.
    await create_assignment(db, CLI_ACTOR, PLAN, AssignmentCreate(task="W1.4", unit=HEALTH, role=AssignmentRole.lead))
    goal = (await read(client, world.reader, 2024, "goals"))["W1.4"]
    assert goal["qualitative"] is True and goal["status"] == "no_data"
    await report(client, world, world.health, 2024, [], tasks=[{"task": "W1.4", "progress": "delayed"}])
    goal = (await read(client, world.reader, 2024, "goals"))["W1.4"]
    assert goal["status"] == "at_risk" and goal["rule"] == "qualitative.task_progress"
    assert goal["explanation"] == "2024年牵头单位报告任务进度滞后，预计达标困难。"
    unassigned = (await read(client, world.reader, 2024, "goals"))["W1.5"]
    assert unassigned["status"] == "no_data" and unassigned["rule"] == "qualitative.no_lead_unit"


async def test_etag_lets_a_poller_skip_unchanged_statuses(client, history) -> None:  # type: ignore[no-untyped-def]
    first = await client.get(STATUS, params={"year": 2024}, headers=history.reader)
    etag = first.headers["etag"]
    unchanged = await client.get(STATUS, params={"year": 2024}, headers={**history.reader, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == etag
    await report(client, history, history.health, 2024, [{"target": "W1.2a", "value": 6.9}])
    changed = await client.get(STATUS, params={"year": 2024}, headers={**history.reader, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_csv_export_opens_in_excel(client, db, history) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/plans/{PLAN}/status.csv", params={"year": 2023}, headers=history.reader)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"{PLAN}-status-2023.csv" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("类型,编码,领域,所属目标/措施,指标")
    maternal = next(line for line in lines if line.startswith("指标,W1.2a,"))
    assert "孕产妇死亡率" in maternal and "<=71/10万" not in maternal and "<=7/10万" in maternal
    assert ",at_risk,预计达标困难," in maternal and HEALTH in maternal
    # Beside the codes: the goal's text as the plan prints it, and the lead unit's name.
    header, *table = list(csv.reader(lines))
    rows = {row[1]: dict(zip(header, row, strict=True)) for row in table}
    assert header[-2:] == ["目标/措施内容", "牵头单位名称"]
    goal_text = (await db.execute(select(Goal.text).join(Plan, Plan.id == Goal.plan_id).where(
        Plan.code == PLAN, Goal.code == "W1.2"))).scalar_one()
    assert rows["W1.2a"]["目标/措施内容"] == goal_text == rows["W1.2"]["目标/措施内容"]
    assert rows["W1.2a"]["牵头单位名称"] == "区卫生健康委" and rows["W1.2a"]["牵头单位"] == HEALTH
    json_body = (await client.get(STATUS, params={"year": 2023}, headers=history.reader)).json()
    assert len(lines) == 1 + len(json_body["goals"]) + len(json_body["targets"])


async def test_the_feed_reports_each_change_once_in_order(client, world) -> None:  # type: ignore[no-untyped-def]
    feed = "/api/v1/status/changes"
    start = (await client.get(feed, params={"plan": PLAN, "limit": 1000}, headers=world.reader)).json()
    cursor = start["next_cursor"]
    assert all(item["plan_code"] == PLAN for item in start["items"])

    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}])
    page = (await client.get(feed, params={"since": cursor, "plan": PLAN}, headers=world.reader)).json()
    # 2021: the new cycle, already past due, makes the lead unit overdue; its late submission clears that;
    # the office's acceptance gives the target its first value. Each change starts where the last one ended.
    steps = [i for i in page["items"] if i["subject_code"] == "W1.2a" and i["year"] == 2021]
    assert [(s["to_status"], s["to_flags"]) for s in steps] == [
        ("no_data", ["overdue"]), ("no_data", []), ("insufficient_data", [])]
    # Every target has a stored verdict from the plan's import on: no_data until something happens.
    assert [s["from_status"] for s in steps] == ["no_data", "no_data", "no_data"]
    assert steps[0]["cause"] == "annual cycle 2021 created" and steps[1]["cause"].endswith("submitted late")
    assert steps[2]["cause"].endswith("accepted") and "9.5/10万" in steps[2]["explanation"]
    # Every later year of the plan changes too (the value is their latest), the goal with its target.
    assert {i["year"] for i in page["items"] if i["subject_code"] == "W1.2a"} == {2021, 2022, 2023, 2024, 2025}
    assert {i["subject_code"] for i in page["items"] if i["subject_type"] == "goal"} >= {"W1.2"}
    cursors = [i["cursor"] for i in page["items"]]
    assert len(set(cursors)) == len(cursors) and page["next_cursor"] == cursors[-1]

    nothing = (await client.get(feed, params={"since": page["next_cursor"]}, headers=world.reader)).json()
    assert nothing["items"] == [] and nothing["next_cursor"] == page["next_cursor"]

    await report(client, world, world.health, 2024, [{"target": "W1.2a", "value": 6.6}])
    later = (await client.get(feed, params={"since": page["next_cursor"], "year": 2024},
                              headers=world.reader)).json()
    maternal = [i for i in later["items"] if i["subject_code"] == "W1.2a"]
    assert len(maternal) == 1 and maternal[0]["from_status"] == "insufficient_data"
    assert maternal[0]["to_status"] == "achieved" and all(i["year"] == 2024 for i in later["items"])


async def test_the_feed_pages_and_refuses_bad_cursors(client, world) -> None:  # type: ignore[no-untyped-def]
    feed = "/api/v1/status/changes"
    whole = (await client.get(feed, params={"limit": 1000}, headers=world.reader)).json()["items"]
    assert len(whole) >= 3  # review flags on the seed plans' doubtful targets, overdue flags of the world's cycles
    two = (await client.get(feed, params={"limit": 2}, headers=world.reader)).json()
    rest = (await client.get(feed, params={"limit": 1000, "since": two["next_cursor"]}, headers=world.reader)).json()
    assert two["items"] + rest["items"] == whole
    for bad in ("-1", "abc", "1e3"):
        response = await client.get(feed, params={"since": bad}, headers=world.reader)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "since"
    assert (await client.get(feed, params={"limit": 0}, headers=world.reader)).status_code == 422
    # A new consumer starts from now; a cursor ahead of the feed is a mistake, not a quiet wait.
    now = (await client.get(feed, params={"since": "now"}, headers=world.reader)).json()
    assert now["items"] == [] and now["next_cursor"] == whole[-1]["cursor"]
    *txid, last_id = whole[-1]["cursor"].split(".")  # opaque: "id", or "txid.id" on PostgreSQL
    ahead = await client.get(feed, params={"since": ".".join([*txid, str(int(last_id) + 5)])}, headers=world.reader)
    assert ahead.status_code == 422 and "超出了变化流的范围" in ahead.json()["detail"]
    assert (await client.get(feed, params={"plan": "nowhere"}, headers=world.reader)).status_code == 404


async def test_reading_the_feed_writes_nothing(client, world, connection) -> None:  # type: ignore[no-untyped-def]
    # The daily catch-up is the worker's job (tests/status/test_publication.py); a GET never writes.
    with counting(connection) as statements:
        for params in ({}, {"since": "now"}, {"plan": PLAN, "year": 2023}):
            assert (await client.get("/api/v1/status/changes", params=params, headers=world.reader)).status_code == 200
        assert (await client.get(STATUS, params={"year": 2023}, headers=world.reader)).status_code == 200
    writes = [s for s in statements if s.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert statements and writes == []


async def test_refresh_is_for_the_office(client, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.post("/api/v1/status/refresh", headers=world.reader)).status_code == 403
    assert (await client.post("/api/v1/status/refresh", headers=world.health)).status_code == 403
    done = await client.post("/api/v1/status/refresh", headers=world.admin)
    assert done.status_code == 200 and done.json()["plans"] == 6
    again = await client.post("/api/v1/status/refresh", headers=world.admin)
    assert again.json()["changes"] == 0  # nothing changed in between: nothing new to publish


async def test_status_runs_a_fixed_number_of_queries(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, "reader"))
    assembled, repeated = {}, {}
    for code in ("zengdu-children-2021-2030", "xicheng-2021-2025", "chaoyang-2021-2025"):
        for counts in (assembled, repeated):
            with counting(connection) as statements:
                response = await client.get(f"/api/v1/plans/{code}/status", params={"year": 2025}, headers=headers)
            assert response.status_code == 200
            counts[code] = len(statements)
    # Token and plan, the verdicts, the domains, whatever the plan's size; read again, only the first.
    assert set(assembled.values()) == {3}, assembled
    assert set(repeated.values()) == {1}, repeated


async def test_education_units_goals(client, world) -> None:  # type: ignore[no-untyped-def]
    body = (await client.get(f"/api/v1/plans/{PLAN}/units/{EDUCATION}/status", params={"year": 2024},
                             headers=world.education)).json()
    assert [g["code"] for g in body["goals"]] == ["C1.7", "C1.8"]
