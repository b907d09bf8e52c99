"""How a submission's values become observations: by indicator or by target code, converted, checked, warned.

Errors refuse the whole submission with the field and a Chinese reason; warnings are kept with the observation.
"""

import pytest
from sqlalchemy import func, select

from app.models import Indicator, Observation, Plan, Target, Unit
from app.submissions.observations import plan_indicators
from tests.submissions.conftest import HEALTH, PLAN, draft

BASE = f"/api/v1/plans/{PLAN}/submissions"


async def indicator_of(db, target_code: str) -> str:  # type: ignore[no-untyped-def]
    return (await db.execute(select(Indicator.code).join(Target, Target.indicator_id == Indicator.id)
                             .join(Plan, Plan.id == Target.plan_id)
                             .where(Plan.code == PLAN, Target.code == target_code))).scalar_one()


async def test_a_value_names_its_indicator_or_a_target_on_it(client, world, db) -> None:  # type: ignore[no-untyped-def]
    maternal = await indicator_of(db, "W1.2a")
    response = await client.post(BASE, headers=world.health, json=draft(values=[
        {"indicator": maternal, "value": 7.1, "unit": "1/10万"},
        {"target": "C1.2a", "value": 1.6},
        {"target": "C1.4a", "indicator": await indicator_of(db, "C1.4a"), "value": 97.0}]))
    assert response.status_code == 201, response.text
    values = response.json()["current"]["values"]
    assert [(v["indicator"], v["target"]) for v in values] == [
        (maternal, None), (await indicator_of(db, "C1.2a"), "C1.2a"), (await indicator_of(db, "C1.4a"), "C1.4a")]
    assert values[0]["indicator_name"] == "孕产妇死亡率" and values[0]["metric"] == "孕产妇死亡率"


