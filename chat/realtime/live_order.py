"""The live stream of each room this process has sockets in: in seq order, each once, healed.

Every local delivery of a `message` to a room passes through here (the manager hands it
over: engine/fanout.py `sequencer`). Per room this process follows it keeps `delivered`,
the last seq its sockets got, and:

- delivers seq == delivered + 1 at once, then whatever held message follows it;
- drops seq <= delivered (a repeat: a broadcast heard twice, or one already filled in);
- holds seq > delivered + 1 for LIVE_GAP_HOLD_SECONDS (a broadcast from another process can
  overtake one still on its way), then reads the missing range from the database (one read)
  and delivers it, in order, before the held one;
- every LIVE_POLL_SECONDS reads the last seq of every followed room (one query for all) and
  fills a gap that was already there at the previous poll: a broadcast lost between
  processes (Redis down, a pub/sub connection dropped) reaches the room's sockets within
  two polls, whether Redis answers or not. A room's seq only grows by commits, and seq N+1
  commits after N (the room row's lock), so a read finds every seq below a known one.

The tail of delivered messages (LIVE_BUFFER_MESSAGES) is kept: `join since_seq` is served
from it without the database when it reaches back far enough (live_pages.py). A room is
primed with one read of its newest messages when its first local socket joins (concurrent
joins share it), and forgotten once no local socket has followed it for a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from chat.domain.models import Message
from chat.realtime.names import ROOM_PREFIX
from chat.services.live_feed import LiveFeed

log = logging.getLogger(__name__)

Encoded = dict[str, Any]
Deliver = Callable[[str, str, Encoded], Awaitable[None]]
HasSockets = Callable[[int], bool]

SEQUENCED = ("message", "message_updated")
FILL_PAGE = 200


@dataclass
class RoomStream:
    delivered: int = 0
    primed: asyncio.Future[None] | None = None
    ready: bool = False
    held: dict[int, Encoded] = field(default_factory=dict)
    recent: deque[Encoded] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None
    filling: asyncio.Task[None] | None = None
    seen_position: int = 0
    joining: int = 0

    def first_kept(self) -> int:
        """The lowest seq in the tail (delivered + 1 when it is empty)."""
        return int(self.recent[0]["seq"]) if self.recent else self.delivered + 1


def room_id_of(channel: object) -> int | None:
    if isinstance(channel, str) and channel.startswith(ROOM_PREFIX):
        tail = channel[len(ROOM_PREFIX) :]
        if tail.isdigit():
            return int(tail)
    return None


class LiveOrder:
    def __init__(
        self,
        feed: LiveFeed,
        deliver: Deliver,
        has_sockets: HasSockets,
        *,
        hold_seconds: float,
        poll_seconds: float,
        keep: int,
    ) -> None:
        self._feed = feed
        self._deliver = deliver
        self._has_sockets = has_sockets
        self._hold = hold_seconds
        self._poll = poll_seconds
        self._keep = keep
        self._rooms: dict[int, RoomStream] = {}
        self._task: asyncio.Task[None] | None = None
        self.filled = 0  # messages delivered from the database rather than a broadcast
        self.rows_read = 0  # database rows read (priming, fills)

    # The manager's side.

    def takes(self, event: str, room: object) -> bool:
        return event in SEQUENCED and room_id_of(room) is not None

    async def offer(self, event: str, room: str, data: Any) -> None:
        room_id = room_id_of(room)
        stream = self._rooms.get(room_id) if room_id is not None else None
        if stream is None or not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            await self._deliver(event, room, data)
            return
        if event != "message":
            self._refresh(stream, data)
            await self._deliver(event, room, data)
            return
        seq = int(data["seq"])
        if not stream.ready or seq > stream.delivered + 1:
            if seq > stream.delivered:
                stream.held[seq] = data
                self._arm(room_id, stream)  # type: ignore[arg-type]
            return
        if seq == stream.delivered + 1:
            await self._send(room, stream, data)
            await self._release(room, stream)

    # The join's side.

    def stream(self, room_id: int) -> RoomStream | None:
        return self._rooms.get(room_id)

    @contextlib.asynccontextmanager
    async def joining(self, room_id: int, position: int) -> Any:
        """The room's stream, primed and delivered up to `position` at least (the room's
        last seq as the join read it); it is not forgotten while the block runs."""
        stream = self._rooms.get(room_id)
        if stream is None:
            stream = self._rooms[room_id] = RoomStream()
        stream.joining += 1
        try:
            await self._primed(room_id, stream)
            while stream.delivered < position:
                before = stream.delivered
                await asyncio.shield(self._fill(room_id, stream, position))
                if stream.delivered == before:
                    break  # nothing found: the room lost those messages (it was deleted)
            yield stream
        finally:
            stream.joining -= 1

    async def _primed(self, room_id: int, stream: RoomStream) -> None:
        if stream.ready:
            return
        if stream.primed is None:
            stream.primed = asyncio.get_running_loop().create_future()
            try:
                page = await self._feed.newest(room_id, self._keep)
            except BaseException as exc:
                stream.primed.set_exception(exc)
                stream.primed.exception()  # retrieved: the joins waiting on it re-raise
                stream.primed = None
                raise
            self.rows_read += len(page.messages)
            for message in page.messages:
                self._keep_tail(stream, message.as_dict())
            stream.delivered = page.messages[-1].seq if page.messages else 0
            stream.seen_position = stream.delivered
            stream.ready = True
            stream.primed.set_result(None)
            await self._release(ROOM_PREFIX + str(room_id), stream)
            if stream.held:
                self._arm(room_id, stream)
        else:
            await asyncio.shield(stream.primed)

    # Delivery, in order.

    async def _send(self, room: str, stream: RoomStream, data: Encoded) -> None:
        stream.delivered = int(data["seq"])
        self._keep_tail(stream, data)
        await self._deliver("message", room, data)

    async def _release(self, room: str, stream: RoomStream) -> None:
        """Delivers the held messages that now follow on; drops those already delivered."""
        for seq in [s for s in stream.held if s <= stream.delivered]:
            del stream.held[seq]
        while stream.delivered + 1 in stream.held:
            await self._send(room, stream, stream.held.pop(stream.delivered + 1))

    def _keep_tail(self, stream: RoomStream, data: Encoded) -> None:
        stream.recent.append(data)
        while len(stream.recent) > self._keep:
            stream.recent.popleft()

    def _refresh(self, stream: RoomStream, data: Encoded) -> None:
        """An edited or deleted message replaces its copy in the tail."""
        seq = int(data["seq"])
        first = stream.first_kept()
        if first <= seq <= stream.delivered and stream.recent:
            index = seq - first
            if 0 <= index < len(stream.recent) and stream.recent[index].get("id") == data.get("id"):
                stream.recent[index] = data

    # Healing.

    def _arm(self, room_id: int, stream: RoomStream) -> None:
        if stream.timer is None and stream.ready:
            loop = asyncio.get_running_loop()
            stream.timer = loop.call_later(self._hold, self._hold_over, room_id)

    def _hold_over(self, room_id: int) -> None:
        stream = self._rooms.get(room_id)
        if stream is None:
            return
        stream.timer = None
        if stream.held:
            self._fill(room_id, stream, max(stream.held))

    def _fill(self, room_id: int, stream: RoomStream, upto: int) -> asyncio.Task[None]:
        """The room's fill under way, or a new one up to upto."""
        if stream.filling is None or stream.filling.done():
            stream.filling = asyncio.create_task(self._filling(room_id, stream, upto))
        return stream.filling

    async def _filling(self, room_id: int, stream: RoomStream, upto: int) -> None:
        room = ROOM_PREFIX + str(room_id)
        try:
            while stream.delivered < upto and self._rooms.get(room_id) is stream:
                page = await self._feed.between(room_id, stream.delivered, upto, FILL_PAGE)
                found = page.messages
                self.rows_read += len(found)
                if not found:
                    break
                await self._deliver_found(room, stream, found)
                await self._release(room, stream)
        except Exception as exc:  # noqa: BLE001  # the database is away: the next poll retries
            log.warning("live stream fill failed room_id=%s: %s", room_id, exc)
        if stream.held and self._rooms.get(room_id) is stream:
            self._arm(room_id, stream)

    async def _deliver_found(self, room: str, stream: RoomStream, found: list[Message]) -> None:
        for message in found:
            if message.seq == stream.delivered + 1:
                stream.held.pop(message.seq, None)
                self.filled += 1
                await self._send(room, stream, message.as_dict())

    async def poll_once(self) -> None:
        """Forgets rooms no local socket follows; fills gaps seen at the previous poll too."""
        for room_id, stream in list(self._rooms.items()):
            if stream.joining == 0 and not self._has_sockets(room_id):
                self._forget(room_id, stream)
        ready = {r: s for r, s in self._rooms.items() if s.ready}
        if not ready:
            return
        positions = await self._feed.positions(list(ready))
        for room_id, stream in ready.items():
            position = positions.get(room_id)
            if position is None:
                self._forget(room_id, stream)
                continue
            if stream.delivered < stream.seen_position:
                self._fill(room_id, stream, max(position, stream.seen_position))
            stream.seen_position = position

    def _forget(self, room_id: int, stream: RoomStream) -> None:
        if self._rooms.get(room_id) is stream:
            del self._rooms[room_id]
        if stream.timer is not None:
            stream.timer.cancel()

    async def _polling(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            try:
                await self.poll_once()
            except Exception as exc:  # noqa: BLE001  # the database is away: next period
                log.warning("live stream poll failed: %s", exc)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._polling())

    async def stop(self) -> None:
        tasks = [s.filling for s in self._rooms.values() if s.filling is not None]
        if self._task is not None:
            tasks.append(self._task)
            self._task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for room_id, stream in list(self._rooms.items()):
            self._forget(room_id, stream)
