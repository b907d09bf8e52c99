"""Who is calling: the authenticated token holder, passed to every service function."""

from dataclasses import dataclass

from app.core.i18n import t
from app.errors import Forbidden
from app.models.enums import Role


@dataclass(frozen=True)
class Actor:
    token_id: int | None
    name: str
    role: Role
    unit_id: int | None = None
    unit_code: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def require_unit_access(self, unit_id: int) -> None:
        """A unit token sees and changes only its own unit's data; admins see all; readers read only."""
        if self.role is Role.unit and self.unit_id != unit_id:
            raise Forbidden(t("This token belongs to another member unit."))


# The CLI acts with full rights; its actions are audited under this name.
CLI_ACTOR = Actor(token_id=None, name="cli", role=Role.admin)
