"""Messages: gap-free per-room seq, idempotent append, keyset-paged history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Exists, Select, and_, exists, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from chat.domain.models import Message, Page, SendResult, User
from chat.storage.database import Connection, Database
from chat.storage.tables import memberships, messages, rooms, users

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


async def append_message(
    db: Database, room_id: int, sender: User, body: str, client_id: str
) -> SendResult | None:
    """Stores the message with the room's next seq, in one transaction with the increment.

    The UPDATE takes the room's row lock (PostgreSQL) or the write lock (SQLite), so writers
    of one room queue up and a rolled-back insert gives its seq back: no gaps, no repeats,
    across processes. Returns None when the sender is not a member (or the room is gone).
    A repeated (room, sender, client_id) stores nothing and returns the original message.
    """
    now = datetime.now(UTC)
    is_member = exists().where(memberships.c.room_id == room_id, memberships.c.user_id == sender.id)
    if not db.is_sqlite:
        return await _append_in_one_statement(db, room_id, sender, body, client_id, now, is_member)
    try:
        async with db.transaction() as conn:
            seq = (
                await conn.execute(
                    update(rooms)
                    .where(rooms.c.id == room_id, is_member)
                    .values(last_seq=rooms.c.last_seq + 1)
                    .returning(rooms.c.last_seq)
                )
            ).scalar_one_or_none()
            if seq is None:
                return None
            message_id = (
                await conn.execute(
                    insert(messages)
                    .values(
                        room_id=room_id,
                        seq=seq,
                        sender_id=sender.id,
                        body=body,
                        client_id=client_id,
                        created_at=now,
                        deleted=False,
                    )
                    .returning(messages.c.id)
                )
            ).scalar_one()
    except IntegrityError:
        original = await find_by_client_id(db, room_id, sender.id, client_id)
        if original is None:
            raise
        return SendResult(message=original, created=False)
    return _created(message_id, room_id, seq, sender, body, client_id, now)


async def _append_in_one_statement(
    db: Database,
    room_id: int,
    sender: User,
    body: str,
    client_id: str,
    now: datetime,
    is_member: Exists,
) -> SendResult | None:
    """PostgreSQL: the increment and the insert as one autocommitted statement (a data-
    modifying CTE). The room's row lock is held only while the server runs it, never across
    a round trip to a busy event loop, so concurrent senders of one room, on every process,
    queue for microseconds instead of milliseconds. A unique violation undoes the whole
    statement, the increment included: still no gaps, no repeats."""
    next_seq = (
        update(rooms)
        .where(rooms.c.id == room_id, is_member)
        .values(last_seq=rooms.c.last_seq + 1)
        .returning(rooms.c.last_seq)
        .cte("next_seq")
    )
    row_values = select(
        literal(room_id, messages.c.room_id.type),
        next_seq.c.last_seq,
        literal(sender.id, messages.c.sender_id.type),
        literal(body, messages.c.body.type),
        literal(client_id, messages.c.client_id.type),
        literal(now, messages.c.created_at.type),
        literal(False, messages.c.deleted.type),
    )
    statement = (
        insert(messages)
        .from_select(
            ["room_id", "seq", "sender_id", "body", "client_id", "created_at", "deleted"],
            row_values,
        )
        .returning(messages.c.id, messages.c.seq)
    )
    try:
        async with db.autocommit() as conn:
            row = (await conn.execute(statement)).first()
    except IntegrityError:
        original = await find_by_client_id(db, room_id, sender.id, client_id)
        if original is None:
            raise
        return SendResult(message=original, created=False)
    if row is None:
        return None
    return _created(row.id, room_id, row.seq, sender, body, client_id, now)


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
