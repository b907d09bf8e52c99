"""The indicator catalogue over REST: lists, one indicator, its time series, who sees which values, edits."""

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from app.models import AuditEvent, Indicator, OutboxEvent
from tests.factories import counting
from tests.indicators.conftest import CHILDREN, HEALTH, INDICATORS, STATS, WOMEN, report

MATERNAL = "I065"  # 孕产妇死亡率: W1.2c (1/万, 2025) and W1.2d (1/10万, 2030)
SCREENING = "I064"  # 产前筛查率: W1.2a and W1.2b


async def series(client: Any, headers: dict[str, str], code: str = MATERNAL, **params: Any) -> Any:
    return await client.get(f"{INDICATORS}/{code}/observations", params=params, headers=headers)


async def target_statuses(client: Any, headers: dict[str, str], year: int = 2024) -> dict[str, Any]:
    response = await client.get(f"/api/v1/plans/{WOMEN}/status", params={"year": year}, headers=headers)
    assert response.status_code == 200, response.text
    return {t["code"]: t for t in response.json()["targets"]}


# --- reads -------------------------------------------------------------------------------------------------

async def test_zengdu_women_share_one_indicator_between_milestones(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    listed = (await client.get(INDICATORS, params={"limit": 500}, headers=zengdu.reader)).json()
    targets = (await client.get(f"/api/v1/plans/{WOMEN}/targets", params={"limit": 500},
                                headers=zengdu.reader)).json()
    assert listed["total"] == len(listed["items"]) < targets["total"]
    by_code = {i["code"]: i for i in listed["items"]}
    maternal = by_code[MATERNAL]
    assert maternal["name"] == "孕产妇死亡率" and maternal["unit"] == "1/10万" and maternal["direction"] == "lower"
    assert [(t["code"], t["unit"], t["due_year"]) for t in maternal["targets"]] == [
        ("W1.2c", "1/万", 2025), ("W1.2d", "1/10万", 2030)]
    # plan order of the first target: W1.1a's indicator, then W1.2a's, then W1.2c's
    assert [i["code"] for i in listed["items"][:3]] == ["I063", SCREENING, MATERNAL]
    assert all(t["plan_code"] == WOMEN for i in listed["items"] for t in i["targets"])


async def test_one_indicator_shows_its_targets_in_every_plan_of_the_committee(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    women = {i["code"] for i in (await client.get(INDICATORS, params={"limit": 500},
                                                  headers=zengdu.reader)).json()["items"]}
    children = {i["code"] for i in (await client.get(f"/api/v1/plans/{CHILDREN}/indicators", params={"limit": 500},
                                                     headers=zengdu.reader)).json()["items"]}
    shared = sorted(women & children)
    assert shared
    one = (await client.get(f"{INDICATORS}/{shared[0]}", headers=zengdu.reader)).json()
    assert {t["plan_code"] for t in one["targets"]} == {WOMEN, CHILDREN}
    # the same answer through the other plan
    assert (await client.get(f"/api/v1/plans/{CHILDREN}/indicators/{shared[0]}", headers=zengdu.reader)).json() == one


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "孕产妇"}, {MATERNAL}),
    ({"q": "没有这个指标"}, set()),
])
async def test_list_filters(client, zengdu, params, expected) -> None:  # type: ignore[no-untyped-def]
    body = (await client.get(INDICATORS, params=params, headers=zengdu.reader)).json()
    assert {i["code"] for i in body["items"]} >= expected and body["total"] == len(body["items"])
    if not expected:
        assert body["total"] == 0


