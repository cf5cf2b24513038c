"""A small asyncpg pool beside SQLAlchemy's engine, for the statements a busy server runs
most on PostgreSQL: every `send`'s append (append.py) and every history page (history.py).

Through SQLAlchemy's async engine, each execution paid for a pool checkout with a ping (a
second round trip), greenlet switches, an isolation-level change and its reset, and
parameter processing: several times the CPU of the statement itself, and the largest
share of a send's cost on the fan-out benchmark. Here the same SQL - SQLAlchemy's own
compilation of the statement (compiled.py), so the two cannot drift - runs on asyncpg,
prepared once per connection, autocommitted, on a pool of its own that is as lean as one
statement allows (RawPool).

Outages read the same as through the engine: connection failures and transient SQLSTATEs
become Unavailable; a unique violation becomes UniqueViolation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import URL

from chat.domain.errors import Unavailable
from chat.storage.compiled import CompiledStatement
from chat.storage.driver_errors import (
    CONNECTION_FAILURES,
    UniqueViolation,
    is_transient,
    unavailable,
)

ACQUIRE_TIMEOUT = 10.0
# Prepared statements run on generic plans after five executions; the room list's plan,
# whose unread count cannot know the read marker, is estimated costly enough to cross
# jit_above_cost, and PostgreSQL then spent 2.3 s compiling it on every call. These are
# millisecond statements: JIT never pays for itself on them.
_SESSION = {"jit": "off"}
DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class RawPool:
    """Up to `size` asyncpg connections, opened when first needed.

    A connection goes back to the idle list only after its statement completed, or was
    refused by the server (a PostgreSQL error leaves the session usable); after anything
    else - a lost connection, a timeout, a cancellation mid-statement - it is closed and
    the next caller opens another. asyncpg's own Pool does more than one autocommitted
    statement needs, and pays for it on every call: a task for the acquire timeout, another
    for the shielded release, and a reset round.
    """

    def __init__(self, url: URL, size: int) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._size = size
        self._idle: list[Any] = []  # asyncpg.Connection
        self._opened = 0  # idle, in use, or being opened
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._closed = False

    async def fetchrow(self, statement: CompiledStatement, params: dict[str, Any]) -> Any:
        """The first row the statement returns, or None."""
        return await self._run("fetchrow", statement, params)

    async def fetch(self, statement: CompiledStatement, params: dict[str, Any]) -> list[Any]:
        """Every row the statement returns."""
        rows: list[Any] = await self._run("fetch", statement, params)
        return rows

    async def _run(self, method: str, statement: CompiledStatement, params: dict[str, Any]) -> Any:
        args = statement.args(params)
        conn = await self._acquire()
        reusable = False
        try:
            result = await getattr(conn, method)(statement.sql, *args)
            reusable = True
            return result
        except asyncpg.UniqueViolationError:
            reusable = True
            raise UniqueViolation from None
        except CONNECTION_FAILURES as exc:
            raise unavailable(exc) from exc
        except asyncpg.PostgresError as exc:
            reusable = True
            if is_transient(exc.sqlstate):
                raise unavailable(exc) from exc
            raise
        finally:
            self._release(conn, reusable)

    async def _acquire(self) -> Any:
        conn = None if self._closed else self._take_idle()
        if conn is not None:
            return conn
        try:
            async with asyncio.timeout(ACQUIRE_TIMEOUT):
                return await self._acquire_waiting()
        except TimeoutError as exc:
            raise unavailable(exc) from exc

    async def _acquire_waiting(self) -> Any:
        while True:
            if self._closed:
                raise Unavailable("server shutting down")
            conn = self._take_idle()
            if conn is not None:
                return conn
            if self._opened < self._size:
                return await self._open()
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter.done():
                    self._wake_one()  # woken, but leaving (timeout): pass the turn on
                else:
                    self._waiting.remove(waiter)
                raise

    def _take_idle(self) -> Any | None:
        """An idle connection that is still open (closed ones are dropped), or None."""
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():
                return conn
            self._opened -= 1
        return None

    async def _open(self) -> Any:
        self._opened += 1
        try:
            return await asyncpg.connect(
                self._dsn, timeout=5, command_timeout=15, server_settings=_SESSION
            )
        except BaseException as exc:
            self._opened -= 1
            self._wake_one()
            if isinstance(exc, (asyncpg.PostgresError, *CONNECTION_FAILURES)):
                raise unavailable(exc) from exc
            raise

    def _release(self, conn: Any, reusable: bool) -> None:
        if reusable and not self._closed and not conn.is_closed():
            self._idle.append(conn)
        else:
            self._opened -= 1
            if not conn.is_closed():
                conn.terminate()
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            self._opened -= 1
            with contextlib.suppress(OSError, asyncpg.InterfaceError, TimeoutError):
                await conn.close(timeout=2)
        while self._waiting:
            self._wake_one()
