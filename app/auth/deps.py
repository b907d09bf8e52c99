"""FastAPI dependencies: the signature of every route says who may call it."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.actor import Actor
from app.auth.service import authenticate
from app.core.i18n import t
from app.core.labels import role_label, roles_label
from app.db import SessionDep
from app.errors import Forbidden, Unauthorized
from app.models.enums import Role

_bearer = HTTPBearer(auto_error=False, description="A token created with `python -m app tokens create`.")


async def current_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized(t("Send `Authorization: Bearer <token>`."))
    return await authenticate(session, credentials.credentials)


def require_roles(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    async def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in roles:
            raise Forbidden(t("This endpoint is for {allowed}; this token's role is {role}.",
                              allowed=roles_label(roles), role=role_label(actor.role)))
        return actor

    return dependency


AnyRole = Annotated[Actor, Depends(require_roles(Role.admin, Role.unit, Role.reader))]
AdminOnly = Annotated[Actor, Depends(require_roles(Role.admin))]
AdminOrUnit = Annotated[Actor, Depends(require_roles(Role.admin, Role.unit))]
AdminOrReader = Annotated[Actor, Depends(require_roles(Role.admin, Role.reader))]
