"""What the live stream reads from the database: the source of truth it heals from.

The socket side keeps each room's live stream in seq order and fills the gaps a lost
broadcast leaves (chat/realtime/live_order.py); these are the reads it does that with. They
are not checked against a user: the stream only carries a room's messages to sockets that
already joined it.
"""

from __future__ import annotations

from collections.abc import Collection

from chat.domain.models import Page
from chat.storage import messages, room_positions
from chat.storage.database import Database


class LiveFeed:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def positions(self, room_ids: Collection[int]) -> dict[int, int]:
        """The last committed seq of each room (one query for all of them)."""
        return await room_positions.last_seqs(self._db, room_ids)

    async def between(self, room_id: int, after: int, upto: int, limit: int) -> Page:
        """The oldest `limit` messages with after < seq <= upto, ascending."""
        return await messages.page(self._db, room_id, after=after, before=upto + 1, limit=limit)

    async def newest(self, room_id: int, limit: int, upto: int | None = None) -> Page:
        """The newest `limit` messages of the room (those with seq <= upto, if given)."""
        before = None if upto is None else upto + 1
        return await messages.page(self._db, room_id, before=before, limit=limit)
