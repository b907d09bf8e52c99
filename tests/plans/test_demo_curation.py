"""The demo's example curations: made through curate_target, once."""

from app.auth.actor import CLI_ACTOR
from app.plans.curation import curate_target, list_target_versions
from app.plans.demo_curation import curate_demo
from app.plans.schemas import ScopePatch, TargetPatch
from app.plans.service import get_target


async def test_the_demo_sets_a_baseline_and_a_rural_scope_once(db) -> None:  # type: ignore[no-untyped-def]
    assert await curate_demo(db, CLI_ACTOR) == 2
    vision = await get_target(db, "chaoyang-2021-2025", "C1.6b")
    assert (vision.baseline_year, vision.baseline_value, vision.version) == (2020, 60.0, 2)
    assert vision.baseline_source == "2020年学生体质健康监测"
    versions = await list_target_versions(db, "chaoyang-2021-2025", "C1.6b")
    assert versions[-1].comment == "示例数据：基期数值为演示用" and versions[-1].created_by == "cli"
    water = await get_target(db, "wanghua-women-2021-2030", "W7.7a")
    assert water.metric.startswith("农村") and water.scope.area == "rural" and water.version == 2
    assert (await list_target_versions(db, "wanghua-women-2021-2030", "W7.7a"))[-1].comment == "示例数据"

    assert await curate_demo(db, CLI_ACTOR) == 0  # already curated: left alone
    assert (await get_target(db, "chaoyang-2021-2025", "C1.6b")).version == 2


async def test_the_demo_leaves_the_offices_own_curation_alone(db) -> None:  # type: ignore[no-untyped-def]
    await curate_target(db, CLI_ACTOR, "wanghua-women-2021-2030", "W7.7a",
                        TargetPatch(scope=ScopePatch(sex="female"), comment="办公室校订"), None)
    assert await curate_demo(db, CLI_ACTOR) == 1
    water = await get_target(db, "wanghua-women-2021-2030", "W7.7a")
    assert water.scope.sex == "female" and water.scope.area is None and water.version == 2
