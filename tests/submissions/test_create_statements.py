"""Creating a submission: a number of SQL statements that does not grow with its values, and a response that is
what a read gives back."""

from typing import Any

from tests.factories import counting
from tests.submissions.conftest import PLAN

BASE = f"/api/v1/plans/{PLAN}/submissions"


def _values(count: int) -> list[dict[str, Any]]:
    """`count` values of W1.2a, one per age group and sex."""
    return [{"target": "W1.2a", "value": 6.0 + i / 10, "sex": sex, "age_group": f"{i}岁"}
            for i in range(count // 3 + 1) for sex in ("total", "female", "male")][:count]


async def test_create_runs_as_many_statements_for_one_value_as_for_sixty(  # type: ignore[no-untyped-def]
        client, world, connection) -> None:
    with counting(connection) as one:
        small = await client.post(BASE, headers=world.health, json={"year": 2024, "kind": "annual",
                                                                    "values": _values(1)})
    assert small.status_code == 201, small.text
    with counting(connection) as sixty:
        large = await client.post(BASE, headers=world.health, json={"year": 2023, "kind": "midterm",
                                                                    "values": _values(60)})
    assert large.status_code == 201, large.text
    assert len(large.json()["current"]["values"]) == 60
    assert len(one) == len(sixty), (one, sixty)
    assert len(one) <= 8, one  # token, plan and cycle, targets, history, the writes (SQLite: three), COPY aside


async def test_the_created_response_is_what_a_read_returns(client, world) -> None:  # type: ignore[no-untyped-def]
    body = {"year": 2024, "kind": "annual", "values": [*_values(5), {"target": "C1.4a", "value": 97.1}],
            "tasks": [{"task": "W1.M1", "progress": "on_schedule", "description": "按计划推进"}],
            "narrative": {"achievements": "成效", "problems": None, "next_steps": "培训"}, "submit": True}
    created = await client.post(BASE, headers=world.health, json=body)
    assert created.status_code == 201, created.text
    read = await client.get(f"/api/v1/submissions/{created.json()['id']}", headers=world.health)
    assert read.json() == created.json()
    assert read.headers["etag"] == created.headers["etag"]
