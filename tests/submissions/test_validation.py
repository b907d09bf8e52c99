"""Every bad submission is answered with a 4xx naming the field and the reason, and stores nothing."""

import json

import pytest
from sqlalchemy import func, select

from app.models import Observation, Submission, SubmissionRevision, SubmissionTask
from tests.submissions.conftest import PLAN, draft

BASE = f"/api/v1/plans/{PLAN}/submissions"


async def row_counts(db) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return tuple([(await db.execute(select(func.count()).select_from(model))).scalar_one()
                  for model in (Submission, SubmissionRevision, Observation, SubmissionTask)])


def value(**fields: object) -> dict[str, object]:
    return {"target": "C1.4a", "value": 97.0, **fields}


BAD_INPUTS = [
    ("unknown target", {"values": [value(target="Z9.9z")]}, "values[0].target", "中没有目标"),
    ("target not assigned to the unit", {"values": [value(target="C1.8a")]}, "values[0].target", "未分配给"),
    ("percentage over 100", {"values": [value(value=100.5)]}, "values[0].value", "应在 0 至 100 之间"),
    ("negative rate", {"values": [value(target="C1.2a", value=-0.1)]}, "values[0].value", "不能为负数"),
    ("unconvertible unit", {"values": [value(unit="岁")]}, "values[0].unit", "无法换算"),
    ("converted value out of range", {"values": [value(unit="‰", value=1200)]}, "values[0].value",
     "1200‰ 即 120%；单位为 % 时应在 0 至 100 之间"),
    ("duplicate target and disaggregation", {"values": [value(), value(value=96)]}, "values[1]", "重复"),
    ("not a number", {"values": [value(value="很多")]}, "values.0.value", "应为数字"),
    ("a number in a string", {"values": [value(value="1.5")]}, "values.0.value", "应为数字"),
    ("a boolean for a number", {"values": [value(value=True)]}, "values.0.value", "应为数字"),
    ("a year in a string", {"year": "2024"}, "year", "应为整数"),
    ("a string for submit", {"submit": "yes"}, "submit", "应为布尔值"),
    ("a number for submit", {"submit": 1}, "submit", "应为布尔值"),
    ("bad disaggregation", {"values": [value(sex="other")]}, "values.0.sex", "应为以下之一"),
    ("unknown task", {"tasks": [{"task": "W9.M9", "progress": "delayed"}]}, "tasks[0].task", "没有目标或策略措施"),
    ("task not assigned", {"tasks": [{"task": "C1.8", "progress": "delayed"}]}, "tasks[0].task", "未分配给"),
    ("bad progress", {"tasks": [{"task": "W1.M1", "progress": "almost"}]}, "tasks.0.progress", "应为以下之一"),
    ("year outside the plan", {"year": 2030}, "year", "应在规划期"),
    ("mid-term in the wrong year", {"year": 2024, "kind": "midterm"}, "kind", "2023"),
    ("unknown field", {"colour": "red"}, "colour", "不允许的字段"),
    ("NUL in the narrative", {"narrative": {"achievements": "成效\u0000"}}, "narrative.achievements", "NUL"),
    ("NUL in a value's source", {"values": [value(source="\u0000")]}, "values[0].source", "NUL"),
    ("NUL in a field name", {"narrative": {"a\u0000": "x"}}, "narrative.a\u0000", "NUL"),
]


@pytest.mark.parametrize(("case", "change", "field", "reason"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
async def test_bad_input_is_refused_and_nothing_stored(client, world, db, case, change, field, reason) -> None:  # type: ignore[no-untyped-def]
    before = await row_counts(db)
    response = await client.post(BASE, json=draft(**change), headers=world.health)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["field"].replace("[", ".").replace("]", "") == field.replace("[", ".").replace("]", "")
               and reason in e["reason"] for e in errors), errors
    assert await row_counts(db) == before


@pytest.mark.parametrize("escaped", ["\\ud800", "\\udfff", "x\\udc00y"])
async def test_lone_surrogates_are_refused_and_nothing_stored(client, world, db, escaped) -> None:  # type: ignore[no-untyped-def]
    before = await row_counts(db)
    body = json.dumps(draft(), ensure_ascii=False).replace('"按计划推进"', f'"{escaped}"').encode()
    response = await client.post(BASE, content=body, headers={**world.health, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "tasks[0].description"
    assert await row_counts(db) == before


async def test_a_surrogate_pair_is_text_and_is_kept(client, world) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(draft(), ensure_ascii=False).replace('"按计划推进"', '"\\ud83d\\ude00"').encode()
    response = await client.post(BASE, content=body, headers={**world.health, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["current"]["tasks"][0]["description"] == "\U0001F600"


async def test_every_problem_is_reported_at_once(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(BASE, json=draft(values=[value(target="Z1"), value(value=-1)],
                                                   tasks=[{"task": "C1.8", "progress": "delayed"}]),
                                 headers=world.health)
    assert {e["field"] for e in response.json()["errors"]} == {"values[0].target", "values[1].value", "tasks[0].task"}


async def test_bad_revision_keeps_the_previous_one(client, world, db) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post(BASE, json=draft(), headers=world.health)).json()
    before = await row_counts(db)
    response = await client.put(f"/api/v1/submissions/{created['id']}", json={"values": [value(value=101)]},
                                headers={**world.health, "If-Match": created["etag"]})
    assert response.status_code == 422
    assert await row_counts(db) == before
    assert (await client.get(f"/api/v1/submissions/{created['id']}", headers=world.health)).json()["revision"] == 1


async def test_exact_unit_conversion_keeps_what_was_reported(client, world) -> None:  # type: ignore[no-untyped-def]
    body = draft(values=[value(value=975, unit="‰"), {"target": "C1.2a", "value": 0.16, "unit": "%"},
                         {"target": "W1.2a", "value": 0.068, "unit": "‰"}])
    created = await client.post(BASE, json=body, headers=world.health)
    assert created.status_code == 201, created.text
    values = {v["target"]: v for v in created.json()["current"]["values"]}
    assert (values["C1.4a"]["value"], values["C1.4a"]["unit"]) == (97.5, "%")
    assert (values["C1.4a"]["reported_value"], values["C1.4a"]["reported_unit"]) == (975, "‰")
    assert (values["C1.2a"]["value"], values["C1.2a"]["unit"]) == (1.6, "‰")
    assert (values["W1.2a"]["value"], values["W1.2a"]["unit"]) == (6.8, "1/10万")


async def test_disaggregated_values_are_distinct(client, world) -> None:  # type: ignore[no-untyped-def]
    body = draft(values=[value(), value(sex="female", value=97.5), value(sex="male", value=96.5),
                         value(area="rural", value=95.0), value(age_group="0-3岁", value=98.0)])
    created = await client.post(BASE, json=body, headers=world.health)
    assert created.status_code == 201, created.text
    assert len(created.json()["current"]["values"]) == 5


async def test_oversized_payload_is_413_and_stores_nothing(client, world, db) -> None:  # type: ignore[no-untyped-def]
    before = await row_counts(db)
    body = draft(narrative={"achievements": "成效" * 120_000})
    response = await client.post(BASE, json=body, headers=world.health)
    assert response.status_code == 413
    assert await row_counts(db) == before


async def test_too_many_values_is_422(client, world) -> None:  # type: ignore[no-untyped-def]
    body = draft(values=[value(age_group=str(i)) for i in range(2001)])
    response = await client.post(BASE, json=body, headers=world.health)
    assert response.status_code in (413, 422)
