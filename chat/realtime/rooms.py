"""Socket events about rooms: join, leave, typing, read."""

from __future__ import annotations

import socketio

from chat.metrics import Metrics
from chat.realtime import pages, payloads
from chat.realtime.acks import Ack, EventRouter, ok
from chat.realtime.connections import Connection
from chat.realtime.live_order import LiveOrder
from chat.realtime.live_pages import JoinPages
from chat.realtime.names import room_channel
from chat.realtime.presence import Attendance
from chat.services.container import Services
from chat.services.rooms import Need


class RoomEvents:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        services: Services,
        attendance: Attendance,
        metrics: Metrics,
        page_bytes: int,
        live: LiveOrder,
        join_pages: JoinPages,
    ) -> None:
        self._sio = sio
        self._live = live
        self._join_pages = join_pages
        self._page_bytes = page_bytes
        self._rooms = services.rooms
        self._attendance = attendance
        self._db = {e: metrics.db_seconds.labels(e) for e in ("join", "typing", "read")}

    def register(self, router: EventRouter) -> None:
        router.on("join", self.join, limit="join")
        router.on("leave", self.leave, limit="leave")
        router.on("typing", self.typing, limit="typing")
        router.on("read", self.read, limit="read")

    async def join(self, conn: Connection, payload: object) -> Ack:
        """The socket enters the room's channel when the room's live stream stands at
        `upto` (nothing suspends between reading it and entering): every later seq reaches it
        live, and the ack carries since_seq < seq <= upto (without since_seq, the newest
        page up to upto). No message is in both, none in neither (live_pages.py)."""
        request = payloads.join_request(payload)
        with self._db["join"].time():
            room, _ = await self._rooms.join_room(conn.user, request.room_id)
            async with self._live.joining(room.id, room.last_seq) as stream:
                upto = stream.delivered
                await self._attendance.follow(conn, room.id)
                found, more = await self._join_pages.page(room.id, stream, request.since_seq, upto)
        messages, cut = pages.fit_encoded(
            found,
            self._page_bytes,
            newest=request.since_seq is None,
        )
        return ok(
            room=room.as_dict(),
            messages=messages,
            has_more=more or cut,
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