async def test_review_filter_and_paging(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    flagged = (await client.get(INDICATORS, params={"review": "true", "limit": 500}, headers=zengdu.reader)).json()
    unflagged = (await client.get(INDICATORS, params={"review": "false", "limit": 500},
                                  headers=zengdu.reader)).json()
    everything = (await client.get(INDICATORS, params={"limit": 500}, headers=zengdu.reader)).json()
    assert all(i["review"] for i in flagged["items"]) and not any(i["review"] for i in unflagged["items"])
    assert flagged["total"] + unflagged["total"] == everything["total"]
    page = (await client.get(INDICATORS, params={"limit": 2, "offset": 1}, headers=zengdu.reader)).json()
    assert [i["code"] for i in page["items"]] == [i["code"] for i in everything["items"][1:3]]
    assert page["total"] == everything["total"]


async def test_the_list_runs_a_fixed_number_of_queries(client, zengdu, connection) -> None:  # type: ignore[no-untyped-def]
    counts = {}
    for plan in (WOMEN, "xicheng-2021-2025", "chaoyang-2021-2025"):
        with counting(connection) as statements:
            response = await client.get(f"/api/v1/plans/{plan}/indicators", params={"limit": 500},
                                        headers=zengdu.reader)
        assert response.status_code == 200
        counts[plan] = (response.json()["total"], len(statements))
    assert len({sql for _, sql in counts.values()}) == 1, counts  # token, plan, targets, indicators
    assert len({total for total, _ in counts.values()}) > 1, counts


@pytest.mark.parametrize("path", [f"{INDICATORS}/I999", f"{INDICATORS}/I999/observations",
                                  "/api/v1/plans/nope/indicators", f"{INDICATORS}/i064"])
async def test_unknown_is_404(client, zengdu, path) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(path, headers=zengdu.reader)
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


# --- the time series ---------------------------------------------------------------------------------------

async def test_one_report_of_the_indicator_serves_both_milestones(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.health, [{"indicator": MATERNAL, "value": 8.5, "source": "妇幼年报"}])
    body = (await series(client, zengdu.reader)).json()
    assert body["indicator"]["code"] == MATERNAL
    [item] = body["items"]
    assert item | {"warnings": []} == item | {
        "year": 2024, "unit": HEALTH, "unit_name": "区卫生健康局", "kind": "annual", "sex": "total",
        "age_group": "all", "area": "all", "value": 8.5, "measure_unit": "1/10万", "reported_value": 8.5,
        "reported_unit": "1/10万", "source": "妇幼年报", "provisional": False, "revision": 1}
    statuses = await target_statuses(client, zengdu.reader)
    assert statuses["W1.2c"]["latest"] == {"year": 2024, "value": 0.85, "provisional": False}  # in 1/万
    assert statuses["W1.2d"]["latest"] == {"year": 2024, "value": 8.5, "provisional": False}


async def test_breakdowns_years_and_units_filter_the_series(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.health, [
        {"indicator": MATERNAL, "value": 8.5}, {"indicator": MATERNAL, "value": 9.9, "area": "rural"},
        {"indicator": MATERNAL, "value": 7.0, "area": "urban"}])
    await report(client, zengdu, zengdu.stats, [{"indicator": MATERNAL, "value": 8.6}])
    rows = {key: [(i["unit"], i["area"], i["value"]) for i in (await series(client, zengdu.admin, **params)).json()[
        "items"]] for key, params in {
        "totals": {}, "area": {"breakdown": "area"}, "sex": {"breakdown": "sex"}, "all": {"breakdown": "all"},
        "stats": {"unit": STATS}, "later": {"from": 2025}, "earlier": {"to": 2024}}.items()}
    assert rows["totals"] == [(STATS, "all", 8.6), (HEALTH, "all", 8.5)]  # by year, then unit code
    assert rows["area"] == [(HEALTH, "rural", 9.9), (HEALTH, "urban", 7.0)]
    assert rows["sex"] == [] and len(rows["all"]) == 4
    assert rows["stats"] == [(STATS, "all", 8.6)] and rows["later"] == [] and rows["earlier"] == rows["totals"]


@pytest.mark.parametrize(("params", "field"), [
    ({"breakdown": "region"}, "breakdown"), ({"include": "drafts"}, "include"), ({"from": 1800}, "from"),
    ({"from": 2025, "to": 2024}, "from"), ({"unit": "nobody"}, "unit")])
async def test_bad_series_parameters(client, zengdu, params, field) -> None:  # type: ignore[no-untyped-def]
    response = await series(client, zengdu.admin, **params)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


# Who sees which observation: role × own/other unit × accepted/provisional.
@pytest.mark.parametrize(("role", "params", "expected"), [
    ("admin", {}, {(HEALTH, False), (STATS, False)}),
    ("admin", {"include": "provisional"}, {(HEALTH, False), (STATS, False), (HEALTH, True), (STATS, True)}),
    ("admin", {"unit": STATS, "include": "provisional"}, {(STATS, False), (STATS, True)}),
    ("reader", {}, {(HEALTH, False), (STATS, False)}),
    ("reader", {"unit": HEALTH}, {(HEALTH, False)}),
    ("reader", {"include": "provisional"}, 403),
    ("health", {}, {(HEALTH, False)}),
    ("health", {"unit": HEALTH}, {(HEALTH, False)}),
    ("health", {"include": "provisional"}, {(HEALTH, False), (HEALTH, True)}),
    ("health", {"unit": STATS}, 403),
    ("health", {"unit": STATS, "include": "provisional"}, 403),
    ("stats", {"include": "provisional"}, {(STATS, False), (STATS, True)}),
])
async def test_visibility(client, zengdu, role, params, expected) -> None:  # type: ignore[no-untyped-def]
    await _arrange_visibility(client, zengdu)  # each unit: 2023 accepted, 2024 awaiting review
    response = await series(client, getattr(zengdu, role), **params)
    if expected == 403:
        assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
        return
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {(i["unit"], i["provisional"]) for i in items} == expected
    assert all(i["year"] == (2024 if i["provisional"] else 2023) for i in items)


async def _arrange_visibility(client: Any, zengdu: Any) -> None:
    response = await client.post(f"/api/v1/plans/{WOMEN}/cycles", headers=zengdu.admin,
                                 json={"year": 2023, "kind": "annual"})
    assert response.status_code == 201, response.text
    for unit in (zengdu.health, zengdu.stats):
        await report(client, zengdu, unit, [{"indicator": MATERNAL, "value": 9.0}], year=2023)
        await report(client, zengdu, unit, [{"indicator": MATERNAL, "value": 8.0}], year=2024, accept=False)


# --- edits -------------------------------------------------------------------------------------------------

async def test_update_sets_fields_and_is_audited(client, zengdu, db) -> None:  # type: ignore[no-untyped-def]
    response = await client.patch(f"{INDICATORS}/{MATERNAL}", headers=zengdu.admin, json={
        "definition": "每10万例活产中孕产妇死亡人数", "data_source_unit": HEALTH, "breakdowns": ["area", "sex", "area"],
        "age_groups": ["0～28天", "1岁以下"], "precision": 1, "national_code": "W1-2",
        "review": {"resolved": True, "comment": "已核对"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["definition"], body["data_source_unit"], body["breakdowns"], body["age_groups"], body["precision"],
            body["national_code"], body["review"], body["review_reason"]) == (
        "每10万例活产中孕产妇死亡人数", HEALTH, ["sex", "area"], ["0-28天", "1岁以下"], 1, "W1-2", False, "已核对")
    assert body["name"] == "孕产妇死亡率" and body["direction"] == "lower"  # left out: kept
    cleared = await client.patch(f"{INDICATORS}/{MATERNAL}", headers=zengdu.admin,
                                 json={"data_source_unit": None, "direction": None})
    assert (cleared.json()["data_source_unit"], cleared.json()["direction"]) == (None, None)
    actions = (await db.execute(select(AuditEvent.action).where(
        col(AuditEvent.action) == "indicator.update"))).scalars().all()
    assert len(actions) == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"unit": "%"}, "unit"),  # the unit of measure is not editable
    ({"colour": "red"}, "colour"),
    ({"precision": 7}, "precision"),
    ({"precision": "1"}, "precision"),
    ({"precision": 1.5}, "precision"),
    ({"direction": "up"}, "direction"),
    ({"breakdowns": ["region"]}, "breakdowns[0]"),
    ({"age_groups": ["0-5岁", "七十岁以上"]}, "age_groups[1]"),
    ({"data_source_unit": "110105-wjw"}, "data_source_unit"),  # another committee's unit
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"review": {"resolved": "yes"}}, "review.resolved"),
    ({"review": {"comment": "x"}}, "review.resolved"),
])
async def test_bad_updates_change_nothing(client, zengdu, body, field) -> None:  # type: ignore[no-untyped-def]
    before = (await client.get(f"{INDICATORS}/{MATERNAL}", headers=zengdu.reader)).json()
    response = await client.patch(f"{INDICATORS}/{MATERNAL}", headers=zengdu.admin, json={"precision": 2, **body})
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await client.get(f"{INDICATORS}/{MATERNAL}", headers=zengdu.reader)).json() == before


