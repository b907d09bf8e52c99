"""Database engine and the per-request session that owns the transaction."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import ARRAY, Boolean, Table, bindparam, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine

BEFORE_COMMIT = "before_commit"
Hook = Callable[[AsyncSession], Awaitable[None]]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int | None = None, max_overflow: int | None = None,
                  **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets foreign keys, WAL and real transactions. ``pool_size`` and
    ``max_overflow`` size a server database's connection pool (SQLAlchemy's defaults: 5 and 10)."""
    if not is_sqlite(url):
        kwargs.update({k: v for k, v in (("pool_size", pool_size), ("max_overflow", max_overflow)) if v is not None})
        if make_url(url).get_driver_name() != "asyncpg":
            return create_async_engine(url, pool_pre_ping=True, **kwargs)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "checkout", _ping)
        return engine

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions start, so that
        # SAVEPOINT and rollback behave as on PostgreSQL (SQLAlchemy's pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: concurrent writers wait (busy_timeout)
        # instead of failing half-way when a read transaction tries to upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """``pool_pre_ping`` in one round trip: the asyncpg dialect's ping takes three (it wraps its query in a
    transaction, for PgBouncer's transaction mode; a simple query is a transaction of its own there too). A
    connection that fails it is replaced, and so are the pooled ones older than it (the server restarted)."""
    try:
        dbapi_connection.run_async(lambda driver: driver.execute("SELECT 1"))
    except Exception as exc:
        raise InvalidatePoolError(f"the pooled connection did not answer: {exc!r}") from exc


def dialect_insert(session: AsyncSession, model: Any) -> Any:
    """INSERT into `model` as the session's database writes it, with its ``on_conflict_do_nothing`` (PostgreSQL and
    SQLite both have ON CONFLICT)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(model)


async def core_execute(session: AsyncSession, statement: Any) -> Any:
    """A statement run on the session's connection as Core: plain rows without the ORM's per-row processing (for
    reads of thousands of rows). Pending changes are flushed first, as the session's own execute would."""
    await session.flush()
    return await (await session.connection()).execute(statement)


