"""Wires the socket side: connect (token check) and disconnect, the event handlers,
presence, session ends and control orders. python-socketio is used through its public API
here; everything beneath it is in chat/realtime/engine/."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from chat.domain.errors import ChatError, Unavailable
from chat.metrics import Metrics
from chat.realtime.acks import EventRouter
from chat.realtime.connections import Connection, Connections
from chat.realtime.control import Orders
from chat.realtime.engine.socket_server import SocketServer
from chat.realtime.live_metrics import LiveCollector
from chat.realtime.live_order import LiveOrder
from chat.realtime.live_pages import JoinPages
from chat.realtime.messages import MessageEvents
from chat.realtime.names import room_channel, token_channel, user_channel
from chat.realtime.presence import Attendance, LocalPresence, PresenceBackend
from chat.realtime.presence_redis import RedisPresence
from chat.realtime.publisher import SocketPublisher
from chat.realtime.quiet_log import QuietLog
from chat.realtime.revocation import Sessions
from chat.realtime.rooms import RoomEvents
from chat.realtime.socket_cap import SocketCap
from chat.services.container import Services
from chat.services.live_feed import LiveFeed
from chat.services.messages import RESUME_LIMIT
from chat.settings import Settings

log = logging.getLogger(__name__)
refusals = QuietLog(log)


class Realtime:
    """The socket side, given the socket server, the publisher and the services."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        socket: SocketServer,
        publisher: SocketPublisher,
        services: Services,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.socket = socket
        self.sio = socket.sio
        self.publisher = publisher
        self.services = services
        self.asgi_app = socket.asgi_app
        self.connections = Connections()
        self.sessions = Sessions(socket)
        backend: PresenceBackend = LocalPresence()
        if services.redis is not None:
            backend = RedisPresence(
                services.redis, settings.redis_prefix, settings.presence_ttl_seconds
            )
        self.attendance = Attendance(self.sio, backend, settings.presence_ttl_seconds)
        self.socket_cap = SocketCap(
            settings.max_sockets_per_user,
            services.redis,
            settings.redis_prefix,
            settings.presence_ttl_seconds,
        )
        orders = Orders(socket, self.connections, self.sessions, self.attendance)
        socket.on_delivered(orders.carry_out)
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        feed = LiveFeed(services.db)
        self.live = LiveOrder(
            feed,
            socket.deliver_in_order,
            lambda room_id: bool(socket.participants(room_channel(room_id))),
            hold_seconds=settings.live_gap_hold_seconds,
            poll_seconds=settings.live_poll_seconds,
            keep=settings.live_buffer_messages,
        )
        socket.sequence_with(self.live)
        self.join_pages = JoinPages(feed, RESUME_LIMIT)
        metrics.registry.register(LiveCollector(self.live, self.join_pages))
        router = EventRouter(self.sio, self.connections, self.metrics, services.limits)
        RoomEvents(
            self.sio,
            services,
            self.attendance,
            self.metrics,
            settings.join_page_max_bytes,
            self.live,
            self.join_pages,
        ).register(router)
        MessageEvents(services, self.metrics).register(router)
        router.on_unknown()

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            principal = await self.services.accounts.authenticate(token)
        except Unavailable:
            log.warning("socket refused: token store unavailable")
            raise socketio.exceptions.ConnectionRefusedError("unavailable") from None
        except ChatError:
            refusals.warning(
                "unauthorized",
                "socket refused: unauthorized address=%s",
                environ.get("REMOTE_ADDR"),
            )
            raise socketio.exceptions.ConnectionRefusedError("unauthorized") from None
        if not await self.socket_cap.admit(principal.user.id, sid):
            refusals.warning(
                "cap", "socket refused: user_id=%s has too many sockets", principal.user.id
            )
            raise socketio.exceptions.ConnectionRefusedError("rate_limited")
        conn = Connection(sid=sid, principal=principal)
        self.connections.add(conn)
        await self.sio.enter_room(sid, user_channel(principal.user.id))
        await self.sio.enter_room(sid, token_channel(principal.jti))
        self.sessions.watch_expiry(conn)
        self.metrics.connected_sockets.inc()

    async def _disconnect(self, sid: str, *args: Any) -> None:
        conn = self.connections.pop(sid)
        if conn is None:
            return
        conn.closed = True
        await self.socket_cap.release(conn.user.id, sid)
        self.sessions.forget(conn)
        self.metrics.connected_sockets.dec()
        for room_id in list(conn.rooms):
            # The manager takes the sid out of every room itself once this returns.
            await self.attendance.unfollow(conn, room_id, leave_channel=False)

    async def start(self) -> None:
        """Starts the manager's listener now rather than at the first connection, and the
        presence heartbeat (which also reaps dead processes)."""
        await self.socket.start()
        await self.attendance.start()
        self.socket_cap.start()
        self.live.start()

    async def stop(self) -> None:
        await self.publisher.drain()
        await self.sessions.stop()
        await self.attendance.stop()
        await self.socket_cap.stop()
        await self.live.stop()
        await self.socket.stop()
