"""Socket events about rooms: join, leave, typing, read."""

from __future__ import annotations

import socketio

from chat.metrics import Metrics
from chat.realtime import pages, payloads
from chat.realtime.acks import Ack, EventRouter, ok
from chat.realtime.connections import Connection
from chat.realtime.names import room_channel
from chat.realtime.presence import Attendance
from chat.services.container import Services
from chat.services.messages import RESUME_LIMIT
from chat.services.rooms import Need


class RoomEvents:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        services: Services,
        attendance: Attendance,
        metrics: Metrics,
        page_bytes: int,
    ) -> None:
        self._sio = sio
        self._page_bytes = page_bytes
        self._rooms = services.rooms
        self._messages = services.messages
        self._attendance = attendance
        self._db = {e: metrics.db_seconds.labels(e) for e in ("join", "typing", "read")}

    def register(self, router: EventRouter) -> None:
        router.on("join", self.join, limit="join")
        router.on("leave", self.leave, limit="leave")
        router.on("typing", self.typing, limit="typing")
        router.on("read", self.read, limit="read")

    async def join(self, conn: Connection, payload: object) -> Ack:
        """Follows the room first, then reads what was missed: a message committed in
        between arrives live and in the ack (clients merge by seq), never in neither.
        Without since_seq the ack carries the room's newest page."""
        request = payloads.join_request(payload)
        with self._db["join"].time():
            room, _ = await self._rooms.join_room(conn.user, request.room_id)
        await self._attendance.follow(conn, room.id)
        with self._db["join"].time():
            if request.since_seq is None:
                page = await self._messages.history(
                    conn.user, room.id, before=None, after=None, limit=RESUME_LIMIT
                )
            else:
                page = await self._messages.since(room.id, request.since_seq)
        messages, cut = pages.fit(
            page.messages,
            self._page_bytes,
            newest=request.since_seq is None,
        )
        return ok(
            room=room.as_dict(),
            messages=messages,
            has_more=page.has_more or cut,
            online=await self._attendance.online(room.id),
        )

    async def leave(self, conn: Connection, payload: object) -> Ack:
        """Stops this socket following the room; membership stays (REST removes it)."""
        request = payloads.room_ref(payload)
        await self._attendance.unfollow(conn, request.room_id)
        return ok()

    async def typing(self, conn: Connection, payload: object) -> Ack:
        request = payloads.room_ref(payload)
        with self._db["typing"].time():
            await self._rooms.access(conn.user, request.room_id, Need.MEMBER_ELSE_403)
        await self._sio.emit(
            "typing",
            {"room_id": request.room_id, "user": conn.user.as_dict()},
            to=room_channel(request.room_id),
            skip_sid=conn.sid,
        )
        return ok()

    async def read(self, conn: Connection, payload: object) -> Ack:
        request = payloads.read_request(payload)
        with self._db["read"].time():
            await self._rooms.mark_read(conn.user, request.room_id, request.seq)
        return ok()
