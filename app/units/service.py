"""Member unit services: directory reads for everyone, changes by the committee office."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.pagination import PageParams, paginate
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Committee, Unit
from app.models.base import utcnow
from app.plans.service import committee_by_code
from app.units.schemas import UnitCreate, UnitRead, UnitUpdate


@dataclass(frozen=True)
class UnitFilter:
    committee: str | None = None
    active: bool | None = None
    q: str | None = None


async def list_units(session: AsyncSession, filters: UnitFilter, page: PageParams) -> tuple[list[UnitRead], int]:
    stmt = select(Unit, col(Committee.code)).join(Committee, col(Committee.id) == col(Unit.committee_id))
    if filters.committee:
        stmt = stmt.where(col(Committee.code) == filters.committee)
    if filters.active is not None:
        stmt = stmt.where(col(Unit.active) == filters.active)
    if filters.q:
        stmt = stmt.where(col(Unit.name).contains(filters.q, autoescape=True))
    rows, total = await paginate(session, stmt.order_by(col(Unit.code)), page)
    return [_unit(unit, committee_code) for unit, committee_code in rows], total


async def get_unit(session: AsyncSession, code: str) -> UnitRead:
    unit, committee_code = await _unit_row(session, code)
    return _unit(unit, committee_code)


async def create_unit(session: AsyncSession, actor: Actor, data: UnitCreate) -> UnitRead:
    try:
        committee = await committee_by_code(session, data.committee_code)
    except NotFound as exc:
        raise ValidationFailed.field("committee_code", exc.detail) from exc
    if (await session.execute(select(col(Unit.id)).where(col(Unit.code) == data.code))).first():
        raise Conflict(t("A unit with code {code} already exists.", code=data.code))
    unit = Unit(committee_id=committee.id, code=data.code, name=data.name)  # type: ignore[arg-type]
    session.add(unit)
    await session.flush()
    result = _unit(unit, committee.code)
    await record(session, actor, "unit.create", "unit", unit.code, after=_audit_view(result))
    return result


async def update_unit(session: AsyncSession, actor: Actor, code: str, data: UnitUpdate) -> UnitRead:
    unit, committee_code = await _unit_row(session, code)
    before = _audit_view(_unit(unit, committee_code))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    for field, value in changes.items():
        setattr(unit, field, value)
    if changes:
        unit.updated_at = utcnow()
        await session.flush()
    result = _unit(unit, committee_code)
    if changes:
        action = {False: "unit.deactivate", True: "unit.reactivate"}.get(changes.get("active"), "unit.update")  # type: ignore[arg-type]
        await record(session, actor, action, "unit", unit.code, before=before, after=_audit_view(result))
    return result


async def _unit_row(session: AsyncSession, code: str) -> tuple[Unit, str]:
    row = (await session.execute(
        select(Unit, col(Committee.code)).join(Committee, col(Committee.id) == col(Unit.committee_id))
        .where(col(Unit.code) == code))).first()
    if row is None:
        raise NotFound(t("Unit {code} does not exist.", code=code))
    return row[0], row[1]


def _unit(unit: Unit, committee_code: str) -> UnitRead:
    return UnitRead(code=unit.code, committee_code=committee_code, name=unit.name, active=unit.active,
                    is_example=unit.is_example, created_at=unit.created_at, updated_at=unit.updated_at)


def _audit_view(unit: UnitRead) -> dict[str, Any]:
    return unit.model_dump(mode="json", include={"code", "committee_code", "name", "active"})
