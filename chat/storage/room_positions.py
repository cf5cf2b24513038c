"""Where rooms stand: the last seq each of a set of rooms has committed, in one query."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from chat.storage.database import Database
from chat.storage.tables import rooms


async def last_seqs(db: Database, room_ids: Collection[int]) -> dict[int, int]:
    """{room_id: last_seq} for those of the rooms that exist."""
    if not room_ids:
        return {}
    query = select(rooms.c.id, rooms.c.last_seq).where(rooms.c.id.in_(sorted(room_ids)))
    async with db.transaction() as conn:
        rows = (await conn.execute(query)).all()
    return {int(row.id): int(row.last_seq) for row in rows}
