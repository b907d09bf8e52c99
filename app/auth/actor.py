"""Who is calling: the authenticated token holder, passed to every service function."""

from dataclasses import dataclass

from app.models.enums import Role


@dataclass(frozen=True)
class Actor:
    token_id: int | None
    name: str
    role: Role
    unit_id: int | None = None
    unit_code: str | None = None


# The CLI acts with full rights; its actions are audited under this name.
CLI_ACTOR = Actor(token_id=None, name="cli", role=Role.admin)
