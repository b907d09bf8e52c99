"""Report tests share the submission world (units, assignments, cycles, tokens) with REST's tests."""

from typing import Any

import httpx
import pytest

from tests.submissions.conftest import PLAN, open_cycles, world  # noqa: F401  (the fixture)

NARRATIVE = {"achievements": "孕产妇死亡率持续下降，中期评估达标", "problems": "基层妇幼人员不足",
             "next_steps": "加强基层人员培训"}
DRAFT_NARRATIVE = {"achievements": "尚未报送的草稿内容"}


async def submit(client: httpx.AsyncClient, people: Any, unit: dict[str, str], year: int, kind: str,
                 values: list[dict[str, Any]], narrative: dict[str, str], *, send: bool = True) -> int:
    """A unit saves (and unless told not to, sends) its self-assessment; the office accepts what is sent."""
    created = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=unit, json={
        "year": year, "kind": kind, "values": values, "narrative": narrative, "submit": send})
    assert created.status_code == 201, created.text
    if send:
        accepted = await client.post(f"/api/v1/submissions/{created.json()['id']}/review", headers=people.admin,
                                     json={"decision": "accept"})
        assert accepted.status_code == 200, accepted.text
    return int(created.json()["id"])


@pytest.fixture
async def reported(client, world) -> Any:  # type: ignore[no-untyped-def]  # noqa: F811
    """The health commission reports 2021 and the 2023 mid-term (with its narrative), both accepted; the
    education commission has only a draft for the mid-term, whose cycle is past due: it is overdue."""
    await open_cycles(client, world, 2021)
    await submit(client, world, world.health, 2021, "annual",
                 [{"target": "W1.2a", "value": 9.5}, {"target": "C1.2a", "value": 2.5}], {"achievements": "2021年"})
    await submit(client, world, world.health, 2023, "midterm",
                 [{"target": "W1.2a", "value": 8.8}, {"target": "C1.2a", "value": 1.9}], NARRATIVE)
    await submit(client, world, world.education, 2023, "midterm", [], DRAFT_NARRATIVE, send=False)
    return world
