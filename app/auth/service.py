"""Token lifecycle (create, list, revoke) and authentication of a presented token."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth.actor import Actor
from app.auth.tokens import display_prefix, hash_token, new_token
from app.core.i18n import t
from app.core.labels import role_label
from app.errors import NotFound, Unauthorized, ValidationFailed
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
    if token.revoked_at is not None:
        raise Unauthorized(t("The bearer token has been revoked."))
    if unit is not None and not unit.active:
        raise Unauthorized(t("The token's member unit has been deactivated."))
    # The session's identity map holds objects weakly: kept here, the unit is not read again by the services that
    # look it up (session.get) in the same request.
    session.info[ACTOR_UNIT] = unit
    return Actor(token_id=token.id, name=token.name, role=Role(token.role),
                 unit_id=unit.id if unit else None, unit_code=unit.code if unit else None)


def _info(token: ApiToken, unit_code: str | None) -> TokenInfo:
    assert token.id is not None
    return TokenInfo(id=token.id, name=token.name, role=token.role, unit_code=unit_code, prefix=token.prefix,
                     created_at=token.created_at, revoked_at=token.revoked_at)
