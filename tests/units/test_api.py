"""Member unit directory and the committee office's changes to it."""

from sqlalchemy import select

from app.models import AuditEvent, Unit
from app.models.enums import Role
from tests.factories import bearer, make_token, make_unit


async def admin(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return bearer(await make_token(db, Role.admin, name="office"))


async def test_create_read_update_deactivate(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = await admin(db)
    created = await client.post("/api/v1/units", headers=headers,
                                json={"code": "110105-jw", "committee_code": "110105", "name": " 区教委 "})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "区教委" and created.json()["active"] is True

    listed = (await client.get("/api/v1/units?committee=110105&q=教委", headers=headers)).json()
    assert [unit["code"] for unit in listed["items"]] == ["110105-jw"] and listed["total"] == 1

    renamed = await client.patch("/api/v1/units/110105-jw", headers=headers, json={"name": "区教育委员会"})
    assert renamed.json()["name"] == "区教育委员会"

    deactivated = await client.post("/api/v1/units/110105-jw/deactivate", headers=headers)
    assert deactivated.json()["active"] is False
    inactive = (await client.get("/api/v1/units?active=false", headers=headers)).json()
    assert "110105-jw" in [unit["code"] for unit in inactive["items"]]

    actions = (await db.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.before, AuditEvent.after)
                                .where(AuditEvent.entity_id == "110105-jw").order_by(AuditEvent.id))).all()
    assert [row.action for row in actions] == ["unit.create", "unit.update", "unit.deactivate"]
    assert {row.actor for row in actions} == {"office"}
    assert actions[1].before["name"] == "区教委" and actions[1].after["name"] == "区教育委员会"


async def test_duplicate_code_is_409_and_stores_nothing(client, db) -> None:  # type: ignore[no-untyped-def]
    await make_unit(db)
    response = await client.post("/api/v1/units", headers=await admin(db),
                                 json={"code": "110105-wjw", "committee_code": "110105", "name": "另一个"})
    assert response.status_code == 409
    names = (await db.execute(select(Unit.name).where(Unit.code == "110105-wjw"))).scalars().all()
    assert names == ["区卫生健康委"]


async def test_invalid_unit_input_names_the_fields(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = await admin(db)
    response = await client.post("/api/v1/units", headers=headers,
                                 json={"code": "bad code!", "committee_code": "1", "name": "", "extra": 1})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"code", "committee_code", "name", "extra"} <= fields

    unknown = await client.post("/api/v1/units", headers=headers,
                                json={"code": "999999-x", "committee_code": "999999", "name": "x"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "committee_code"
    assert (await db.execute(select(Unit).where(Unit.code == "999999-x"))).first() is None


async def test_unknown_unit_is_404(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = await admin(db)
    assert (await client.get("/api/v1/units/nope", headers=headers)).status_code == 404
    assert (await client.patch("/api/v1/units/nope", headers=headers, json={"name": "x"})).status_code == 404


async def test_pagination(client, db) -> None:  # type: ignore[no-untyped-def]
    for index in range(5):
        await make_unit(db, code=f"110105-u{index}", name=f"单位{index}")
    headers = await admin(db)
    first = (await client.get("/api/v1/units?committee=110105&limit=2", headers=headers)).json()
    second = (await client.get("/api/v1/units?committee=110105&limit=2&offset=2", headers=headers)).json()
    assert first["total"] == second["total"] == 5
    assert [u["code"] for u in first["items"]] == ["110105-u0", "110105-u1"]
    assert [u["code"] for u in second["items"]] == ["110105-u2", "110105-u3"]
