"""A small world in 曾都 (421303): its health commission leads maternal health in the women's plan, its statistics
bureau leads nothing; a 2024 annual cycle is open in both plans."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.assignments.schemas import AssignmentBulk, AssignmentCreate
from app.assignments.service import replace_assignments
from app.auth.actor import CLI_ACTOR
from app.core.clock import today
from app.cycles.schemas import CycleCreate
from app.cycles.service import create_cycle
from app.models.enums import AssignmentRole, CycleKind, Role
from tests.factories import bearer, make_token, make_unit

WOMEN, CHILDREN = "zengdu-women-2021-2030", "zengdu-children-2021-2030"
HEALTH, STATS = "421303-wjw", "421303-tjj"
INDICATORS = f"/api/v1/plans/{WOMEN}/indicators"


@dataclass
class Zengdu:
    admin: dict[str, str]
    health: dict[str, str]
    stats: dict[str, str]
    reader: dict[str, str]


@pytest.fixture
async def zengdu(db) -> Zengdu:  # type: ignore[no-untyped-def]
    await make_unit(db, HEALTH, "区卫生健康局", committee_code="421303")
    await make_unit(db, STATS, "区统计局", committee_code="421303")
    await replace_assignments(db, CLI_ACTOR, WOMEN, AssignmentBulk(assignments=[
        AssignmentCreate(task="W1.2", unit=HEALTH, role=AssignmentRole.lead),
        AssignmentCreate(task="W1.2", unit=STATS, role=AssignmentRole.support),
    ]))
    now = today()
    for plan in (WOMEN, CHILDREN):
        await create_cycle(db, CLI_ACTOR, plan, CycleCreate(year=2024, kind=CycleKind.annual,
                                                            opens_on=date(2024, 1, 1), due_on=now + timedelta(days=30)),
                           now)
    await db.commit()
    return Zengdu(
        admin=bearer(await make_token(db, Role.admin, name="曾都妇儿工委办")),
        health=bearer(await make_token(db, Role.unit, HEALTH, name="卫健局")),
        stats=bearer(await make_token(db, Role.unit, STATS, name="统计局")),
        reader=bearer(await make_token(db, Role.reader, name="统计平台")),
    )


async def report(client: httpx.AsyncClient, world: Zengdu, unit: dict[str, str], values: list[dict[str, Any]], *,
                 year: int = 2024, plan: str = WOMEN, accept: bool = True) -> int:
    """A unit submits values for a year; the office accepts them (unless told not to)."""
    created = await client.post(f"/api/v1/plans/{plan}/submissions", headers=unit, json={
        "year": year, "kind": "annual", "values": values, "submit": True})
    assert created.status_code == 201, created.text
    if accept:
        accepted = await client.post(f"/api/v1/submissions/{created.json()['id']}/review", headers=world.admin,
                                     json={"decision": "accept"})
        assert accepted.status_code == 200, accepted.text
    return int(created.json()["id"])
