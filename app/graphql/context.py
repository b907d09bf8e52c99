"""Per-request GraphQL context: one session (one transaction), the caller, and the DataLoaders."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from strawberry.fastapi import BaseContext

from app.auth.actor import Actor
from app.auth.service import authenticate
from app.core.i18n import t
from app.core.labels import role_label, roles_label
from app.errors import Forbidden, Unauthorized
from app.graphql.loaders import Loaders
from app.graphql.transaction import Transaction, graphql_transaction
from app.models.enums import Role

T = TypeVar("T")


class Context(BaseContext):
    """What every resolver gets as `info.context`."""

    def __init__(self, tx: Transaction, authorization: str | None) -> None:
        super().__init__()
        self.tx = tx
        self.session = tx.session
        self.loaders = Loaders(tx)
        self._authorization = authorization
        self._actor: Actor | None = None
        self._auth_error: Unauthorized | None = None
        self._auth_lock = asyncio.Lock()

    async def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run a service function on the request's session: `fn(session, *args, **kwargs)`."""
        return await self.tx.run(lambda: fn(self.session, *args, **kwargs))

    async def actor(self) -> Actor:
        """The authenticated caller; the token is checked once per request, on first use."""
        if self._actor is None and self._auth_error is None:
            scheme, _, token = (self._authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                self._auth_error = Unauthorized(t("Send `Authorization: Bearer <token>`."))
            else:
                async with self._auth_lock:  # concurrent root fields authenticate once
                    if self._actor is None and self._auth_error is None:
                        try:
                            self._actor = await self.call(authenticate, token.strip())
                        except Unauthorized as exc:
                            self._auth_error = exc
        if self._auth_error is not None:
            raise self._auth_error
        assert self._actor is not None
        return self._actor

    def known_actor(self) -> Actor | None:
        """The caller if the token was already checked in this request (no await)."""
        return self._actor

    async def require(self, *roles: Role) -> Actor:
        """The caller, if their role is one of `roles` (the same rule and message as REST's require_roles)."""
        actor = await self.actor()
        if roles and actor.role not in roles:
            raise Forbidden(t("This operation is for {allowed}; this token's role is {role}.",
                              allowed=roles_label(roles), role=role_label(actor.role)))
        return actor


ANY_ROLE = (Role.admin, Role.unit, Role.reader)
ADMIN_ONLY = (Role.admin,)
ADMIN_OR_UNIT = (Role.admin, Role.unit)


async def get_context(request: Request,
                      tx: Annotated[Transaction, Depends(graphql_transaction, scope="function")]) -> Context:
    return Context(tx, request.headers.get("Authorization"))
