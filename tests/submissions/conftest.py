"""A small world for submission tests: two units of 朝阳, their assignments, and open cycles."""

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

PLAN = "chaoyang-2021-2025"
HEALTH, EDUCATION = "110105-wjw", "110105-jw"


@dataclass
class World:
    admin: dict[str, str]
    health: dict[str, str]
    education: dict[str, str]
    reader: dict[str, str]


@pytest.fixture
async def world(db) -> World:  # type: ignore[no-untyped-def]
    await make_unit(db, HEALTH, "区卫生健康委")
    await make_unit(db, EDUCATION, "区教委")
    lead, support = AssignmentRole.lead, AssignmentRole.support
    await replace_assignments(db, CLI_ACTOR, PLAN, AssignmentBulk(assignments=[
        AssignmentCreate(task="W1.2", unit=HEALTH, role=lead),
        AssignmentCreate(task="C1.2", unit=HEALTH, role=lead),
        AssignmentCreate(task="C1.4", unit=HEALTH, role=lead),
        AssignmentCreate(task="C1.7", unit=HEALTH, role=support),
        AssignmentCreate(task="W1.M1", unit=HEALTH, role=lead),
        AssignmentCreate(task="C1.7", unit=EDUCATION, role=lead),
        AssignmentCreate(task="C1.8", unit=EDUCATION, role=lead),
    ]))
    now = today()
    # 2024: still open (due in a month); 2023: past its due date, so submissions are late.
    await create_cycle(db, CLI_ACTOR, PLAN, CycleCreate(year=2024, kind=CycleKind.annual,
                                                        opens_on=date(2024, 1, 1), due_on=now + timedelta(days=30)),
                       now)
    await create_cycle(db, CLI_ACTOR, PLAN, CycleCreate(year=2023, kind=CycleKind.midterm), now)
    await db.commit()
    return World(
        admin=bearer(await make_token(db, Role.admin, name="office")),
        health=bearer(await make_token(db, Role.unit, HEALTH, name="卫健委接口")),
        education=bearer(await make_token(db, Role.unit, EDUCATION, name="教委接口")),
        reader=bearer(await make_token(db, Role.reader, name="统计平台")),
    )


def draft(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "year": 2024, "kind": "annual",
        "values": [{"target": "W1.2a", "value": 6.8, "unit": "1/10万", "source": "妇幼卫生年报"},
                   {"target": "C1.2a", "value": 1.6},
                   {"target": "C1.4a", "value": 97.1, "sex": "female"}],
        "tasks": [{"task": "W1.M1", "progress": "on_schedule", "description": "按计划推进"}],
        "narrative": {"achievements": "孕产妇死亡率持续下降", "problems": "基层人员不足", "next_steps": "加强培训"},
    }
    body.update(overrides)
    return body


async def report(client: httpx.AsyncClient, world: Any, unit: dict[str, str], year: int, values: list[dict[str, Any]],
                 *, kind: str = "annual", tasks: list[dict[str, Any]] | None = None, accept: bool = True) -> int:
    """A unit submits its self-assessment for a year; the office accepts it (unless told not to)."""
    created = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=unit, json={
        "year": year, "kind": kind, "values": values, "tasks": tasks or [], "submit": True})
    assert created.status_code == 201, created.text
    if accept:
        accepted = await client.post(f"/api/v1/submissions/{created.json()['id']}/review", headers=world.admin,
                                     json={"decision": "accept"})
        assert accepted.status_code == 200, accepted.text
    return int(created.json()["id"])


async def open_cycles(client: httpx.AsyncClient, world: Any, *years: int) -> None:
    for year in years:  # default due date 12-31 of a past year: late, but accepted
        response = await client.post(f"/api/v1/plans/{PLAN}/cycles", headers=world.admin,
                                     json={"year": year, "kind": "annual"})
        assert response.status_code == 201, response.text
