"""Messages: gap-free per-room seq, idempotent append, keyset-paged history."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from chat.domain.models import Message, Page, SendResult, User
from chat.storage.database import Connection, Database
from chat.storage.driver_errors import UniqueViolation
from chat.storage.history import page_from
from chat.storage.message_rows import message, page_query, select_messages
from chat.storage.tables import messages


async def append_message(
    db: Database, room_id: int, sender: User, body: str, client_id: str
) -> SendResult | None:
    """Stores the message with the room's next seq, in one transaction with the increment.

    The UPDATE takes the room's row lock (PostgreSQL) or the write lock (SQLite: the write
    lane's group transaction, a savepoint per message; sqlite_lane.py), so writers
    of one room queue up and a rolled-back insert gives its seq back: no gaps, no repeats,
    across processes. Returns None when the sender is not a member (or the room is gone).
    A repeated (room, sender, client_id) stores nothing and returns the original message.
    The driver's path is the database's Appender (append.py)."""
    now = datetime.now(UTC)
    params = {
        "p_room": room_id,
        "p_sender": sender.id,
        "p_body": body,
        "p_client": client_id,
        "p_now": now,
    }
    try:
        appended = await db.appender.append(params)
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
                select_messages().where(
                    messages.c.room_id == room_id,
                    messages.c.sender_id == sender_id,
                    messages.c.client_id == client_id,
                )
            )
        ).first()
    return None if row is None else message(row)


async def get_message(db: Database, message_id: int) -> Message | None:
    async with db.transaction() as conn:
        return await _get(conn, message_id)


async def _get(conn: Connection, message_id: int) -> Message | None:
    row = (await conn.execute(select_messages().where(messages.c.id == message_id))).first()
    return None if row is None else message(row)


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
    """A keyset page in ascending seq (message_rows.page_query says which)."""
    async with db.transaction() as conn:
        rows = (await conn.execute(page_query(room_id, before, after, limit))).all()
    return page_from(rows, after, limit)