async def test_age_groups_are_one_spelling(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(BASE, headers=world.health, json=draft(values=[
        {"target": "C1.2a", "value": 1.6, "age_group": "0-28 天"}]))
    assert response.status_code == 201, response.text
    assert response.json()["current"]["values"][0]["age_group"] == "0-28天"
    again = await client.put(f"/api/v1/submissions/{response.json()['id']}", headers={
        **world.health, "If-Match": response.headers["etag"]}, json={"values": [
            {"target": "C1.2a", "value": 1.6, "age_group": "0-28天"},
            {"target": "C1.2a", "value": 1.7, "age_group": "０～２８天"}]})
    assert again.status_code == 422
    assert again.json()["errors"] == [{"field": "values[1]", "code": "duplicate_value",
                                       "reason": "与 values[0] 重复报送同一指标和分组，但数值不同"}]


BAD_VALUES = [
    ("unknown indicator", {"indicator": "I999", "value": 1.0}, "values[0].indicator", "unknown_indicator",
     "本规划的指标中没有 I999"),
    ("neither indicator nor target", {"value": 1.0}, "values[0].indicator", "missing", "请填写指标代码"),
    ("indicator and target disagree", {"target": "C1.2a", "indicator": "I001", "value": 1.0},
     "values[0].indicator", "indicator_mismatch", "对应的指标是"),
    ("indicator not assigned", None, "values[0].indicator", "not_assigned", "未分配给单位 110105-wjw"),
    ("a unit that is not a rate scale", {"target": "W1.2a", "value": 7.0, "unit": "岁"}, "values[0].unit",
     "inconvertible_unit", "无法换算为指标单位 1/10万"),
]


@pytest.mark.parametrize(("case", "item", "field", "code", "reason"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
async def test_bad_values_refuse_the_submission(client, world, db, case, item, field, code, reason) -> None:  # type: ignore[no-untyped-def]
    if item is None:  # an indicator only the education unit's goals measure
        item = {"indicator": await indicator_of(db, "C1.8a"), "value": 1.0}
    before = (await db.execute(select(func.count()).select_from(Observation))).scalar_one()
    response = await client.post(BASE, headers=world.health, json=draft(values=[item]))
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code) and reason in error["reason"], error
    assert (await db.execute(select(func.count()).select_from(Observation))).scalar_one() == before


async def test_milestones_share_one_observation_and_units_convert(client, world, db) -> None:  # type: ignore[no-untyped-def]
    """The same number sent under two targets of one indicator is one observation; ‰ is stored as the
    indicator's unit."""
    newborn = await indicator_of(db, "C1.2a")
    unit = (await db.execute(select(Indicator.unit).where(Indicator.code == newborn,
                                                          Indicator.committee_id == select(Plan.committee_id)
                                                          .where(Plan.code == PLAN).scalar_subquery()))).scalar_one()
    response = await client.post(BASE, headers=world.health, json=draft(values=[
        {"target": "C1.2a", "value": 1.6, "unit": "‰"}, {"indicator": newborn, "value": 1.6, "unit": "‰"}]))
    assert response.status_code == 201, response.text
    [value] = response.json()["current"]["values"]
    assert (value["reported_value"], value["reported_unit"], value["unit"]) == (1.6, "‰", unit)


async def test_warnings_are_kept_with_the_justification(client, world) -> None:  # type: ignore[no-untyped-def]
    """A total outside its parts is a warning, not a refusal; the unit's justification is stored beside it."""
    response = await client.post(BASE, headers=world.health, json=draft(values=[
        {"target": "C1.2a", "value": 10.0, "justification": "全区口径含流动人口"},
        {"target": "C1.2a", "value": 2.0, "sex": "female"},
        {"target": "C1.2a", "value": 3.0, "sex": "male"}], submit=True))
    assert response.status_code == 201, response.text
    total, female, male = response.json()["current"]["values"]
    assert [w["code"] for w in total["warnings"]] == ["total_outside_parts"]
    assert total["justification"] == "全区口径含流动人口" and female["warnings"] == male["warnings"] == []
    assert "10" in total["warnings"][0]["message"]


async def test_an_empty_submission_is_a_draft_only(client, world) -> None:  # type: ignore[no-untyped-def]
    refused = await client.post(BASE, headers=world.education, json={"year": 2024, "submit": True})
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("values", "empty_submission")]
    kept = await client.post(BASE, headers=world.education, json={"year": 2024})
    assert kept.status_code == 201 and kept.json()["status"] == "draft"


async def test_an_unexpected_breakdown_warns_once_the_indicator_says_what_it_expects(client, world, db) -> None:  # type: ignore[no-untyped-def]
    values = [{"target": "C1.2a", "value": 1.6}, {"target": "C1.2a", "value": 1.5, "sex": "female"},
              {"target": "C1.2a", "value": 1.4, "area": "rural"}]
    quiet = await client.post(BASE, headers=world.health, json=draft(values=values))
    assert [v["warnings"] for v in quiet.json()["current"]["values"]] == [[], [], []]

    indicator = (await db.execute(select(Indicator).where(Indicator.code == await indicator_of(db, "C1.2a"),
                                                          Indicator.id == select(Target.indicator_id).where(
                                                              Target.code == "C1.2a").join(Plan).where(
                                                              Plan.code == PLAN).scalar_subquery()))).scalar_one()
    indicator.breakdowns = ["area"]
    await db.commit()
    revised = await client.put(f"/api/v1/submissions/{quiet.json()['id']}", headers={
        **world.health, "If-Match": quiet.headers["etag"]}, json={"values": values})
    assert revised.status_code == 200, revised.text
    assert [[w["code"] for w in v["warnings"]] for v in revised.json()["current"]["values"]] == [
        [], ["unexpected_breakdown"], []]


async def test_a_write_reads_the_indicators_it_names_as_a_read_of_every_indicator(world, db) -> None:  # type: ignore[no-untyped-def]
    """Checking a write reads only the indicators its values name (by target or code), with every target of the
    plan on them: what it may report and how is what reading the whole plan says."""
    plan = (await db.execute(select(Plan).where(Plan.code == PLAN))).scalar_one()
    unit = (await db.execute(select(Unit).where(Unit.code == HEALTH))).scalar_one()
    everything = await plan_indicators(db, plan, unit)
    by_indicator: dict[int, set[str]] = {}
    for target in everything.targets.values():
        by_indicator.setdefault(target.indicator_id, set()).add(target.code)
    for code, target in everything.targets.items():
        indicator = everything.indicators[target.indicator_id]
        for mentioned in (({code}, set()), (set(), {indicator.code})):
            named = await plan_indicators(db, plan, unit, mentioned=mentioned)
            assert named.indicators == {indicator.id: indicator}, code
            assert set(named.targets) == by_indicator[indicator.id], code
            assert named.reportable == everything.reportable & {indicator.id}, code
    assert (await plan_indicators(db, plan, unit, mentioned=({"no-such"}, {"no-such"}))).indicators == {}
