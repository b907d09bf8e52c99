"""Test databases and clients.

The whole suite runs on SQLite by default, and on PostgreSQL when TEST_DATABASE_URL names a server
(e.g. postgresql://postgres@127.0.0.1:5432/postgres): a fresh database is created there for the run and
dropped afterwards. Migrations and the seed plans are applied once per run; each test then works inside
a transaction that is rolled back, so tests start from the same state and run in any order.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, tzinfo
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.cli import migrate
from app.core import clock
from app.db import Session, create_engine
from app.main import create_app
from app.plans.seeding import load_plans, read_plan_files
from app.settings import PROJECT_ROOT, Settings
from app.status import service as status_service

SEED_PLANS = read_plan_files(PROJECT_ROOT / "seeds" / "plans")


class DatabaseFactory:
    """Creates empty databases on the backend under test and removes them at the end of the run."""

    def __init__(self, tmp_dir: Path) -> None:
        server = os.environ.get("TEST_DATABASE_URL", "").strip()
        self.server_url = Settings(database_url=server).database_url if server else None
        self.tmp_dir = tmp_dir
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def create(self) -> str:
        name = f"fep_test_{uuid.uuid4().hex[:12]}"
        if self.server_url is None:
            return f"sqlite+aiosqlite:///{self.tmp_dir / (name + '.db')}"
        asyncio.run(self._admin(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def _admin(self, statement: str) -> None:
        assert self.server_url is not None
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()


@pytest.fixture(autouse=True)
def fresh_status_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing kept of the stored verdicts: they are kept per version, and a test's
    transaction is rolled back (a later test may see the same version with other verdicts)."""
    monkeypatch.setattr(status_service, "_documents", status_service.Recent(size=128))
    monkeypatch.setattr(status_service, "_parsed", status_service.Recent(size=128))


@pytest.fixture
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The committee's clock stopped when the test starts: a test run across midnight in the committee's time zone
    still sees one day (request before it, now after it). Ask for it before the fixtures that write."""
    stopped = datetime.now(clock.ZoneInfo(clock.get_settings().timezone))

    class Stopped(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return stopped.astimezone(tz) if tz is not None else stopped.astimezone().replace(tzinfo=None)

    monkeypatch.setattr(clock, "datetime", Stopped)
    return stopped.date()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(databases: DatabaseFactory) -> str:
    """The run's shared database: migrated to head and loaded with all seed plans."""
    url = databases.create()
    migrate(url)

    async def seed() -> None:
        engine = create_engine(url)
        async with Session(engine) as session:
            await load_plans(session, SEED_PLANS)
            await session.commit()
        await engine.dispose()

    asyncio.run(seed())
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside an outer transaction that is always rolled back."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Sessions commit to SAVEPOINTs inside the outer transaction, as the app's sessions do per request.
    return async_sessionmaker(bind=connection, class_=Session, expire_on_commit=False, autoflush=False,
                              join_transaction_mode="create_savepoint")


@pytest.fixture
async def db(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data directly; it sees what the app's requests wrote."""
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def app(database_url: str, sessionmaker: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    application = create_app(Settings(database_url=database_url, max_body_bytes=200_000))
    application.state.sessionmaker = sessionmaker
    return application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