async def copy_rows(session: AsyncSession, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL (a fraction of the CPU of one INSERT per
    row, on both sides), executemany on SQLite. Values go to the driver as they are: JSON columns take JSON text."""
    if not records:
        return
    await session.flush()  # what the rows refer to (a new revision) is written first, as the session's execute would
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table, records=records, columns=list(columns))
    else:
        await connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", records)


def _table(model: Any) -> Table:
    return model.__table__


@lru_cache(maxsize=64)
def _unnested(table: Table, columns: tuple[str, ...]) -> Any:
    """``SELECT unnest(:c_a) AS a, unnest(:c_b) AS b …``: rows from one array parameter per column (PostgreSQL
    runs the unnests in step). Built once per table and columns: building costs as much as running."""
    return select(*(func.unnest(bindparam(f"c_{name}", type_=ARRAY(table.c[name].type)),
                                type_=table.c[name].type).label(name) for name in columns)).subquery("given")


@lru_cache(maxsize=64)
def _insert_unnested(table: Table, columns: tuple[str, ...]) -> Any:
    given = _unnested(table, columns)
    return insert(table).from_select(list(columns), select(*(given.c[name] for name in columns)))


@lru_cache(maxsize=64)
def _update_unnested(table: Table, columns: tuple[str, ...]) -> Any:
    given = _unnested(table, ("id", *columns))
    return update(table).where(table.c.id == given.c.id).values({name: given.c[name] for name in columns})


def _as_arrays(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> dict[str, list[Any]]:
    if any(row.keys() != rows[0].keys() for row in rows):  # a column some rows lack would be lost, not written
        raise ValueError("every row must give the same columns")
    return {f"c_{name}": [row[name] for row in rows] for name in columns}


async def insert_rows(session: AsyncSession, model: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows of ``model`` (an ORM class), each with the same columns, in the session's transaction. On
    PostgreSQL one statement selecting from one array per column, where an executemany runs the statement once per
    row (1,600 verdict changes: 30 ms of the server's time); an executemany elsewhere. Values as the ORM takes
    them (JSON as objects)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(insert(model), list(rows))
        return
    columns = tuple(rows[0])
    await session.execute(_insert_unnested(_table(model), columns), _as_arrays(rows, columns))


async def update_rows(session: AsyncSession, model: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """UPDATE many rows by their ``id``, each with the same columns: as :func:`insert_rows`, one statement on
    PostgreSQL (an UPDATE joined to the arrays), an executemany elsewhere."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(update(model), list(rows))  # the ORM's UPDATE by primary key
        return
    columns = tuple(name for name in rows[0] if name != "id")
    await session.execute(_update_unnested(_table(model), columns), _as_arrays(rows, ("id", *columns)))


class AnyOf(ColumnElement[bool]):
    """``column`` is one of a list: ``column = ANY(array)`` on PostgreSQL, ``column IN (listed)`` elsewhere (SQLite
    has no arrays). Made by :func:`any_of` and :func:`in_select`."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("array", InternalTraversal.dp_clauseelement),
                           ("listed", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, array: Any, listed: Any) -> None:
        self.column, self.array, self.listed = column, array, listed


def any_of(column: Any, name: str, item_type: TypeEngine[Any]) -> AnyOf:
    """``column`` is one of the list bound as ``name``: ``= ANY(:name)``, one array parameter, on PostgreSQL, where
    ``IN (...)`` is a statement of its own for every length of the list, prepared by the server anew each time
    (half a millisecond); an expanding ``IN`` elsewhere (SQLite has no round trips)."""
    return AnyOf(column, bindparam(name, type_=ARRAY(item_type)), bindparam(name, type_=item_type, expanding=True))


class AmongMany(AnyOf):
    """``column`` is one of a long list: ``IN (SELECT unnest(array))`` on PostgreSQL. Made by :func:`among_many`."""

    inherit_cache = True


def among_many(column: Any, name: str, item_type: TypeEngine[Any]) -> AnyOf:
    """:func:`any_of` for a long list matched against many rows: on PostgreSQL a hashed semi-join over
    ``unnest(:name)``. ``= ANY(:name)`` compares each row with every item in turn once the statement runs on its
    generic plan (after five runs; only a constant array is hashed): 850 indicators against 600 codes took 16 ms,
    the semi-join 1. Keep :func:`any_of` where the list probes an index (the planner's estimates of ``unnest``
    can make it join in the wrong order)."""
    return AmongMany(column, bindparam(name, type_=ARRAY(item_type)),
                     bindparam(name, type_=item_type, expanding=True))


def in_select(column: Any, select: Any) -> AnyOf:
    """``column IN (select)``, as ``= ANY(ARRAY(select))`` on PostgreSQL: the select runs once, first, whatever the
    planner believes of the tables. As a semi-join, the generic plan a prepared statement gets after five runs,
    built on the row estimates of a freshly loaded database, joined every target with every indicator named (25 ms
    for a write of 600 indicators, 4 with a fresh plan)."""
    return AnyOf(column, func.array(select.scalar_subquery()), select)


@compiles(AnyOf)
def _in_list(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.listed), **kw)


@compiles(AnyOf, "postgresql")
def _any_array(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.array, **kw)})"


@compiles(AmongMany, "postgresql")
def _among_unnested(element: AmongMany, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN (SELECT unnest({compiler.process(element.array, **kw)}))"


class Session(AsyncSession):
    """The unit of work: services register hooks (:func:`before_commit`) that run, in the transaction, right
    before it commits. The verdicts use it: writers say what changed, one hook recomputes (app/status/publication.py).
    """

    async def commit(self) -> None:
        while hooks := self.info.pop(BEFORE_COMMIT, None):
            for hook in hooks.values():  # a hook may register another one: the loop runs it too
                await hook(self)
        await super().commit()


def before_commit(session: AsyncSession, key: str, hook: Hook) -> None:
    """Run ``hook(session)`` once before the session's transaction commits (once per ``key``)."""
    session.info.setdefault(BEFORE_COMMIT, {}).setdefault(key, hook)


@event.listens_for(SyncSession, "before_commit")
def _hooks_ran(session: SyncSession) -> None:
    # A commit that bypassed Session.commit (e.g. `async with session.begin()`) would skip the hooks.
    # Releasing a savepoint (begin_nested) is not the transaction's commit: the hooks run later.
    if session.info.get(BEFORE_COMMIT) and not session.in_nested_transaction():
        raise RuntimeError("commit without running the before-commit hooks: commit through app.db.Session.commit")


@event.listens_for(SyncSession, "after_soft_rollback")
def _forget_hooks(session: SyncSession, previous: SessionTransaction) -> None:
    if not previous.nested:  # a savepoint rolled back leaves the transaction's other changes in place
        session.info.pop(BEFORE_COMMIT, None)


async def read_outside_transaction(session: AsyncSession) -> None:
    """Run the session's statements outside a transaction block on PostgreSQL, sparing BEGIN and COMMIT (two round
    trips): for requests that only read. Each statement then reads its own snapshot, as it does inside a READ
    COMMITTED transaction. A session already begun, or bound to a connection (the tests' rolled-back one), and
    SQLite (no round trips) are left as they are; the pool restores the isolation level on checkin."""
    bind = session.bind
    if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql" and not session.in_transaction():
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit on success, roll back on any error."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            # Also after a failed flush, when the transaction is already rolled back internally.
            await session.rollback()
            raise
        await session.commit()


# scope="function": the commit happens before the response is sent, so a failed commit
# becomes an error response instead of a lost write behind a 200.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
