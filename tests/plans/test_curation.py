"""Target curation by the committee office: PATCH a target, its versions, ETags, audit and republished statuses."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from app.models import AuditEvent, Plan, Target, TargetVersion
from app.plans.seeding import load_plans
from tests.conftest import SEED_PLANS
from tests.submissions.conftest import PLAN

TARGETS = f"/api/v1/plans/{PLAN}/targets"
BASELINE = {"year": 2020, "value": 60.0, "source": "2020年学生体质健康监测"}


async def curate(client: httpx.AsyncClient, headers: dict[str, str], code: str, body: dict[str, Any],
                 **extra_headers: str) -> httpx.Response:
    return await client.patch(f"{TARGETS}/{code}", json=body, headers={**headers, **extra_headers})


async def stored(db, code: str) -> Target:  # type: ignore[no-untyped-def]
    target = (await db.execute(select(Target).join(Plan, col(Plan.id) == col(Target.plan_id))
                               .where(col(Plan.code) == PLAN, col(Target.code) == code))).scalar_one()
    await db.refresh(target)
    return target


async def count(db, model: type[Any], *where: Any) -> int:  # type: ignore[no-untyped-def]
    return int((await db.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


@pytest.mark.parametrize(("code", "body", "field", "fragment"), [
    pytest.param("W1.1a", {"value": 80.0}, "value", "趋势型指标", id="trend-has-no-value"),
    pytest.param("W1.2a", {"value": None}, "value", "需要目标值", id="threshold-needs-value"),
    pytest.param("W1.2a", {"op": "increase"}, "value", "趋势型指标", id="becoming-trend-keeps-value"),
    pytest.param("W1.2a", {"unit": "岁"}, "unit", "无法换算为监测指标的单位 1/10万", id="unit-not-convertible"),
    pytest.param("W1.2a", {"year": 2030}, "year", "应在规划期 2021–2025 年之内", id="year-outside-plan"),
    pytest.param("W1.2a", {"baseline": {"year": 2026, "value": 9.0}}, "baseline.year", "不能晚于规划的结束年份 2025",
                 id="baseline-after-plan"),
    pytest.param("W1.2a", {"year": 2023, "baseline": {"year": 2023}}, "baseline.year", "必须早于指标的目标年份 2023",
                 id="baseline-not-before-due"),
    pytest.param("W1.2a", {"tolerance": -0.5}, "tolerance", "不能为负数", id="negative-tolerance"),
    pytest.param("C1.4a", {"value": 120.0}, "value", "应在 0 至 100 之间", id="value-out-of-range"),
    pytest.param("W1.2a", {"value": -1.0}, "value", "不能为负数", id="negative-rate"),
    pytest.param("C1.6b", {"baseline": {"year": 2020, "value": 150.0}}, "baseline.value", "应在 0 至 100 之间",
                 id="baseline-value-out-of-range"),
    pytest.param("C1.6b", {"scope": {"age_group": "7-9岁"}}, "scope.age_group", "必须是以下年龄组之一",
                 id="unknown-age-group"),
    pytest.param("C1.6b", {"scope": {"age_group": " "}}, "scope.age_group", "不能为空", id="blank-age-group"),
    pytest.param("W1.2a", {"op": None}, "op", "不能为 null", id="op-not-null"),
    pytest.param("W1.2a", {"per_year": None}, "per_year", "不能为 null", id="per-year-not-null"),
    pytest.param("W1.2a", {}, "body", "没有要修改的内容", id="empty"),
    pytest.param("W1.2a", {"comment": "只有说明"}, "body", "没有要修改的内容", id="comment-only"),
    # The schema's own checks: strict JSON types, closed vocabularies, no unknown fields.
    pytest.param("W1.2a", {"value": "7.5"}, "value", "", id="string-number"),
    pytest.param("W1.2a", {"scope": {"sex": "other"}}, "scope.sex", "", id="unknown-sex"),
    pytest.param("W1.2a", {"direction": "sideways"}, "direction", "", id="unknown-direction"),
    pytest.param("W1.2a", {"code": "W1.2z"}, "code", "", id="code-never-changes"),
    pytest.param("W1.2a", {"review": {"resolved": "yes", "comment": "x"}}, "review.resolved", "", id="strict-bool"),
])
async def test_each_rule_names_its_field_and_changes_nothing(client, world, db, code, body, field,  # type: ignore[no-untyped-def]
                                                            fragment) -> None:
    before = await stored(db, code)
    fields = before.model_dump()
    audits = await count(db, AuditEvent, col(AuditEvent.action) == "target.curate")
    response = await curate(client, world.admin, code, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "VALIDATION"
    reasons = {error["field"]: error["reason"] for error in problem["errors"]}
    assert field in reasons, reasons
    assert fragment in reasons[field]
    assert (await stored(db, code)).model_dump() == fields
    assert await count(db, TargetVersion, col(TargetVersion.target_id) == before.id) == 0
    assert await count(db, AuditEvent, col(AuditEvent.action) == "target.curate") == audits


async def test_every_problem_is_reported_at_once(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await curate(client, world.admin, "W1.2a", {"year": 2030, "tolerance": -1.0, "unit": "岁",
                                                           "scope": {"age_group": "7-9岁"}})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"year", "tolerance", "unit", "scope.age_group"}


async def test_the_office_sets_a_baseline_as_a_new_version(client, world, db) -> None:  # type: ignore[no-untyped-def]
    response = await curate(client, world.admin, "C1.6b", {"baseline": BASELINE, "comment": "补充基期数值"})
    assert response.status_code == 200, response.text
    body = response.json()
    target = await stored(db, "C1.6b")
    assert body["baseline_year"] == 2020 and body["baseline_value"] == 60.0
    assert body["baseline_source"] == "2020年学生体质健康监测"
    assert body["version"] == 2 and body["curated_at"] is not None and body["code"] == "C1.6b"
    assert body["etag"] == response.headers["ETag"] == f'"target-{target.id}-2"'
    assert body["indicator"].startswith("I") and body["indicator_name"] == "中小学生视力不良检出率"
    # Everything else is as the parser read it.
    assert (body["op"], body["value"], body["unit"], body["per_year"], body["direction"]) == (
        ">=", 1.0, "个百分点", True, "down")
    read = await client.get(f"{TARGETS}/C1.6b", headers=world.reader)
    assert read.json() == body and read.headers["ETag"] == body["etag"]

    versions = await client.get(f"{TARGETS}/C1.6b/versions", headers=world.reader)
    assert versions.status_code == 200
    assert versions.json()["total"] == 2
    original, curated = versions.json()["items"]
    assert original["version"] == 1 and original["created_by"] == "parser" and original["comment"] is None
    assert original["fields"]["baseline_year"] == 2020 and original["fields"]["baseline_value"] is None
    assert original["fields"]["unit"] == "个百分点" and original["fields"]["review"] is False
    assert curated["version"] == 2 and curated["created_by"] == "office" and curated["comment"] == "补充基期数值"
    assert curated["fields"]["baseline_value"] == 60.0
    assert curated["fields"]["baseline_source"] == "2020年学生体质健康监测"

    event = (await db.execute(select(AuditEvent).where(col(AuditEvent.action) == "target.curate"))).scalar_one()
    assert event.actor == "office" and event.entity_type == "target" and event.entity_id == f"{PLAN}/C1.6b"
    assert event.before["baseline_value"] is None and event.before["version"] == 1
    assert event.after["baseline_value"] == 60.0 and event.after["version"] == 2


async def test_a_target_never_curated_has_its_parse_as_version_one(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(f"{TARGETS}/W1.2a/versions", headers=world.health)
    assert response.status_code == 200
    [only] = response.json()["items"]
    assert only["version"] == 1 and only["created_by"] == "parser"
    assert only["fields"]["op"] == "<=" and only["fields"]["value"] == 7.0 and only["fields"]["unit"] == "1/10万"
    assert (await client.get(f"{TARGETS}/W9.9z/versions", headers=world.reader)).status_code == 404


async def test_lists_carry_the_indicator_and_the_curation(client, world) -> None:  # type: ignore[no-untyped-def]
    await curate(client, world.admin, "C1.6b", {"scope": {"age_group": "6～18岁"}})
    listed = (await client.get(TARGETS, params={"limit": 200}, headers=world.reader)).json()["items"]
    by_code = {item["code"]: item for item in listed}
    assert by_code["C1.6b"]["scope"] == {"sex": None, "age_group": "6-18岁", "area": None}
    assert by_code["C1.6b"]["version"] == 2 and by_code["W1.2a"]["version"] == 1
    assert all(item["indicator"] and item["indicator_name"] for item in listed)
    goal = (await client.get(f"/api/v1/plans/{PLAN}/goals/C1.6", headers=world.reader)).json()
    assert {t["code"]: t["scope"]["age_group"] for t in goal["targets"]}["C1.6b"] == "6-18岁"


async def test_only_the_fields_given_change(client, world) -> None:  # type: ignore[no-untyped-def]
    first = (await curate(client, world.admin, "C1.4a", {"scope": {"sex": "female"}, "unit": "％"})).json()
    assert first["scope"]["sex"] == "female" and first["unit"] == "%"
    second = (await curate(client, world.admin, "C1.4a", {"scope": {"area": "rural"}, "tolerance": 0.5})).json()
    assert second["scope"] == {"sex": "female", "age_group": None, "area": "rural"} and second["tolerance"] == 0.5
    assert second["value"] == 96.0 and second["version"] == 3
    cleared = (await curate(client, world.admin, "C1.4a", {"scope": None, "tolerance": None})).json()
    assert cleared["scope"] == {"sex": None, "age_group": None, "area": None} and cleared["tolerance"] is None
    # The same correction again changes nothing, so it writes no version.
    again = await curate(client, world.admin, "C1.4a", {"scope": None})
    assert again.status_code == 200 and again.json()["version"] == cleared["version"] == 4


async def test_baseline_null_clears_it(client, world) -> None:  # type: ignore[no-untyped-def]
    await curate(client, world.admin, "C1.6b", {"baseline": BASELINE})
    cleared = (await curate(client, world.admin, "C1.6b", {"baseline": None})).json()
    assert (cleared["baseline_year"], cleared["baseline_value"], cleared["baseline_source"]) == (None, None, None)


async def test_a_stale_if_match_is_refused(client, world, db) -> None:  # type: ignore[no-untyped-def]
    etag = (await client.get(f"{TARGETS}/C1.6b", headers=world.admin)).headers["ETag"]
    first = await curate(client, world.admin, "C1.6b", {"baseline": BASELINE}, **{"If-Match": etag})
    assert first.status_code == 200
    stale = await curate(client, world.admin, "C1.6b", {"tolerance": 0.1}, **{"If-Match": etag})
    assert stale.status_code == 409 and "If-Match" in stale.json()["detail"]
    assert (await stored(db, "C1.6b")).tolerance is None
    weak = await curate(client, world.admin, "C1.6b", {"tolerance": 0.1}, **{"If-Match": "W/" + first.headers["ETag"]})
    assert weak.status_code == 200 and weak.json()["version"] == 3


@pytest.mark.parametrize("token", ["health", "reader"])
async def test_only_the_office_curates(client, world, db, token) -> None:  # type: ignore[no-untyped-def]
    response = await curate(client, getattr(world, token), "C1.6b", {"baseline": BASELINE})
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    assert (await stored(db, "C1.6b")).version == 1


async def test_unknown_plan_or_target_is_404(client, world) -> None:  # type: ignore[no-untyped-def]
    assert (await curate(client, world.admin, "W9.9z", {"tolerance": 1.0})).status_code == 404
    missing_plan = await client.patch("/api/v1/plans/nowhere/targets/W1.2a", json={"tolerance": 1.0},
                                      headers=world.admin)
    assert missing_plan.status_code == 404


async def test_resolving_a_review_republishes_the_status(client, world) -> None:  # type: ignore[no-untyped-def]
    feed = "/api/v1/status/changes"
    cursor = (await client.get(feed, params={"plan": PLAN, "limit": 1000}, headers=world.reader)).json()["next_cursor"]
    resolve = {"review": {"resolved": True, "comment": "按保持处理，已核对"}}
    response = await curate(client, world.admin, "W4.2c", resolve)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["review"] is False and body["review_comment"] == "按保持处理，已核对"
    assert body["review_reason"].startswith("保持适当比例")  # what the parser found stays readable
    flagged = (await client.get(TARGETS, params={"review": True, "limit": 200}, headers=world.reader)).json()
    assert "W4.2c" not in {item["code"] for item in flagged["items"]}

    changes = (await client.get(feed, params={"since": cursor, "plan": PLAN}, headers=world.reader)).json()["items"]
    curated = [c for c in changes if c["subject_code"] == "W4.2c"]
    assert curated and all(c["cause"] == "target W4.2c curated" for c in curated)
    assert all("review" in c["from_flags"] and "review" not in c["to_flags"] for c in curated)


async def test_the_office_can_flag_a_target_for_review(client, world) -> None:  # type: ignore[no-untyped-def]
    body = (await curate(client, world.admin, "W1.2a", {"review": {"resolved": False, "comment": "口径待核实"}})).json()
    assert body["review"] is True and body["review_reason"] == "口径待核实" and body["review_comment"] == "口径待核实"


async def test_reseeding_keeps_a_curation(client, world, db) -> None:  # type: ignore[no-untyped-def]
    await curate(client, world.admin, "C1.6b", {"baseline": BASELINE, "scope": {"age_group": "6-18岁"}})
    await load_plans(db, SEED_PLANS)
    await db.commit()
    target = await stored(db, "C1.6b")
    assert target.version == 2 and target.baseline_value == 60.0 and target.scope_age_group == "6-18岁"
    assert (await client.get(f"{TARGETS}/C1.6b/versions", headers=world.reader)).json()["total"] == 2


async def test_a_corrected_reading_has_no_parser_rule_and_version_one_keeps_it(client, world, db) -> None:  # type: ignore[no-untyped-def]
    rule = (await stored(db, "W1.2a")).parse_rule
    assert rule  # seeded from the plan text
    baseline_only = (await curate(client, world.admin, "W1.2a", {"baseline": {"year": 2020, "value": 9.0}})).json()
    assert baseline_only["parse_rule"] == rule  # the reading is still the rule's
    corrected = (await curate(client, world.admin, "W1.2a", {"value": 6.5, "comment": "以规划原文为准"})).json()
    assert corrected["parse_rule"] is None and (await stored(db, "W1.2a")).parse_rule is None
    versions = (await client.get(f"{TARGETS}/W1.2a/versions", headers=world.reader)).json()["items"]
    assert [v["fields"]["parse_rule"] for v in versions] == [rule, rule, None]
    same_value = await curate(client, world.admin, "W1.2a", {"value": 6.5})  # no change: no version
    assert same_value.status_code == 200 and same_value.json()["version"] == corrected["version"]
