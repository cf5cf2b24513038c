"""Full-text search over message bodies, limited to the rooms a user may read.

PostgreSQL: a GIN index on `to_tsvector('simple', regexp_replace(body, ...))` (migration
0002); the query repeats that expression exactly, or the planner cannot use the index. SQLite: the
FTS5 table `messages_search`, kept in step with `messages` by triggers (migration 0002).
Both match each word as a prefix (`word:*`, `"word"*`) and AND the words together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Table,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    text,
)

from chat.domain.models import Message
from chat.domain.search import SearchQuery
from chat.storage.database import Database
from chat.storage.message_rows import message, select_messages
from chat.storage.tables import memberships, messages, rooms

# The FTS5 table lives outside the schema's metadata: autogenerate must not manage it.
_fts = Table("messages_search", MetaData(), Column("rowid", Integer))

_SIMPLE: ColumnElement[str] = literal_column("'simple'")
_words_only = func.regexp_replace(
    messages.c.body, literal_column("'[^[:alnum:]]+'"), literal_column("' '"), literal_column("'g'")
)
_pg_match = func.to_tsvector(_SIMPLE, _words_only).op("@@")(
    func.to_tsquery(_SIMPLE, bindparam("q"))
)
_sqlite_match = text("messages_search MATCH :q")


def _pg_query(words: tuple[str, ...]) -> str:
    # Words hold only letters and digits (domain/search.py): nothing to escape.
    return " & ".join(f"'{word}':*" for word in words)


def _fts_query(words: tuple[str, ...]) -> str:
    return " ".join(f'"{word}"*' for word in words)


async def search_messages(
    db: Database, user_id: int, query: SearchQuery
) -> tuple[list[Message], bool]:
    """Newest first (descending id); one row more than asked tells whether more remain."""
    readable = or_(
        rooms.c.private.is_(False),
        exists().where(
            memberships.c.room_id == messages.c.room_id, memberships.c.user_id == user_id
        ),
    )
    conditions: list[Any] = [messages.c.deleted.is_(False), readable]
    if query.room_id is not None:
        conditions.append(messages.c.room_id == query.room_id)
    if query.before is not None:
        conditions.append(messages.c.id < query.before)
    statement = select_messages().join(rooms, rooms.c.id == messages.c.room_id)
    if db.is_sqlite:
        statement = statement.join(_fts, _fts.c.rowid == messages.c.id)
        conditions.append(_sqlite_match)
        params = {"q": _fts_query(query.words)}
        order = messages.c.id.desc()
    else:
        conditions.append(_pg_match)
        params = {"q": _pg_query(query.words)}
        # Not the primary key itself: PostgreSQL guesses prefix matches at ~2% of the rows and
        # then walks the whole key backwards filtering every body (3 s for a rare word among
        # 200,000 messages) instead of asking the GIN index (2 ms). Ordering by an expression
        # leaves it the index. A word in most messages costs a read of all its matches.
        order = (messages.c.id + 0).desc()
    statement = statement.where(and_(*conditions)).order_by(order).limit(query.limit + 1)
    async with db.transaction() as conn:
        rows = (await conn.execute(statement, params)).all()
    return [message(row) for row in rows[: query.limit]], len(rows) > query.limit
