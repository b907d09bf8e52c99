"""The findings' tests use the submission world of 朝阳 and, for the 曾都 plans, a small world of their own."""

from dataclasses import dataclass

import pytest

from app.assignments.schemas import AssignmentBulk, AssignmentCreate
from app.assignments.service import replace_assignments
from app.auth.actor import CLI_ACTOR
from app.core.clock import today
from app.cycles.schemas import CycleCreate
from app.cycles.service import create_cycle
from app.models.enums import AssignmentRole, CycleKind, Role
from tests.factories import bearer, make_token, make_unit
from tests.submissions.conftest import world  # noqa: F401  (the fixture)

ZENGDU_WOMEN = "zengdu-women-2021-2030"
ZENGDU_HEALTH = "421303-wjw"


@dataclass
class Zengdu:
    admin: dict[str, str]
    health: dict[str, str]
    reader: dict[str, str]


@pytest.fixture
async def zengdu(db) -> Zengdu:  # type: ignore[no-untyped-def]
    """曾都's health commission leads W1.2 of the women's plan; the 2021 annual cycle is open."""
    await make_unit(db, ZENGDU_HEALTH, "曾都区卫生健康局", committee_code="421303")
    await replace_assignments(db, CLI_ACTOR, ZENGDU_WOMEN, AssignmentBulk(assignments=[
        AssignmentCreate(task="W1.2", unit=ZENGDU_HEALTH, role=AssignmentRole.lead)]))
    await create_cycle(db, CLI_ACTOR, ZENGDU_WOMEN, CycleCreate(year=2021, kind=CycleKind.annual), today())
    await db.commit()
    return Zengdu(admin=bearer(await make_token(db, Role.admin, name="曾都妇儿工委办")),
                  health=bearer(await make_token(db, Role.unit, ZENGDU_HEALTH, name="曾都卫健局接口")),
                  reader=bearer(await make_token(db, Role.reader, name="曾都统计平台")))
