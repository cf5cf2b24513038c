"""This process's new messages, announced in seq order per room.

Sends of one room that commit close together come back from PostgreSQL in any order (each
on its own connection, one event loop reading them all), so broadcasting each as it
returns showed a room's members seq 6 before 5 - 5 swaps in 400 copies for a burst of 80
concurrent sends. Here a returned message waits while a send of the same room that might
hold the seq before it is still in flight in this process, and goes out, in seq order,
as soon as that send returns or fails. Seqs this process will never see (sent through
another process) would leave a gap forever, so nothing waits longer than HOLD_SECONDS.
The sender's ack never waits: only the broadcast does.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chat.domain.models import Message

HOLD_SECONDS = 0.02

Announce = Callable[[Message], Awaitable[None]]


@dataclass
class _Room:
    in_flight: int = 0
    last: int | None = None  # the highest seq announced
    held: list[tuple[int, int, Message]] = field(default_factory=list)  # (seq, id, message)
    timer: asyncio.TimerHandle | None = None


class RoomOrder:
    def __init__(self, announce: Announce) -> None:
        self._announce = announce
        self._rooms: dict[int, _Room] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def started(self, room_id: int) -> None:
        """A send to the room is on its way to the database."""
        self._rooms.setdefault(room_id, _Room()).in_flight += 1

    async def finished(self, room_id: int, message: Message | None) -> None:
        """That send returned: with the message it stored, or None (nothing new stored)."""
        room = self._rooms[room_id]
        room.in_flight -= 1
        if message is not None:
            heapq.heappush(room.held, (message.seq, message.id, message))
        await self._release(room_id, room, force=False)

    async def _release(self, room_id: int, room: _Room, *, force: bool) -> None:
        while room.held:
            seq = room.held[0][0]
            next_in_line = room.last is not None and seq <= room.last + 1
            if not (force or next_in_line or room.in_flight == 0):
                if room.timer is None:
                    loop = asyncio.get_running_loop()
                    room.timer = loop.call_later(HOLD_SECONDS, self._expire, room_id)
                return
            message = heapq.heappop(room.held)[2]
            room.last = seq if room.last is None else max(room.last, seq)
            await self._announce(message)
        if room.timer is not None:
            room.timer.cancel()
            room.timer = None
        if room.in_flight == 0 and self._rooms.get(room_id) is room:
            del self._rooms[room_id]

    def _expire(self, room_id: int) -> None:
        room = self._rooms.get(room_id)
        if room is None:
            return
        room.timer = None
        task = asyncio.get_running_loop().create_task(self._release(room_id, room, force=True))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
