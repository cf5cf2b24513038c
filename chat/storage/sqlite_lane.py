"""SQLite writes on one thread, with group commit.

SQLite takes one writer at a time. Through SQLAlchemy and aiosqlite, every send was a
transaction of its own - begin, increment, insert, commit, each a hop to a worker thread
and back - and concurrent senders queued for the write lock, so acks stalled at a few
hundred messages a second. Here writes go to one thread with its own connection, and the
writes that arrive while it works go into the next transaction together: one BEGIN
IMMEDIATE ... COMMIT, and one thread hop, for the whole group. Each write runs in a
savepoint, so one that fails (a repeated client_id) undoes only itself: the others'
increments stand, numbering stays gap-free. Every caller gets its answer only after the
group's COMMIT: durable before acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chat.domain.errors import Unavailable
from chat.storage.driver_errors import UniqueViolation, unavailable

MAX_GROUP = 256

Write = Callable[[sqlite3.Connection], Any]


class SqliteWriteLane:
    def __init__(self, path: str, configure: Callable[[sqlite3.Connection], None]) -> None:
        self._path = path
        self._configure = configure
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writes")
        self._conn: sqlite3.Connection | None = None  # used only on that thread
        self._waiting: list[tuple[Write, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, work: Write) -> Any:
        """work(connection)'s result, once its group committed. A unique violation in it
        raises UniqueViolation; locks, busy files and I/O errors raise Unavailable."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((work, answer))
        if self._writer is None:
            self._writer = loop.create_task(self._write_groups())
        return await answer

    async def _write_groups(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                group = self._waiting[:MAX_GROUP]
                del self._waiting[:MAX_GROUP]
                works = [work for work, _ in group]
                try:
                    outcomes = await loop.run_in_executor(self._thread, self._commit, works)
                except asyncio.CancelledError:  # shutting down: say so rather than hang
                    for _, answer in group:
                        if not answer.done():
                            answer.set_exception(Unavailable("server shutting down"))
                    raise
                except RuntimeError as exc:  # the thread pool was shut down
                    outcomes = [(False, exc)] * len(group)
                for (_, answer), (ok, value) in zip(group, outcomes, strict=True):
                    if answer.done():
                        continue
                    if ok:
                        answer.set_result(value)
                    else:
                        answer.set_exception(value)
        finally:
            self._writer = None

    def _commit(self, works: list[Write]) -> list[tuple[bool, Any]]:
        """On the writer thread: one transaction for the group, a savepoint per write."""
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            return [(False, _translated(exc))] * len(works)
        outcomes: list[tuple[bool, Any]] = []
        try:
            for work in works:
                outcomes.append(self._one(conn, work))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return [(False, _translated(exc))] * len(works)
        return outcomes

    @staticmethod
    def _one(conn: sqlite3.Connection, work: Write) -> tuple[bool, Any]:
        conn.execute("SAVEPOINT one_write")
        try:
            result = work(conn)
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK TO one_write")
            conn.execute("RELEASE one_write")
            unique = "UNIQUE constraint failed" in str(exc)
            return (False, UniqueViolation() if unique else exc)
        except sqlite3.OperationalError:
            raise  # locked, busy, I/O: the whole group fails as `unavailable`
        except Exception as exc:  # noqa: BLE001 - one write's failure is its caller's alone
            conn.execute("ROLLBACK TO one_write")
            conn.execute("RELEASE one_write")
            return (False, exc)
        conn.execute("RELEASE one_write")
        return (True, result)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self._path,
                isolation_level=None,
                check_same_thread=False,
                uri=self._path.startswith("file:"),
            )
            self._configure(conn)
            self._conn = conn
        return self._conn

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._close_connection)
        self._thread.shutdown(wait=True)

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _translated(exc: sqlite3.Error) -> BaseException:
    if isinstance(exc, sqlite3.OperationalError):  # locked, busy, disk I/O: not now
        return unavailable(exc)
    return exc
