"""Pooled connections and transactions on PostgreSQL, on an engine of their own as the service runs (the other tests
share one rolled-back connection): a connection the server closed is replaced before use (app.db `_ping`); the
stored status reads run outside a transaction block (app.db `read_outside_transaction`)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from app.auth.actor import CLI_ACTOR
from app.auth.tokens import display_prefix, hash_token, new_token
from app.core.clock import today
from app.db import Session, create_engine, is_sqlite, make_sessionmaker
from app.main import create_app
from app.models import ApiToken
from app.models.base import utcnow
from app.settings import Settings
from app.status.service import evaluate_plan, summarise
from tests.factories import bearer

PLAN = "chaoyang-2021-2025"  # a seed plan: its verdicts are stored for its years up to this one


@pytest.fixture
async def own_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL: SQLite has no server and no round trips")
    engine = create_engine(database_url, pool_size=1, max_overflow=0)  # one connection: every request reuses it
    yield engine
    await engine.dispose()


async def test_a_connection_the_server_closed_is_replaced_on_checkout(own_engine: AsyncEngine,
                                                                      database_url: str) -> None:
    other = create_engine(database_url)
    try:
        async with own_engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        # Back in the pool; the server ends it (as a restart or an idle timeout would). The timeout makes the
        # call wait until the backend is gone.
        async with other.connect() as admin:
            assert (await admin.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})).scalar_one()
        async with own_engine.connect() as connection:
            assert (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await other.dispose()


async def test_a_stored_status_read_runs_outside_a_transaction(own_engine: AsyncEngine, database_url: str) -> None:
    app = create_app(Settings(database_url=database_url))
    app.state.sessionmaker = make_sessionmaker(own_engine)
    plain = new_token()  # committed, unlike the other tests' tokens: this app does not see their transaction
    async with Session(own_engine) as session:
        session.add(ApiToken(name="test: outside a transaction", role="reader", token_hash=hash_token(plain),
                             prefix=display_prefix(plain)))
        await session.commit()
    in_transaction: list[bool] = []

    def seen(connection: Any, *_: Any) -> None:
        in_transaction.append(connection.connection.driver_connection.is_in_transaction())

    event.listen(own_engine.sync_engine, "after_cursor_execute", seen)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            status = f"/api/v1/plans/{PLAN}/status"
            first = await http.get(status, params={"year": 2023}, headers=bearer(plain))
            again = await http.get(status, params={"year": 2023}, headers=bearer(plain))
            assert first.status_code == again.status_code == 200, first.text
            assert in_transaction and not any(in_transaction)  # neither BEGIN nor COMMIT
            assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
            in_transaction.clear()
            async with Session(own_engine) as session:  # the same content as a fresh evaluation of the verdicts
                expected = summarise(await evaluate_plan(session, CLI_ACTOR, PLAN, 2023, today()))
                assert first.json() == expected.model_dump(mode="json")
                # The connection came back to the pool as it was lent: other requests' statements are in a
                # transaction again.
                assert in_transaction and all(in_transaction)
                await session.execute(update(ApiToken).where(col(ApiToken.token_hash) == hash_token(plain))
                                      .values(revoked_at=utcnow()))
                await session.commit()
            refused = await http.get(status, params={"year": 2023}, headers=bearer(plain))
            assert refused.status_code == 401 and refused.json()["detail"] == "令牌已被吊销。"
    finally:
        event.remove(own_engine.sync_engine, "after_cursor_execute", seen)
        async with Session(own_engine) as session:
            await session.execute(delete(ApiToken).where(col(ApiToken.token_hash) == hash_token(plain)))
            await session.commit()


async def test_the_service_sizes_its_pool_from_the_settings() -> None:
    """DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW: connections kept open per process (SQLAlchemy's default keeps 5,
    and a burst of more concurrent requests closes and reopens the rest every time)."""
    app = create_app(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/unused", database_pool_size=12,
                              database_max_overflow=3))
    async with app.router.lifespan_context(app):  # creating an engine connects to nothing yet
        pool = app.state.engine.pool
        assert (pool.size(), pool._max_overflow) == (12, 3)
    assert create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/unused").pool.size() == 5  # scripts, the CLI
