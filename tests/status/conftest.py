"""Status tests share the submission world (units, assignments, cycles, tokens) with REST's tests."""

from typing import Any

import pytest

from tests.submissions.conftest import open_cycles, report, world  # noqa: F401  (the fixture)


@pytest.fixture
async def history(client, world) -> Any:  # type: ignore[no-untyped-def]  # noqa: F811
    """Maternal mortality 9.5 → 8.8 (2021 → 2023 midterm); neonatal mortality 2.5 → 1.9."""
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}, {"target": "C1.2a",
                                                                                         "value": 2.5}])
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.8}, {"target": "C1.2a",
                                                                                         "value": 1.9}],
                 kind="midterm")
    return world
