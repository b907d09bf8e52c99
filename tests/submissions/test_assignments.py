"""Task decomposition: bulk replace, single edits, one lead per goal, units read their own."""

from sqlalchemy import func, select

from app.models import Assignment
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN

BASE = f"/api/v1/plans/{PLAN}/assignments"


async def test_units_see_their_own_assignments(client, world) -> None:  # type: ignore[no-untyped-def]
    mine = (await client.get(f"/api/v1/units/{HEALTH}/assignments", headers=world.health)).json()
    assert {(a["task"], a["role"]) for a in mine["items"]} == {
        ("W1.2", "lead"), ("C1.2", "lead"), ("C1.4", "lead"), ("C1.7", "support"), ("W1.M1", "lead")}
    assert (await client.get(f"/api/v1/units/{HEALTH}/assignments", headers=world.education)).status_code == 403
    plan_view = (await client.get(BASE, headers=world.education)).json()
    assert {a["unit"] for a in plan_view["items"]} == {EDUCATION}
    everyone = (await client.get(BASE, headers=world.reader)).json()
    assert everyone["total"] == 7
    by_task = (await client.get(f"{BASE}?task=C1.7", headers=world.admin)).json()
    assert {(a["unit"], a["role"]) for a in by_task["items"]} == {(HEALTH, "support"), (EDUCATION, "lead")}


async def test_single_edits_keep_one_lead(client, world) -> None:  # type: ignore[no-untyped-def]
    second_lead = await client.post(BASE, json={"task": "W1.2", "unit": EDUCATION, "role": "lead"},
                                    headers=world.admin)
    assert second_lead.status_code == 409
    support = await client.post(BASE, json={"task": "W1.2", "unit": EDUCATION, "role": "support"},
                                headers=world.admin)
    assert support.status_code == 201
    promote = await client.patch(f"{BASE}/{support.json()['id']}", json={"role": "lead"}, headers=world.admin)
    assert promote.status_code == 409
    removed = await client.delete(f"{BASE}/{support.json()['id']}", headers=world.admin)
    assert removed.status_code == 204
    assert (await client.delete(f"{BASE}/{support.json()['id']}", headers=world.admin)).status_code == 404
    unknown = await client.post(BASE, json={"task": "W9.9", "unit": EDUCATION, "role": "lead"}, headers=world.admin)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "task"
    assert (await client.post(BASE, json={"task": "W1.3", "unit": HEALTH, "role": "lead"},
                              headers=world.health)).status_code == 403


async def test_bulk_replace_validates_everything_first(client, world, db) -> None:  # type: ignore[no-untyped-def]
    before = (await db.execute(select(func.count()).select_from(Assignment))).scalar_one()
    bad = await client.put(BASE, headers=world.admin, json={"assignments": [
        {"task": "W1.1", "unit": HEALTH, "role": "lead"},
        {"task": "W1.1", "unit": EDUCATION, "role": "lead"},
        {"task": "X1.1", "unit": HEALTH, "role": "lead"},
        {"task": "W1.3", "unit": "nobody", "role": "support"},
        {"task": "W1.1", "unit": HEALTH, "role": "support"},
    ]})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == [
        "assignments[1].role", "assignments[2].task", "assignments[3].unit", "assignments[4].unit"]
    assert (await db.execute(select(func.count()).select_from(Assignment))).scalar_one() == before

    good = await client.put(BASE, headers=world.admin, json={"assignments": [
        {"task": "W1.1", "unit": HEALTH, "role": "lead"}, {"task": "W1.1", "unit": EDUCATION, "role": "support"}]})
    assert good.status_code == 200 and good.json()["total"] == 2
    assert (await client.get(BASE, headers=world.admin)).json()["total"] == 2