@pytest.mark.parametrize("role", ["reader", "health"])
async def test_edits_are_for_the_office(client, zengdu, role) -> None:  # type: ignore[no-untyped-def]
    headers = getattr(zengdu, role)
    for method, path, body in (("PATCH", "", {"precision": 1}), ("POST", "/merge", {"into": SCREENING}),
                               ("POST", "/split", {"targets": ["W1.2d"], "name": "x"})):
        response = await client.request(method, f"{INDICATORS}/{MATERNAL}{path}", headers=headers, json=body)
        assert response.status_code == 403, (path, response.text)


async def test_the_data_source_unit_decides_which_value_counts(client, zengdu, db) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.health, [{"indicator": MATERNAL, "value": 8.5}])
    await report(client, zengdu, zengdu.stats, [{"indicator": MATERNAL, "value": 12.0}])
    before = await target_statuses(client, zengdu.reader)
    assert before["W1.2d"]["latest"]["value"] == 8.5  # the lead unit's
    assert "conflict" in before["W1.2d"]["flags"] and before["W1.2d"]["data_unit"] == HEALTH
    changes = (await db.execute(select(func.count()).select_from(OutboxEvent))).scalar_one()
    response = await client.patch(f"{INDICATORS}/{MATERNAL}", headers=zengdu.admin, json={"data_source_unit": STATS})
    assert response.status_code == 200, response.text
    after = await target_statuses(client, zengdu.reader)
    assert after["W1.2d"]["latest"]["value"] == 12.0 and after["W1.2d"]["data_unit"] == STATS
    assert "conflict" in after["W1.2d"]["flags"]
    # republished: the feed says so at once
    assert (await db.execute(select(func.count()).select_from(OutboxEvent))).scalar_one() > changes


