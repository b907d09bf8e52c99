"""Baselines end to end: a target judged against its base year (在2020年的基础上每年降低1个百分点以上).

C1.6b of 朝阳 can only get a status once its 2020 value is known: the office sets it on the target, or the
lead unit reports it in a base-year (baseline) submission.
"""

from typing import Any

import pytest

from app.assignments.schemas import AssignmentCreate
from app.assignments.service import create_assignment
from app.auth.actor import CLI_ACTOR
from app.models.enums import AssignmentRole
from tests.submissions.conftest import EDUCATION, PLAN, open_cycles, report

STATUS = f"/api/v1/plans/{PLAN}/status"
UNJUDGED = ("insufficient_data", "no_data")


@pytest.fixture
async def vision(db, world) -> Any:  # type: ignore[no-untyped-def]
    """The education commission leads C1.6 (视力不良), which the default world leaves unassigned."""
    await create_assignment(db, CLI_ACTOR, PLAN, AssignmentCreate(task="C1.6", unit=EDUCATION,
                                                                  role=AssignmentRole.lead))
    await db.commit()
    return world


async def c16b(client, headers: dict[str, str], year: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.get(STATUS, params={"year": year}, headers=headers)
    assert response.status_code == 200, response.text
    return next(item for item in response.json()["targets"] if item["code"] == "C1.6b")


async def test_a_baseline_set_by_the_office_gives_a_status(client, vision) -> None:  # type: ignore[no-untyped-def]
    curated = await client.patch(f"/api/v1/plans/{PLAN}/targets/C1.6b", headers=vision.admin, json={
        "baseline": {"year": 2020, "value": 60.0, "source": "2020年学生体质健康监测"}})
    assert curated.status_code == 200, curated.text
    await open_cycles(client, vision, 2021, 2022)
    await report(client, vision, vision.education, 2021, [{"target": "C1.6b", "value": 58.5, "unit": "%"}])
    await report(client, vision, vision.education, 2022, [{"target": "C1.6b", "value": 57.0, "unit": "%"}])

    status = await c16b(client, vision.reader, 2022)
    assert status["status"] not in UNJUDGED, status
    assert status["baseline"]["year"] == 2020 and status["baseline"]["value"] == 60.0
    assert "2020" in status["explanation"] and "60" in status["explanation"]


async def test_a_base_year_report_gives_a_status(client, vision) -> None:  # type: ignore[no-untyped-def]
    assert (await c16b(client, vision.reader, 2021))["status"] in UNJUDGED
    opened = await client.post(f"/api/v1/plans/{PLAN}/cycles", headers=vision.admin,
                               json={"year": 2020, "kind": "baseline"})
    assert opened.status_code == 201, opened.text
    await report(client, vision, vision.education, 2020, [{"target": "C1.6b", "value": 60.0, "unit": "%"}],
                 kind="baseline")
    await open_cycles(client, vision, 2021)
    await report(client, vision, vision.education, 2021, [{"target": "C1.6b", "value": 58.5, "unit": "%"}])

    status = await c16b(client, vision.reader, 2021)
    assert status["status"] not in UNJUDGED, status
    assert status["baseline"]["year"] == 2020 and status["baseline"]["value"] == 60.0
    assert status["latest"]["year"] == 2021 and status["latest"]["value"] == 58.5
    assert "2020" in status["explanation"]
