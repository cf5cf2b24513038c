"""Implements services' Publisher on the Socket.IO server: what services announce, sockets get."""

from __future__ import annotations

import socketio

from chat.domain.models import Message
from chat.realtime.names import room_channel, token_channel, user_channel


class SocketPublisher:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def message_created(self, message: Message) -> None:
        await self._sio.emit("message", message.as_dict(), room=room_channel(message.room_id))

    async def message_updated(self, message: Message) -> None:
        await self._sio.emit(
            "message_updated", message.as_dict(), room=room_channel(message.room_id)
        )

    async def membership_ended(self, room_id: int, user_id: int) -> None:
        # Sockets of that user stop receiving the room's events on every process.
        await self._sio.emit("room_left", {"room_id": room_id}, room=user_channel(user_id))

    async def token_revoked(self, jti: str) -> None:
        await self._sio.emit("session_revoked", {"reason": "logged out"}, room=token_channel(jti))
