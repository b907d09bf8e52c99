"""FastAPI dependencies: the signature of every route says who may call it."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.actor import Actor
from app.auth.service import authenticate, check_role
from app.core.i18n import t
from app.db import SessionDep
from app.errors import Unauthorized
from app.models.enums import Role

_bearer = HTTPBearer(auto_error=False, description="A token created with `python -m app tokens create`.")


async def presented_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The bearer token sent, not yet checked (:func:`current_actor` checks it; a route may check it in its own
    statement with :func:`app.auth.service.token_lookup`)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized(t("Send `Authorization: Bearer <token>`."))
    return credentials.credentials


PresentedToken = Annotated[str, Depends(presented_token)]


async def current_actor(session: SessionDep, token: PresentedToken) -> Actor:
    return await authenticate(session, token)


def require_roles(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    async def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        return check_role(actor, roles)

    return dependency


ANY_ROLE = (Role.admin, Role.unit, Role.reader)
AnyRole = Annotated[Actor, Depends(require_roles(*ANY_ROLE))]
AdminOnly = Annotated[Actor, Depends(require_roles(Role.admin))]
AdminOrUnit = Annotated[Actor, Depends(require_roles(Role.admin, Role.unit))]
AdminOrReader = Annotated[Actor, Depends(require_roles(Role.admin, Role.reader))]
