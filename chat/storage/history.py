"""A page of a room's history together with the reader's right to read it.

On PostgreSQL one statement answers the three questions a REST history page asks - is
there such a room, may this user read it (public, or a member), and which messages - on
asyncpg directly (raw_pool.py), the way the append runs: through SQLAlchemy's engine they
were three transactions, each with a pool checkout and its ping. On SQLite the same
questions take two statements in one transaction through the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import BigInteger, Integer, and_, bindparam, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from chat.domain.models import Page, User
from chat.storage import raw_pool
from chat.storage.compiled import CompiledStatement
from chat.storage.message_rows import COLUMNS, message, page_query
from chat.storage.raw_pool import RawPool
from chat.storage.tables import Id, memberships, messages, rooms, users

Transaction = Callable[[], AbstractAsyncContextManager[AsyncConnection]]
# A bound that no seq reaches: "no `before`" in the one-statement form.
_NO_BOUND = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ReadablePage:
    """The page, and whether the reader may have it (its messages are empty when not)."""

    private: bool
    member: bool
    page: Page

    @property
    def allowed(self) -> bool:
        return self.member or not self.private


class History(Protocol):
    async def readable_page(
        self, room_id: int, reader_id: int, before: int | None, after: int | None, limit: int
    ) -> ReadablePage | None:
        """None when there is no such room."""
        ...


def _one_statement(ascending: bool) -> CompiledStatement:
    mine = memberships.alias("mine")
    member = mine.c.user_id.is_not(None)
    reader = bindparam("p_reader", type_=Id)
    conditions = [
        messages.c.room_id == rooms.c.id,
        messages.c.seq < bindparam("p_before", type_=BigInteger),
        or_(rooms.c.private.is_(False), member),
    ]
    if ascending:
        conditions.append(messages.c.seq > bindparam("p_after", type_=BigInteger))
    order = messages.c.seq.asc() if ascending else messages.c.seq.desc()
    page = (
        select(*COLUMNS)
        .join(users, users.c.id == messages.c.sender_id)
        .where(*conditions)
        .order_by(order)
        .limit(bindparam("p_limit", type_=Integer))
        .lateral("page")
    )
    statement = (
        select(rooms.c.private, member.label("member"), *page.c)
        .select_from(
            rooms.outerjoin(
                mine,
                and_(mine.c.room_id == rooms.c.id, mine.c.user_id == reader),
            ).outerjoin(page, true())
        )
        .where(rooms.c.id == bindparam("p_room", type_=Id))
        .order_by(page.c.seq.asc())
    )
    return CompiledStatement(statement, raw_pool.DIALECT)


NEWEST_BELOW = _one_statement(ascending=False)
OLDEST_ABOVE = _one_statement(ascending=True)


class PostgresHistory:
    def __init__(self, pool: RawPool) -> None:
        self._pool = pool

    async def readable_page(
        self, room_id: int, reader_id: int, before: int | None, after: int | None, limit: int
    ) -> ReadablePage | None:
        params = {
            "p_room": room_id,
            "p_reader": reader_id,
            "p_before": _NO_BOUND if before is None else before,
            "p_after": after,
            "p_limit": limit + 1,
        }
        statement = NEWEST_BELOW if after is None else OLDEST_ABOVE
        rows = await self._pool.fetch(statement, params)
        if not rows:
            return None
        first = rows[0]
        if first[2] is None:  # no message row: an empty page, or not the reader's to read
            return ReadablePage(first[0], first[1], Page(messages=[], has_more=False))
        has_more = len(rows) > limit
        if has_more:
            # The extra row lies beyond the page in its direction: the lowest seq when
            # paging down from `before`, the highest when paging up from `after`.
            rows = rows[:limit] if after is not None else rows[1:]
        senders: dict[int, User] = {}
        found = [message(row, 2, senders) for row in rows]
        return ReadablePage(first[0], first[1], Page(messages=found, has_more=has_more))


class EngineHistory:
    """Through SQLAlchemy's engine (SQLite): the room and membership, then the page."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def readable_page(
        self, room_id: int, reader_id: int, before: int | None, after: int | None, limit: int
    ) -> ReadablePage | None:
        access = select(rooms.c.private, memberships.c.user_id).outerjoin(
            memberships,
            and_(memberships.c.room_id == rooms.c.id, memberships.c.user_id == reader_id),
        )
        async with self._transaction() as conn:
            row = (await conn.execute(access.where(rooms.c.id == room_id))).first()
            if row is None:
                return None
            private, member = bool(row[0]), row[1] is not None
            if private and not member:
                return ReadablePage(private, member, Page(messages=[], has_more=False))
            rows = (await conn.execute(page_query(room_id, before, after, limit))).all()
        return ReadablePage(private, member, page_from(rows, after, limit))


def page_from(rows: Any, after: int | None, limit: int) -> Page:
    """The rows of page_query as a Page in ascending seq."""
    senders: dict[int, User] = {}
    found = [message(row, 0, senders) for row in rows[:limit]]
    if after is None:
        found.reverse()
    return Page(messages=found, has_more=len(rows) > limit)
