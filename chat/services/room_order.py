"""This process's new messages, announced in seq order per room.

Sends of one room that commit close together come back from PostgreSQL in any order (each
on its own connection, one event loop reading them all), so broadcasting each as it
returned showed a room's members seq 6 before 5 - 5 swaps in 400 copies for a burst of 80
concurrent sends. A message whose send returned at time T has committed before T; only a
send already in flight at T can have taken a lower seq, and any send started after T takes
a higher one. So a returned message waits for exactly the sends of its room that were in
flight when it returned - about one round trip at most - and then goes out, in seq order
with what returned meanwhile. Nothing ever waits for seqs taken through other processes.
The sender's ack never waits: only the broadcast does.
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chat.domain.models import Message

Announce = Callable[[Message], Awaitable[None]]


@dataclass
class _Room:
    next_ticket: int = 0
    in_flight: set[int] = field(default_factory=set)
    # (seq, id, horizon, message): announced once no ticket below horizon is in flight.
    held: list[tuple[int, int, int, Message]] = field(default_factory=list)


class RoomOrder:
    def __init__(self, announce: Announce) -> None:
        self._announce = announce
        self._rooms: dict[int, _Room] = {}

    def started(self, room_id: int) -> int:
        """A send to the room is on its way to the database: its ticket."""
        room = self._rooms.setdefault(room_id, _Room())
        ticket = room.next_ticket
        room.next_ticket += 1
        room.in_flight.add(ticket)
        return ticket

    async def finished(self, room_id: int, ticket: int, message: Message | None) -> None:
        """That send returned: with the message it stored, or None (nothing new stored)."""
        room = self._rooms[room_id]
        room.in_flight.discard(ticket)
        if message is not None:
            heapq.heappush(room.held, (message.seq, message.id, room.next_ticket, message))
        earliest = min(room.in_flight) if room.in_flight else None
        while room.held and (earliest is None or earliest >= room.held[0][2]):
            await self._announce(heapq.heappop(room.held)[3])
        if not room.in_flight and not room.held:
            del self._rooms[room_id]
