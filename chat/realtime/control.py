"""Control orders: what one process tells every process to do to its own sockets.

- Session end (logout): every socket opened with the revoked token is ended.
- Room left (leaving, or being removed, over REST): the user's sockets stop following the
  room at once.

An order is sent as an ordinary server event to a Socket.IO room — `session_revoked` to
`token:{jti}`, `room_left` to `user:{id}` — so the same emit tells the client and, with
Redis, the same publish carries the order to every process. Each process carries it out
when the emit is delivered to it (SocketServer.on_delivered, which sees this process's own
emits and every other process's): the server does it itself, nothing relies on the client
obeying the event. The sender awaits the emit, so the REST call that caused an order
returns after it was handed to every process.
"""

from __future__ import annotations

from typing import Any

import socketio

from chat.realtime.connections import Connections
from chat.realtime.engine.socket_server import SocketServer
from chat.realtime.names import (
    ROOM_LEFT,
    ROOM_REMOVED,
    SESSION_REVOKED,
    TOKEN_PREFIX,
    USER_PREFIX,
    token_channel,
    user_channel,
)
from chat.realtime.presence import Attendance
from chat.realtime.revocation import Sessions


async def send_room_left(sio: socketio.AsyncServer, room_id: int, user_id: int) -> None:
    """The order (`room_left`), then the contract's `room_removed` for clients: one user
    room, so both reach the same sockets in this order on every process."""
    await sio.emit(ROOM_LEFT, {"room_id": room_id}, room=user_channel(user_id))
    await sio.emit(ROOM_REMOVED, {"room_id": room_id}, room=user_channel(user_id))


async def send_session_end(sio: socketio.AsyncServer, jti: str) -> None:
    await sio.emit(SESSION_REVOKED, {"reason": "logged out"}, room=token_channel(jti))


class Orders:
    """Carries out the orders delivered to this process."""

    def __init__(
        self,
        socket: SocketServer,
        connections: Connections,
        sessions: Sessions,
        attendance: Attendance,
    ) -> None:
        self._socket = socket
        self._connections = connections
        self._sessions = sessions
        self._attendance = attendance

    async def carry_out(self, event: str, data: Any, room: str | None) -> None:
        if room is None:
            return
        if event == SESSION_REVOKED and room.startswith(TOKEN_PREFIX):
            # The event itself already reached these sockets, by the emit that brought it.
            self._sessions.end_all(self._socket.participants(room))
        elif event == ROOM_LEFT and room.startswith(USER_PREFIX) and isinstance(data, dict):
            room_id = data.get("room_id")
            if not isinstance(room_id, int):
                return
            for sid in self._socket.participants(room):
                conn = self._connections.get(sid)
                if conn is not None:
                    await self._attendance.unfollow(conn, room_id)
