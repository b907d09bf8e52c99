"""Small async factories for arranging test data, and a SQL statement counter."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import CLI_ACTOR
from app.auth.service import create_token
from app.models import Unit
from app.models.enums import Role
from app.plans.service import committee_by_code


async def make_unit(session: AsyncSession, code: str = "110105-wjw", name: str = "区卫生健康委",
                    committee_code: str = "110105") -> Unit:
    committee = await committee_by_code(session, committee_code)
    unit = Unit(committee_id=committee.id, code=code, name=name)  # type: ignore[arg-type]
    session.add(unit)
    await session.flush()
    return unit


async def make_token(session: AsyncSession, role: Role | str, unit_code: str | None = None,
                     name: str = "test token") -> str:
    plain, _ = await create_token(session, CLI_ACTOR, role=Role(role), name=name, unit_code=unit_code)
    await session.flush()
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def counting(connection) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """SQL statements run on the test connection (savepoint bookkeeping aside)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", count)
