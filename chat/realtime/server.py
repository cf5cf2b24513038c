"""Builds the AsyncServer (with our Redis manager when REDIS_URL is set) and wires it up:
connect and disconnect, the event handlers, presence, session ends and control orders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import socketio
from redis.asyncio import Redis, RedisCluster
from socketio import packet as sio_packet

from chat.domain.errors import ChatError, Unavailable
from chat.metrics import Metrics
from chat.realtime.acks import EventRouter, failed
from chat.realtime.connections import Connection, Connections
from chat.realtime.fanout import install_direct_websocket, write_now
from chat.realtime.limits import Limits
from chat.realtime.managers import LocalManager
from chat.realtime.messages import MessageEvents
from chat.realtime.names import (
    ROOM_LEFT,
    SESSION_REVOKED,
    TOKEN_PREFIX,
    USER_PREFIX,
    token_channel,
    user_channel,
)
from chat.realtime.packets import ChatPacket
from chat.realtime.presence import Attendance, LocalPresence, PresenceBackend
from chat.realtime.presence_redis import RedisPresence
from chat.realtime.publisher import SocketPublisher
from chat.realtime.revocation import NAMESPACE, Sessions
from chat.realtime.rooms import RoomEvents
from chat.realtime.routed_manager import RoutedRedisManager
from chat.services.container import Services
from chat.settings import Settings

log = logging.getLogger(__name__)


class ChatServer(socketio.AsyncServer):  # type: ignore[misc]
    """Two guards python-socketio does not have.

    - It logs a traceback at ERROR for every packet it cannot parse (deep nesting included);
      a client that sends one is not speaking Socket.IO, so it is closed with a one-line
      warning.
    - It dispatches a client's event named `connect` or `disconnect` to the server's own
      connect and disconnect handlers: a client could re-run authentication or fake its
      departure. Those names are refused with `invalid`.
    """

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            log.warning("malformed packet, closing the connection: %s", type(exc).__name__)
            await self.eio.disconnect(eio_sid)

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        """Acks (and other packets to one socket) go straight to an idle websocket's
        transport, as broadcasts do (fanout.py), instead of engineio's queue and writer task."""
        encoded = pkt.encode()
        if isinstance(encoded, str):
            socket = self.eio.sockets.get(eio_sid)
            if socket is None or not write_now(socket, encoded):
                await self.eio.send(eio_sid, encoded)
            return
        await super()._send_packet(eio_sid, pkt)

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        if data and data[0] in self.reserved_events:
            log.warning("refused a client event with the reserved name %r", data[0])
            if id is not None:
                ack = failed("invalid", "reserved event name")
                await self._send_packet(
                    eio_sid,
                    self.packet_class(
                        sio_packet.ACK, namespace=namespace or "/", data=[ack], id=id
                    ),
                )
            return
        await super()._handle_event(eio_sid, namespace, id, data)


class Realtime:
    """Created before the services (they need its publisher), bound to them after."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.manager: LocalManager | RoutedRedisManager
        if settings.redis_url:
            self.manager = RoutedRedisManager(
                settings.redis_url,
                settings.redis_prefix,
                metrics,
                cluster=settings.redis_cluster,
                subscribe_timeout=settings.redis_subscribe_timeout_seconds,
                pool_size=settings.redis_pool_size,
            )
        else:
            self.manager = LocalManager()
        self.manager.after_emit = self._after_emit
        self.sio = ChatServer(
            async_mode="asgi",
            client_manager=self.manager,
            # None is engineio's same-origin check; a list is the explicit allow-list.
            cors_allowed_origins=list(settings.cors_origins) or None,
            max_http_buffer_size=settings.max_http_buffer_size,
            logger=False,
            engineio_logger=False,
            serializer=ChatPacket,
        )
        install_direct_websocket(self.sio)
        self.publisher = SocketPublisher(self.sio, metrics)
        manager = self.manager
        metrics.track_fanout(
            lambda: (manager.direct_copies, manager.queued_copies, manager.slow_consumers_closed)
        )
        self.asgi_app = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        self.connections = Connections()
        self.sessions = Sessions(self.sio)
        self.limits = Limits.from_settings(settings)
        self._redis: Redis | RedisCluster | None = None
        self._attendance: Attendance | None = None
        self._services: Services | None = None

    def bind(self, services: Services) -> None:
        self._services = services
        self._redis = services.redis
        backend: PresenceBackend = LocalPresence()
        if services.redis is not None:
            backend = RedisPresence(
                services.redis, self.settings.redis_prefix, self.settings.presence_ttl_seconds
            )
        self._attendance = Attendance(self.sio, backend, self.settings.presence_ttl_seconds)
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        router = EventRouter(self.sio, self.connections, self.metrics)
        RoomEvents(self.sio, services, self._attendance, self.metrics).register(router)
        MessageEvents(services, self.metrics).register(router)
        router.on_unknown()

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("Realtime.bind() was not called")
        return self._services

    @property
    def attendance(self) -> Attendance:
        if self._attendance is None:
            raise RuntimeError("Realtime.bind() was not called")
        return self._attendance

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            principal = await self.services.accounts.authenticate(token)
        except Unavailable:
            log.warning("socket refused: token store unavailable")
            raise socketio.exceptions.ConnectionRefusedError("unavailable") from None
        except ChatError:
            log.warning("socket refused: unauthorized address=%s", environ.get("REMOTE_ADDR"))
            raise socketio.exceptions.ConnectionRefusedError("unauthorized") from None
        conn = Connection(
            sid=sid,
            principal=principal,
            send_bucket=self.limits.send_bucket(),
            typing_bucket=self.limits.typing_bucket(),
        )
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
        self.sessions.forget(conn)
        self.metrics.connected_sockets.dec()
        for room_id in list(conn.rooms):
            # The manager takes the sid out of every room itself once this returns.
            await self.attendance.unfollow(conn, room_id, leave_channel=False)

    async def _after_emit(self, event: str, data: Any, room: str | None) -> None:
        """Control orders riding on the publisher's events (see managers.py)."""
        if room is None:
            return
        if event == SESSION_REVOKED and room.startswith(TOKEN_PREFIX):
            self.sessions.revoke_room(room)
        elif event == ROOM_LEFT and room.startswith(USER_PREFIX) and isinstance(data, dict):
            room_id = data.get("room_id")
            if not isinstance(room_id, int):
                return
            for sid, _ in list(self.sio.manager.get_participants(NAMESPACE, room)):
                conn = self.connections.get(sid)
                if conn is not None:
                    await self.attendance.unfollow(conn, room_id)

    async def start(self) -> None:
        """Starts the manager's listener now rather than at the first connection, and the
        presence heartbeat (which also reaps dead processes)."""
        if not self.sio.manager_initialized:
            self.sio.manager_initialized = True
            self.manager.initialize()
        await self.attendance.start()

    async def stop(self) -> None:
        await self.publisher.drain()
        await self.sessions.stop()
        await self.attendance.stop()
        listener = getattr(self.manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
