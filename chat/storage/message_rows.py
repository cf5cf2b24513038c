"""A message's columns, its row as a domain Message, and the keyset page query: shared by
the statements of messages.py and history.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, select

from chat.domain.models import Message, User
from chat.storage.tables import messages, users

COLUMNS = (
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


_new = object.__new__


def select_messages() -> Select[Any]:
    return select(*COLUMNS).join(users, users.c.id == messages.c.sender_id)


def message(row: Any, at: int = 0, senders: dict[int, User] | None = None) -> Message:
    """COLUMNS from position `at` of a row (a SQLAlchemy Row or an asyncpg Record) as a
    Message; `senders` shares one User per sender across a page's rows.

    A frozen dataclass's __init__ sets each field through object.__setattr__, five times
    the cost of filling its __dict__, which is what this does: a history page builds
    hundreds of these per request."""
    sender_id = row[at + 3]
    sender = None if senders is None else senders.get(sender_id)
    if sender is None:
        sender = User(id=sender_id, username=row[at + 4])
        if senders is not None:
            senders[sender_id] = sender
    built = _new(Message)
    built.__dict__.update(
        id=row[at],
        room_id=row[at + 1],
        seq=row[at + 2],
        sender=sender,
        body=row[at + 5],
        client_id=row[at + 6],
        created_at=row[at + 7],
        edited_at=row[at + 8],
        deleted=row[at + 9],
    )
    return built


def page_query(room_id: int, before: int | None, after: int | None, limit: int) -> Select[Any]:
    """Keyset page on (room_id, seq), one row more than asked (that row tells `has_more`).
    `after` wins the direction when both are set: ascending above `after` (and below
    `before`); otherwise descending below `before`, or from the newest."""
    conditions = [messages.c.room_id == room_id]
    if before is not None:
        conditions.append(messages.c.seq < before)
    if after is not None:
        conditions.append(messages.c.seq > after)
    order = messages.c.seq.asc() if after is not None else messages.c.seq.desc()
    return select_messages().where(and_(*conditions)).order_by(order).limit(limit + 1)
