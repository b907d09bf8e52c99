"""The GraphQL request's transaction: one session, used by one statement at a time, committed at the end."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")


@dataclass
class Transaction:
    """The request's session, and whether a mutation failed (then nothing of the request is kept)."""

    session: AsyncSession
    failed: bool = False
    # An AsyncSession runs one statement at a time, but strawberry resolves sibling fields concurrently:
    # every use of the session holds this lock. DataLoaders still batch: they collect keys before running.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` under the lock, to its end even if the caller is cancelled.

        graphql-core cancels sibling resolvers when an error nulls their parent; a statement cut off
        half-way would leave the connection unusable and the final commit would fail.
        """

        async def locked() -> T:
            async with self.lock:
                return await work()

        task = asyncio.ensure_future(locked())
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)


def _retrieve(task: "asyncio.Future[Any]") -> None:
    # An abandoned task's error was already reported through its caller (or nobody is listening).
    if not task.cancelled():
        task.exception()


async def graphql_transaction(request: Request) -> AsyncIterator[Transaction]:
    """One transaction per GraphQL request, as app.db.get_session: commit unless a mutation failed."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        tx = Transaction(session)
        try:
            yield tx
        except BaseException:
            async with tx.lock:
                await session.rollback()
            raise
        async with tx.lock:  # after any statement still running for an abandoned resolver
            if tx.failed:
                await session.rollback()
            else:
                await session.commit()
