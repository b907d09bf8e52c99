"""API tokens (stored only as hashes) and the append-only audit log."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import JSONDoc, UTCDateTime, enum_check, utcnow
from app.models.enums import Role, values


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    __table_args__ = (
        enum_check("role", values(Role)),
        sa.CheckConstraint("(role = 'unit') = (unit_id IS NOT NULL)", name="unit_role_has_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=10)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, description="SHA-256 hex of the token")
    prefix: str = Field(max_length=16, description="first characters, to recognise a token in listings")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=200)
    actor_role: str = Field(max_length=10)
    token_id: int | None = Field(default=None, foreign_key="api_token.id", index=True)
    action: str = Field(max_length=60, index=True)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=80)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
