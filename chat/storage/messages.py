"""Messages: gap-free per-room seq, idempotent append, keyset-paged history."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    DateTime,
    Executable,
    Select,
    String,
    Text,
    and_,
    bindparam,
    exists,
    false,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from chat.domain.models import Message, Page, SendResult, User
from chat.storage import raw_pool
from chat.storage.compiled import CompiledStatement
from chat.storage.database import Connection, Database
from chat.storage.driver_errors import UniqueViolation
from chat.storage.tables import Id, memberships, messages, rooms, users

_columns = (
    messages.c.id,
    messages.c.room_id,
    messages.c.seq,
    messages.c.sender_id,
    users.c.username.label("sender_username"),
    messages.c.body,
    messages.c.client_id,
    messages.c.created_at,
    messages.c.edited_at,
    messages.c.deleted,
)


def _select() -> Select[Any]:
    return select(*_columns).join(users, users.c.id == messages.c.sender_id)


def _message(row: Any) -> Message:
    return Message(
        id=row.id,
        room_id=row.room_id,
        seq=row.seq,
        sender=User(id=row.sender_id, username=row.sender_username),
        body=row.body,
        client_id=row.client_id,
        created_at=row.created_at,
        edited_at=row.edited_at,
        deleted=row.deleted,
    )


def _append_statements() -> tuple[Executable, Executable, Executable]:
    """Built once: the append runs hundreds of times a second, and building a statement
    per call costs more CPU than executing it, and leaves cyclic garbage for the GC.

    (PostgreSQL's one statement; SQLite's increment; SQLite's insert.)"""
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
_APPEND_ONE_STATEMENT, _INCREMENT_SEQ, _INSERT_MESSAGE = _append_statements()
_PG_APPEND = CompiledStatement(_APPEND_ONE_STATEMENT, raw_pool.DIALECT)
_SQLITE_INCREMENT = CompiledStatement(_INCREMENT_SEQ, _SQLITE)
_SQLITE_INSERT = CompiledStatement(_INSERT_MESSAGE, _SQLITE)


def _append_on_sqlite(params: dict[str, Any], conn: sqlite3.Connection) -> tuple[int, int] | None:
    """The increment and the insert, on the SQLite write lane's thread and transaction."""
    row = conn.execute(_SQLITE_INCREMENT.sql, _SQLITE_INCREMENT.args(params)).fetchone()
    if row is None:
        return None
    seq = row[0]
    insert_args = _SQLITE_INSERT.args(params | {"p_seq": seq})
    inserted = conn.execute(_SQLITE_INSERT.sql, insert_args).fetchone()
    return (inserted[0], seq)


async def append_message(
    db: Database, room_id: int, sender: User, body: str, client_id: str
) -> SendResult | None:
    """Stores the message with the room's next seq, in one transaction with the increment.

    The UPDATE takes the room's row lock (PostgreSQL) or the write lock (SQLite: the write
    lane's group transaction, a savepoint per message; sqlite_lane.py), so writers
    of one room queue up and a rolled-back insert gives its seq back: no gaps, no repeats,
    across processes. Returns None when the sender is not a member (or the room is gone).
    A repeated (room, sender, client_id) stores nothing and returns the original message.

    PostgreSQL runs the increment and the insert as one autocommitted statement (a data-
    modifying CTE): the room's row lock is held only while the server runs it, never across
    a round trip to a busy event loop, so concurrent senders of one room, on every process,
    queue for microseconds instead of milliseconds. A unique violation undoes the whole
    statement, the increment included: still no gaps, no repeats.
    """
    now = datetime.now(UTC)
    params = {
        "p_room": room_id,
        "p_sender": sender.id,
        "p_body": body,
        "p_client": client_id,
        "p_now": now,
    }
    try:
        if db.lane is not None:
            appended = await db.lane.write(partial(_append_on_sqlite, params))
        elif db.raw is not None:
            row = await db.raw.fetchrow(_PG_APPEND, params)
            appended = None if row is None else (row["id"], row["seq"])
        else:
            raise RuntimeError("the database has no append path")
        if appended is None:
            return None
        message_id, seq = appended
    except UniqueViolation:
        original = await find_by_client_id(db, room_id, sender.id, client_id)
        if original is None:
            raise
        return SendResult(message=original, created=False)
    return _created(message_id, room_id, seq, sender, body, client_id, now)


def _created(
    message_id: int,
    room_id: int,
    seq: int,
    sender: User,
    body: str,
    client_id: str,
    now: datetime,
) -> SendResult:
    message = Message(
        id=message_id,
        room_id=room_id,
        seq=seq,
        sender=sender,
        body=body,
        client_id=client_id,
        created_at=now,
        edited_at=None,
        deleted=False,
    )
    return SendResult(message=message, created=True)


async def find_by_client_id(
    db: Database, room_id: int, sender_id: int, client_id: str
) -> Message | None:
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                _select().where(
                    messages.c.room_id == room_id,
                    messages.c.sender_id == sender_id,
                    messages.c.client_id == client_id,
                )
            )
        ).first()
    return None if row is None else _message(row)


async def get_message(db: Database, message_id: int) -> Message | None:
    async with db.transaction() as conn:
        return await _get(conn, message_id)


async def _get(conn: Connection, message_id: int) -> Message | None:
    row = (await conn.execute(_select().where(messages.c.id == message_id))).first()
    return None if row is None else _message(row)


async def edit_message(db: Database, message_id: int, body: str) -> Message | None:
    """Replaces the body of a message that is not deleted; None if there is none such."""
    async with db.transaction() as conn:
        result = await conn.execute(
            update(messages)
            .where(messages.c.id == message_id, messages.c.deleted.is_(False))
            .values(body=body, edited_at=datetime.now(UTC))
        )
        if result.rowcount == 0:
            return None
        return await _get(conn, message_id)


async def delete_message(db: Database, message_id: int) -> Message | None:
    """Clears the body and marks the message deleted; the seq stays."""
    async with db.transaction() as conn:
        await conn.execute(
            update(messages)
            .where(messages.c.id == message_id, messages.c.deleted.is_(False))
            .values(body="", deleted=True, edited_at=datetime.now(UTC))
        )
        return await _get(conn, message_id)


async def page(
    db: Database,
    room_id: int,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int,
) -> Page:
    """Keyset page on (room_id, seq), ascending. `after` wins the direction when both are set:
    the oldest page above `after` (and below `before`); `before` alone, the newest page below
    it; neither, the newest page. One row more than asked tells `has_more`."""
    conditions = [messages.c.room_id == room_id]
    if before is not None:
        conditions.append(messages.c.seq < before)
    if after is not None:
        conditions.append(messages.c.seq > after)
    order = messages.c.seq.asc() if after is not None else messages.c.seq.desc()
    query = _select().where(and_(*conditions)).order_by(order).limit(limit + 1)
    async with db.transaction() as conn:
        rows = (await conn.execute(query)).all()
    has_more = len(rows) > limit
    found = [_message(row) for row in rows[:limit]]
    if after is None:
        found.reverse()
    return Page(messages=found, has_more=has_more)
