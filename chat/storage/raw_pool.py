"""A small asyncpg pool beside SQLAlchemy's engine, for the statement a busy server runs for
every `send` (the message append) on PostgreSQL.

Through SQLAlchemy's async engine, each execution paid for a pool checkout with a ping (a
second round trip), greenlet switches, an isolation-level change and its reset, and
parameter processing: several times the CPU of the statement itself, and the largest
share of a send's cost on the fan-out benchmark. Here the same SQL - SQLAlchemy's own
compilation of the statement (compiled.py), so the two cannot drift - runs on asyncpg,
prepared once per connection, autocommitted, and the connection goes back to the pool
without a reset query (these statements change no session state).

Outages read the same as through the engine: connection failures and transient SQLSTATEs
become Unavailable; a unique violation becomes UniqueViolation.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import URL

from chat.domain.errors import Unavailable
from chat.storage.compiled import CompiledStatement
from chat.storage.driver_errors import UniqueViolation, is_transient

log = logging.getLogger("chat.storage.database")

ACQUIRE_TIMEOUT = 10.0
DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Release hook: nothing to reset."""


class RawPool:
    def __init__(self, url: URL, size: int) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._starting = asyncio.Lock()

    async def fetchrow(self, statement: CompiledStatement, params: dict[str, Any]) -> Any:
        """The first row the statement returns, or None."""
        args = statement.args(params)
        pool = self._pool or await self._start()
        try:
            async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                return await conn.fetchrow(statement.sql, *args)
        except asyncpg.UniqueViolationError:
            raise UniqueViolation from None
        except (OSError, TimeoutError, asyncpg.InterfaceError) as exc:
            raise _unavailable(exc) from exc
        except asyncpg.PostgresError as exc:
            if is_transient(exc.sqlstate):
                raise _unavailable(exc) from exc
            raise

    async def _start(self) -> asyncpg.Pool:
        async with self._starting:
            if self._pool is None:
                try:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=0,
                        max_size=self._size,
                        reset=_keep_session,
                        timeout=5,
                        command_timeout=15,
                    )
                except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
                    raise _unavailable(exc) from exc
            return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()


def _unavailable(exc: BaseException) -> Unavailable:
    log.warning("database unavailable: %r", exc)
    return Unavailable("database unavailable, try again")
