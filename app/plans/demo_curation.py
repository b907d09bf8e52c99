"""Example curations for the demo data: what the office's corrections look like, made through curate_target."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.actor import Actor
from app.models import Plan, Target
from app.plans.curation import curate_target
from app.plans.schemas import BaselinePatch, ScopePatch, TargetPatch


@dataclass(frozen=True)
class DemoCuration:
    plan: str
    target: str
    patch: TargetPatch


DEMO_CURATIONS = (
    # 在2020年的基础上每年降低1个百分点以上: without a base-year value the target can never be judged.
    DemoCuration("chaoyang-2021-2025", "C1.6b", TargetPatch(
        baseline=BaselinePatch(year=2020, value=60.0, source="2020年学生体质健康监测"),
        comment="示例数据：基期数值为演示用")),
    # 农村自来水普及率 is a rural quantity: only rural values measure it.
    DemoCuration("wanghua-women-2021-2030", "W7.7a", TargetPatch(
        scope=ScopePatch(area="rural"), comment="示例数据")),
)


async def curate_demo(session: AsyncSession, actor: Actor) -> int:
    """Apply the example curations to targets not curated yet (so running it again changes nothing);
    returns how many targets it curated. Plans not loaded are skipped."""
    curated = 0
    for demo in DEMO_CURATIONS:
        version = (await session.execute(
            select(col(Target.version)).join(Plan, col(Plan.id) == col(Target.plan_id))
            .where(col(Plan.code) == demo.plan, col(Target.code) == demo.target))).scalar_one_or_none()
        if version is None or version > 1:
            continue
        await curate_target(session, actor, demo.plan, demo.target, demo.patch, None)
        curated += 1
    return curated