async def test_merge_moves_targets_and_converted_observations(client, zengdu, db) -> None:  # type: ignore[no-untyped-def]
    # W1.2d on an indicator of its own, reported in 1/10万; then merged back into one stored in 1/万 is refused
    # nothing: both are rates. Split, report on the split-off one, merge it back.
    split = await client.post(f"{INDICATORS}/{MATERNAL}/split", headers=zengdu.admin,
                              json={"targets": ["W1.2d"], "name": "孕产妇死亡率（2030年）"})
    assert split.status_code == 200, split.text
    new = split.json()
    assert new["code"] == "I" + f"{int(new['code'][1:]):03d}" and new["unit"] == "1/10万"
    assert [t["code"] for t in new["targets"]] == ["W1.2d"] and new["direction"] == "lower"
    await report(client, zengdu, zengdu.health, [{"indicator": new["code"], "value": 8.0}])
    assert [i["value"] for i in (await series(client, zengdu.reader, new["code"])).json()["items"]] == [8.0]
    assert (await series(client, zengdu.reader)).json()["items"] == []

    merged = await client.post(f"{INDICATORS}/{new['code']}/merge", headers=zengdu.admin, json={"into": MATERNAL})
    assert merged.status_code == 200, merged.text
    assert [t["code"] for t in merged.json()["targets"]] == ["W1.2c", "W1.2d"]
    [moved] = (await series(client, zengdu.reader)).json()["items"]
    assert (moved["value"], moved["measure_unit"], moved["reported_value"]) == (8.0, "1/10万", 8.0)
    gone = (await client.get(f"{INDICATORS}/{new['code']}", headers=zengdu.reader)).json()
    assert gone["merged_into"] == MATERNAL and gone["targets"] == []
    listed = {i["code"] for i in (await client.get(INDICATORS, params={"limit": 500},
                                                   headers=zengdu.reader)).json()["items"]}
    assert new["code"] not in listed and MATERNAL in listed
    # the merged indicator can no longer be reported on
    refused = await client.post(f"/api/v1/plans/{WOMEN}/submissions", headers=zengdu.stats, json={
        "year": 2024, "kind": "annual", "values": [{"indicator": new["code"], "value": 8.0}]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "values[0].indicator"
    statuses = await target_statuses(client, zengdu.reader)
    assert statuses["W1.2d"]["indicator"] == MATERNAL and statuses["W1.2c"]["latest"]["value"] == 0.8
    actions = (await db.execute(select(AuditEvent.action).where(
        col(AuditEvent.action).in_(["indicator.merge", "indicator.split"])))).scalars().all()
    assert sorted(actions) == ["indicator.merge", "indicator.split"]


async def test_merge_converts_into_the_target_unit(client, zengdu, db) -> None:  # type: ignore[no-untyped-def]
    split = (await client.post(f"{INDICATORS}/{MATERNAL}/split", headers=zengdu.admin,
                               json={"targets": ["W1.2d"], "name": "孕产妇死亡率（万分率）"})).json()
    indicator = (await db.execute(select(Indicator).where(
        col(Indicator.code) == split["code"], col(Indicator.name) == "孕产妇死亡率（万分率）"))).scalar_one()
    indicator.unit = "1/万"  # as if the catalogue had it in 1/万
    await db.commit()
    await report(client, zengdu, zengdu.health, [{"indicator": split["code"], "value": 0.9, "unit": "1/万"}])
    merged = await client.post(f"{INDICATORS}/{split['code']}/merge", headers=zengdu.admin, json={"into": MATERNAL})
    assert merged.status_code == 200, merged.text
    [moved] = (await series(client, zengdu.reader)).json()["items"]
    assert (moved["value"], moved["measure_unit"]) == (9.0, "1/10万")


async def test_split_moves_observations_reported_under_its_targets(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    await report(client, zengdu, zengdu.health, [{"target": "W1.2d", "value": 8.0}])
    new = (await client.post(f"{INDICATORS}/{MATERNAL}/split", headers=zengdu.admin,
                             json={"targets": ["W1.2d"], "name": "孕产妇死亡率（2030年）"})).json()
    assert [i["value"] for i in (await series(client, zengdu.reader, new["code"])).json()["items"]] == [8.0]
    assert (await series(client, zengdu.reader)).json()["items"] == []


@pytest.mark.parametrize(("path", "body", "status", "field"), [
    ("merge", {"into": MATERNAL}, 422, "into"),  # itself
    ("merge", {"into": "I999"}, 422, "into"),
    ("merge", {}, 422, "into"),
    ("merge", {"into": SCREENING, "force": True}, 422, "force"),
    ("split", {"targets": ["W1.2c", "W1.2d"], "name": "x"}, 422, "targets"),  # every target
    ("split", {"targets": ["W1.2a"], "name": "x"}, 422, "targets[0]"),  # not on this indicator
    ("split", {"targets": [], "name": "x"}, 422, "targets"),
    ("split", {"targets": ["W1.2d"]}, 422, "name"),
])
async def test_bad_merges_and_splits_change_nothing(client, zengdu, path, body, status, field) -> None:  # type: ignore[no-untyped-def]
    before = (await client.get(INDICATORS, params={"limit": 500}, headers=zengdu.reader)).json()
    response = await client.post(f"{INDICATORS}/{MATERNAL}/{path}", headers=zengdu.admin, json=body)
    assert response.status_code == status, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await client.get(INDICATORS, params={"limit": 500}, headers=zengdu.reader)).json() == before


async def test_merge_refuses_inconvertible_units_and_double_reports(client, zengdu) -> None:  # type: ignore[no-untyped-def]
    listed = (await client.get(INDICATORS, params={"limit": 500}, headers=zengdu.reader)).json()["items"]
    counted = next(i["code"] for i in listed if i["unit"] not in (None, "%", "‰", "1/万", "1/10万"))
    inconvertible = await client.post(f"{INDICATORS}/{MATERNAL}/merge", headers=zengdu.admin, json={"into": counted})
    assert inconvertible.status_code == 422 and inconvertible.json()["errors"][0]["field"] == "into"
    await report(client, zengdu, zengdu.health, [{"indicator": MATERNAL, "value": 8.0},
                                                 {"indicator": SCREENING, "value": 81.0}])
    clash = await client.post(f"{INDICATORS}/{SCREENING}/merge", headers=zengdu.admin, json={"into": MATERNAL})
    assert clash.status_code == 409 and clash.json()["code"] == "CONFLICT"
    assert [t["code"] for t in (await client.get(f"{INDICATORS}/{SCREENING}",
                                                 headers=zengdu.reader)).json()["targets"]] == ["W1.2a", "W1.2b"]
