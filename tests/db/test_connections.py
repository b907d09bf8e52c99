"""Pooled connections: one the server has closed is replaced before anyone uses it (app.db `_ping`)."""

import pytest
from sqlalchemy import text

from app.db import create_engine, is_sqlite


async def test_a_connection_the_server_closed_is_replaced_on_checkout(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite has no server to close a connection")
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    other = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        # Back in the pool; the server ends it (as a restart or an idle timeout would). The timeout makes the
        # call wait until the backend is gone.
        async with other.connect() as admin:
            assert (await admin.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})).scalar_one()
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await engine.dispose()
        await other.dispose()
