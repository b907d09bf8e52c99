"""Migrations: upgrade on an empty database, downgrade to base, upgrade again; no drift from the models."""

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.cli import alembic_config, migrate
from app.db import create_engine
from app.models import metadata


def table_names(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(read())


def schema_drift(url: str) -> list[object]:
    async def diff() -> list[object]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            result = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
        await engine.dispose()
        return list(result)

    return asyncio.run(diff())


def test_upgrade_downgrade_upgrade(databases) -> None:  # type: ignore[no-untyped-def]
    url = databases.create()
    migrate(url)
    expected = set(metadata.tables) | {"alembic_version"}
    assert table_names(url) == expected
    assert schema_drift(url) == []

    command.downgrade(alembic_config(url), "base")
    assert table_names(url) <= {"alembic_version"}

    migrate(url)
    assert table_names(url) == expected
