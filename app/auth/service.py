"""Token lifecycle (create, list, revoke) and authentication of a presented token."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth.actor import Actor
from app.auth.tokens import display_prefix, hash_token, new_token
from app.core.i18n import t
from app.core.labels import role_label, roles_label
from app.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from app.models import ApiToken, Unit
from app.models.base import utcnow
from app.models.enums import Role


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: str
    unit_code: str | None
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


async def create_token(session: AsyncSession, actor: Actor, *, role: Role, name: str,
                       unit_code: str | None = None) -> tuple[str, TokenInfo]:
    """Create a token; the plain token is returned once and only its hash is stored (and audited, never logged)."""
    if not name.strip():
        raise ValidationFailed.field("name", t("must not be empty"))
    unit: Unit | None = None
    if role is Role.unit:
        if not unit_code:
            raise ValidationFailed.field("unit", t("a unit token needs the unit's code"))
        unit = (await session.execute(select(Unit).where(col(Unit.code) == unit_code))).scalar_one_or_none()
        if unit is None:
            raise NotFound(t("Unit {code} does not exist.", code=unit_code))
    elif unit_code:
        raise ValidationFailed.field("unit", t("only unit tokens belong to a unit, not {role} tokens",
                                              role=role_label(role)))
    plain = new_token()
    token = ApiToken(name=name.strip(), role=role.value, unit_id=unit.id if unit else None,
                     token_hash=hash_token(plain), prefix=display_prefix(plain))
    session.add(token)
    await session.flush()
    info = _info(token, unit.code if unit else None)
    await record(session, actor, "token.create", "token", str(info.id), after=_audited(info))
    return plain, info


async def list_tokens(session: AsyncSession) -> list[TokenInfo]:
    rows = await session.execute(
        select(ApiToken, col(Unit.code)).outerjoin(Unit, col(Unit.id) == col(ApiToken.unit_id))
        .order_by(col(ApiToken.id)))
    return [_info(token, unit_code) for token, unit_code in rows.all()]


async def revoke_token(session: AsyncSession, actor: Actor, token_id: int) -> TokenInfo:
    token = await session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(t("Token {id} does not exist.", id=token_id))
    unit_code = (await session.get(Unit, token.unit_id)).code if token.unit_id else None  # type: ignore[union-attr]
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()
        info = _info(token, unit_code)
        await record(session, actor, "token.revoke", "token", str(info.id), after=_audited(info))
    return _info(token, unit_code)


def _audited(info: TokenInfo) -> dict[str, object]:
    """What the audit trail keeps of a token: who holds it and its display prefix, never the secret or its hash."""
    return {"name": info.name, "role": info.role, "unit": info.unit_code, "prefix": info.prefix,
            "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None}


ACTOR_UNIT = "auth.unit"  # session.info key of the authenticated token's unit
# Built once: every request runs it, and building a statement (and its cache key) costs more than running it.
_BY_HASH = (select(ApiToken, Unit).outerjoin(Unit, col(Unit.id) == col(ApiToken.unit_id))
            .where(col(ApiToken.token_hash) == bindparam("token_hash")))


async def authenticate(session: AsyncSession, presented: str) -> Actor:
    """Resolve a presented bearer token to its actor; unknown and revoked tokens are both 401."""
    row = (await session.execute(_BY_HASH, {"token_hash": hash_token(presented)})).first()
    if row is None:
        raise Unauthorized(t("The bearer token is not valid."))
    token, unit = row
    actor = _checked_actor(token.id, token.name, token.role, token.revoked_at, unit.id if unit else None,
                           unit.code if unit else None, unit.active if unit else None)
    # The session's identity map holds objects weakly: kept here, the unit is not read again by the services that
    # look it up (session.get) in the same request.
    session.info[ACTOR_UNIT] = unit
    return actor


def token_lookup() -> Select[*tuple[Any, ...]]:
    """The columns :func:`actor_from` needs of the token whose hash is the bind parameter ``token_hash``, and of its
    unit: a read that joins its own tables onto it authenticates in the same statement."""
    return (select(col(ApiToken.id).label("token_id"), col(ApiToken.name).label("token_name"),
                   col(ApiToken.role).label("token_role"), col(ApiToken.revoked_at).label("token_revoked_at"),
                   col(Unit.id).label("token_unit_id"), col(Unit.code).label("token_unit_code"),
                   col(Unit.active).label("token_unit_active"))
            .select_from(ApiToken).outerjoin(Unit, col(Unit.id) == col(ApiToken.unit_id))
            .where(col(ApiToken.token_hash) == bindparam("token_hash")))


def actor_from(row: Row[*tuple[Any, ...]] | None) -> Actor:
    """The actor of a :func:`token_lookup` row, refused as :func:`authenticate` refuses (no row: not valid)."""
    if row is None:
        raise Unauthorized(t("The bearer token is not valid."))
    return _checked_actor(row.token_id, row.token_name, row.token_role, row.token_revoked_at, row.token_unit_id,
                          row.token_unit_code, row.token_unit_active)


def _checked_actor(token_id: int | None, name: str, role: str, revoked_at: datetime | None, unit_id: int | None,
                   unit_code: str | None, unit_active: bool | None) -> Actor:
    if revoked_at is not None:
        raise Unauthorized(t("The bearer token has been revoked."))
    if unit_id is not None and not unit_active:
        raise Unauthorized(t("The token's member unit has been deactivated."))
    return Actor(token_id=token_id, name=name, role=Role(role), unit_id=unit_id, unit_code=unit_code)


def check_role(actor: Actor, roles: Collection[Role]) -> Actor:
    """The actor, if their role is one of ``roles`` (403 otherwise)."""
    if actor.role not in roles:
        raise Forbidden(t("This endpoint is for {allowed}; this token's role is {role}.",
                          allowed=roles_label(roles), role=role_label(actor.role)))
    return actor


def _info(token: ApiToken, unit_code: str | None) -> TokenInfo:
    assert token.id is not None
    return TokenInfo(id=token.id, name=token.name, role=token.role, unit_code=unit_code, prefix=token.prefix,
                     created_at=token.created_at, revoked_at=token.revoked_at)
