"""Re-loading a plan never changes the meaning of a target that units have reported on."""

from typing import Any

import pytest

from app.errors import Conflict
from app.plans.plan_document import PlanDocument
from app.plans.seeding import load_plans
from tests.conftest import SEED_PLANS
from tests.submissions.conftest import PLAN


def plan_with(change: dict[str, Any], code: str = "W1.2a") -> PlanDocument:
    doc = next(d for d in SEED_PLANS if d.plan.code == PLAN).model_copy(deep=True)
    for item in doc.items():
        item.targets = [target.model_copy(update=change) if target.code == code else target
                        for target in item.targets]
    return doc


async def test_a_reported_target_cannot_move_to_another_indicator(client, world, db) -> None:  # type: ignore[no-untyped-def]
    created = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=world.health,
                                json={"year": 2024, "values": [{"target": "W1.2a", "value": 6.8}]})
    assert created.status_code == 201, created.text
    with pytest.raises(Conflict) as refused:
        await load_plans(db, [plan_with({"metric": "婴儿死亡率"})])
    assert "W1.2a (孕产妇死亡率 → 婴儿死亡率)" in refused.value.detail


async def test_a_corrected_threshold_or_an_unreported_target_may_change(db) -> None:  # type: ignore[no-untyped-def]
    report = await load_plans(db, [plan_with({"metric": "婴儿死亡率"})])  # nobody reported on it yet
    assert report.updated == 1
    report = await load_plans(db, [plan_with({"metric": "婴儿死亡率", "value": 6.5})])
    assert report.updated == 1
