"""The `join` ack's messages, cut at the live stream's position: no overlap, no gap.

A joining socket enters the room's channel at the moment the room's stream stands at
`upto` (live_order.py): every later seq reaches it live, so its page is exactly
since_seq < seq <= upto. The page comes from the stream's tail in memory when the tail
reaches back far enough, else from one database read that concurrent joins asking for the
same range share: a reconnect storm rejoining one room costs one read, not one per socket.
"""

from __future__ import annotations

import asyncio
from itertools import islice
from typing import Any

from chat.domain.models import Page
from chat.realtime.live_order import Encoded, RoomStream
from chat.services.live_feed import LiveFeed

Key = tuple[Any, ...]


class JoinPages:
    def __init__(self, feed: LiveFeed, limit: int) -> None:
        self._feed = feed
        self._limit = limit
        self._flights: dict[Key, asyncio.Future[Page]] = {}
        self.from_memory = 0
        self.from_database = 0
        self.rows_read = 0

    async def page(
        self, room_id: int, stream: RoomStream, since_seq: int | None, upto: int
    ) -> tuple[list[Encoded], bool]:
        """(messages in ascending seq, has_more): after since_seq (or the newest) up to upto."""
        if since_seq is not None and since_seq >= upto:
            return [], False
        kept = self._from_tail(stream, since_seq, upto)
        if kept is not None:
            self.from_memory += 1
            return kept
        self.from_database += 1
        if since_seq is None:
            page = await self._shared(("newest", room_id, upto), room_id, None, upto)
        else:
            page = await self._shared(("after", room_id, since_seq, upto), room_id, since_seq, upto)
        return [m.as_dict() for m in page.messages], page.has_more

    def _from_tail(
        self, stream: RoomStream, since_seq: int | None, upto: int
    ) -> tuple[list[Encoded], bool] | None:
        first = stream.first_kept()
        if upto > stream.delivered or upto < first - 1:
            return None
        end = upto - first + 1  # index past the last message kept
        if since_seq is None:
            if end < self._limit and first > 1:
                return None  # the newest page reaches below the tail
            start = max(end - self._limit, 0)
            items = list(islice(stream.recent, start, end))
            low = int(items[0]["seq"]) if items else upto + 1
            return items, low > 1
        if since_seq + 1 < first:
            return None
        start = since_seq + 1 - first
        items = list(islice(stream.recent, start, min(end, start + self._limit)))
        return items, start + self._limit < end

    async def _shared(self, key: Key, room_id: int, since_seq: int | None, upto: int) -> Page:
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        try:
            if since_seq is None:
                page = await self._feed.newest(room_id, self._limit, upto)
            else:
                page = await self._feed.between(room_id, since_seq, upto, self._limit)
        except BaseException as exc:
            flight.set_exception(exc)
            flight.exception()
            raise
        else:
            self.rows_read += len(page.messages)
            flight.set_result(page)
            return page
        finally:
            del self._flights[key]
