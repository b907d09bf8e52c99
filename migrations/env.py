"""Alembic environment: async engine, URL from the app settings (or `-x url=` / config attribute)."""

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Connection

from app.db import create_engine, is_sqlite
from app.models import metadata
from app.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
        render_as_batch=is_sqlite(database_url()),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Foreign keys were off for the rebuild (SQLite's procedure for changing a table): check them all now.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")


async def run_async_migrations() -> None:
    engine = create_engine(database_url())
    if is_sqlite(database_url()):
        # Batch mode rebuilds a table by copying it, dropping it and renaming the copy; with foreign keys on,
        # dropping a table other rows refer to fails. PRAGMA foreign_keys cannot change inside a transaction,
        # so it is turned off per connection, before the migration's transaction begins.
        @event.listens_for(engine.sync_engine, "connect")
        def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_async_migrations())
