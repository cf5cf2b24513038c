"""The async engine: one per process, shared by REST and sockets on the main loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Select, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from chat.storage import raw_pool
from chat.storage.append import Appender, PostgresAppender, SqliteAppender
from chat.storage.compiled import CompiledStatement
from chat.storage.driver_errors import (
    CONNECTION_FAILURES,
    connection_failed,
    is_transient,
    unavailable,
)
from chat.storage.history import EngineHistory, History, PostgresHistory
from chat.storage.raw_pool import RawPool
from chat.storage.sqlite_lane import SqliteWriteLane

Connection = AsyncConnection


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 30}
    else:
        options.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=10)
        options["connect_args"] = {"timeout": 5, "command_timeout": 15}
    engine = create_async_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def sqlite_file(url: URL) -> str:
    """The database file (or file: URI) a SQLite URL names; an in-memory database is refused:
    the write lane's connection would open a second, empty one."""
    database = url.database or ""
    if not database or database == ":memory:":
        raise ValueError("DATABASE_URL: SQLite needs a database file, not an in-memory database")
    if database.startswith("file:"):
        return database
    return str(Path(database).expanduser().resolve())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Query:
    """A SELECT built once with named bind parameters (p_*), which Database.rows runs on its
    fastest path: asyncpg directly on PostgreSQL, the engine on SQLite. Rows are read by
    position (an asyncpg Record and a SQLAlchemy Row agree on that)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self.compiled = CompiledStatement(statement, raw_pool.DIALECT)


_OUTAGES: tuple[type[BaseException], ...] = (
    OperationalError,
    SAInterfaceError,
    PoolTimeout,
    *CONNECTION_FAILURES,
)


def _transient(exc: DBAPIError) -> bool:
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code is None:
        code = getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return is_transient(code)


class Database:
    """Owns the engine; hands out transactions that turn driver outages into Unavailable."""

    def __init__(self, engine: AsyncEngine, *, raw_pool_size: int = 8) -> None:
        self.engine = engine
        # The statements run most - the append and the history page - take their own path
        # by driver, chosen here once: asyncpg directly on PostgreSQL (raw_pool.py), one
        # writer thread with group commit for SQLite's appends (sqlite_lane.py).
        self.appender: Appender
        self.history: History
        self._pool: RawPool | None = None
        if self.is_sqlite:
            self.appender = SqliteAppender(
                SqliteWriteLane(sqlite_file(engine.url), _sqlite_pragmas)
            )
            self.history = EngineHistory(self.transaction)
        else:
            self._pool = RawPool(engine.url, raw_pool_size)
            self.appender = PostgresAppender(self._pool)
            self.history = PostgresHistory(self._pool)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self._translated(), self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _translated(self) -> AsyncIterator[None]:
        try:
            yield
        except _OUTAGES as exc:
            raise unavailable(exc) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated or _transient(exc) or connection_failed(exc.orig):
                raise unavailable(exc) from exc
            raise

    async def rows(self, query: Query, params: dict[str, Any]) -> Sequence[Any]:
        if self._pool is not None:
            rows: list[Any] = await self._pool.fetch(query.compiled, params)
            return rows
        async with self.transaction() as conn:
            found: Sequence[Any] = (await conn.execute(query.statement, params)).all()
        return found

    async def ping(self) -> None:
        async with self.transaction() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.appender.close()
        if self._pool is not None:
            await self._pool.close()
        await self.engine.dispose()
