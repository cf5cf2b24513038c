"""The message append's driver paths, behind one `Appender` that `Database` picks once.

PostgreSQL runs the increment and the insert as one autocommitted statement (a data-
modifying CTE) on asyncpg directly (raw_pool.py): the room's row lock is held only while
the server runs it, never across a round trip to a busy event loop, so concurrent senders
of one room, on every process, queue for microseconds instead of milliseconds. A unique
violation undoes the whole statement, the increment included: still no gaps, no repeats.

SQLite runs the increment and the insert on one writer thread, in a group transaction with
a savepoint per message (sqlite_lane.py).

Both statements are SQLAlchemy's own, compiled once (compiled.py): the append runs hundreds
of times a second, and building a statement per call costs more CPU than executing it.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    BindParameter,
    DateTime,
    Executable,
    String,
    Text,
    bindparam,
    exists,
    false,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from chat.storage import raw_pool
from chat.storage.compiled import CompiledStatement
from chat.storage.raw_pool import RawPool
from chat.storage.sqlite_lane import SqliteWriteLane
from chat.storage.tables import Id, memberships, messages, rooms

# The parameters of an append: p_room, p_sender, p_body, p_client, p_now.
Params = dict[str, Any]


class Appender(Protocol):
    async def append(self, params: Params) -> tuple[int, int] | None:
        """(message id, seq) of the stored message; None when the sender is not a member
        (or the room is gone). A repeated client_id raises UniqueViolation."""
        ...

    async def close(self) -> None: ...


def _statements() -> tuple[Executable, Executable, Executable]:
    """(PostgreSQL's one statement; SQLite's increment; SQLite's insert.)"""
    is_member = exists().where(
        memberships.c.room_id == bindparam("p_room", type_=Id),
        memberships.c.user_id == bindparam("p_sender", type_=Id),
    )
    increment = (
        update(rooms)
        .where(rooms.c.id == bindparam("p_room", type_=Id), is_member)
        .values(last_seq=rooms.c.last_seq + 1)
        .returning(rooms.c.last_seq)
    )
    values: dict[str, BindParameter[Any]] = {
        "room_id": bindparam("p_room", type_=Id),
        "sender_id": bindparam("p_sender", type_=Id),
        "body": bindparam("p_body", type_=Text),
        "client_id": bindparam("p_client", type_=String),
        "created_at": bindparam("p_now", type_=DateTime(timezone=True)),
    }
    next_seq = increment.cte("next_seq")
    one_statement = (
        insert(messages)
        .from_select(
            ["room_id", "seq", "sender_id", "body", "client_id", "created_at", "deleted"],
            select(
                values["room_id"],
                next_seq.c.last_seq,
                values["sender_id"],
                values["body"],
                values["client_id"],
                values["created_at"],
                false(),
            ),
        )
        .returning(messages.c.id, messages.c.seq)
    )
    row = insert(messages).values(
        **values, seq=bindparam("p_seq", type_=BigInteger), deleted=false()
    )
    return one_statement, increment, row.returning(messages.c.id)


_SQLITE = sqlite_dialect()
_ONE_STATEMENT, _INCREMENT_SEQ, _INSERT_MESSAGE = _statements()
_PG_APPEND = CompiledStatement(_ONE_STATEMENT, raw_pool.DIALECT)
_SQLITE_INCREMENT = CompiledStatement(_INCREMENT_SEQ, _SQLITE)
_SQLITE_INSERT = CompiledStatement(_INSERT_MESSAGE, _SQLITE)


class PostgresAppender:
    def __init__(self, pool: RawPool) -> None:
        self._pool = pool

    async def append(self, params: Params) -> tuple[int, int] | None:
        row = await self._pool.fetchrow(_PG_APPEND, params)
        return None if row is None else (row["id"], row["seq"])

    async def close(self) -> None:
        """The pool is the database's, closed with it."""


class SqliteAppender:
    def __init__(self, lane: SqliteWriteLane) -> None:
        self._lane = lane

    async def append(self, params: Params) -> tuple[int, int] | None:
        appended: tuple[int, int] | None = await self._lane.write(partial(_on_lane, params))
        return appended

    async def close(self) -> None:
        await self._lane.close()


def _on_lane(params: Params, conn: sqlite3.Connection) -> tuple[int, int] | None:
    """The increment and the insert, on the write lane's thread and transaction."""
    row = conn.execute(_SQLITE_INCREMENT.sql, _SQLITE_INCREMENT.args(params)).fetchone()
    if row is None:
        return None
    seq = row[0]
    insert_args = _SQLITE_INSERT.args(params | {"p_seq": seq})
    inserted = conn.execute(_SQLITE_INSERT.sql, insert_args).fetchone()
    return (inserted[0], seq)
