"""Implements services' Publisher on the Socket.IO server: what services announce, sockets get.

Message broadcasts are handed to a task, so a socket handler's ack is queued before the
broadcast starts (ack, then fan-out) and a large room's fan-out never delays the sender's
ack. One broadcast is one manager emit: the packet is encoded once for every local
recipient and published once to Redis. Membership and revocation orders are control orders
(control.py), awaited.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import socketio

from chat.domain.models import Message, Room
from chat.metrics import Metrics
from chat.realtime.control import send_room_left, send_session_end
from chat.realtime.names import ROOM_ADDED, ROOM_CREATED, room_channel, user_channel

log = logging.getLogger(__name__)


class SocketPublisher:
    def __init__(self, sio: socketio.AsyncServer, metrics: Metrics) -> None:
        self._sio = sio
        self._fanout = metrics.fanout_seconds
        self._pending: set[asyncio.Task[None]] = set()

    async def message_created(self, message: Message) -> None:
        self._broadcast("message", message)

    async def message_updated(self, message: Message) -> None:
        self._broadcast("message_updated", message)

    async def membership_ended(self, room_id: int, user_id: int) -> None:
        await send_room_left(self._sio, room_id, user_id)

    async def room_added(self, user_id: int, room: Room) -> None:
        await self._sio.emit(ROOM_ADDED, room.as_dict(), room=user_channel(user_id))

    async def room_created(self, room: Room) -> None:
        await self._sio.emit(ROOM_CREATED, room.as_dict())

    async def token_revoked(self, jti: str) -> None:
        await send_session_end(self._sio, jti)

    def _broadcast(self, event: str, message: Message) -> None:
        task = asyncio.create_task(
            self._emit(event, message.as_dict(), room_channel(message.room_id), time.perf_counter())
        )
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _emit(self, event: str, data: dict[str, Any], room: str, since: float) -> None:
        try:
            await self._sio.emit(event, data, room=room)
        except Exception:
            log.exception("broadcast failed event=%s room=%s", event, room)
        finally:
            self._fanout.observe(time.perf_counter() - since)

    async def drain(self) -> None:
        """Waits (up to 5 s) for broadcasts under way: shutdown."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=5.0)
