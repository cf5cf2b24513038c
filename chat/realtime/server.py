"""Builds the AsyncServer (with our Redis manager when REDIS_URL is set) and wires it up:
connect and disconnect, the event handlers, presence, session ends and control orders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import socketio
from redis.asyncio import Redis
from socketio import packet as sio_packet

from chat.domain.errors import ChatError, Unavailable
from chat.metrics import Metrics
from chat.realtime.acks import EventRouter, failed
from chat.realtime.connections import Connection, Connections
from chat.realtime.engine.fanout import end_session, install_direct_websocket
from chat.realtime.engine.managers import LocalManager, RedisManager
from chat.realtime.engine.packets import ChatPacket
from chat.realtime.limits import Limits
from chat.realtime.messages import MessageEvents
from chat.realtime.names import (
    ROOM_LEFT,
    SESSION_REVOKED,
    TOKEN_PREFIX,
    USER_PREFIX,
    token_channel,
    user_channel,
)
from chat.realtime.presence import Attendance, LocalPresence, PresenceBackend
from chat.realtime.presence_redis import RedisPresence
from chat.realtime.publisher import SocketPublisher
from chat.realtime.quiet_log import QuietLog
from chat.realtime.revocation import NAMESPACE, Sessions
from chat.realtime.rooms import RoomEvents
from chat.services.container import Services
from chat.settings import Settings

log = logging.getLogger(__name__)
packets_refused = QuietLog(log)
refusals = QuietLog(log)


class ChatServer(socketio.AsyncServer):  # type: ignore[misc]
    """Guards python-socketio does not have.

    - It logs a traceback at ERROR for every packet it cannot parse (deep nesting included);
      a client that sends one is not speaking Socket.IO, so it is closed with a one-line
      warning (rate-limited: quiet_log.py). Binary packets close the connection too.
    - A refused namespace connect may be retried on the same connection without end: after
      connect_attempts refusals the connection is closed; and a session that does not
      connect to the namespace within connect_timeout seconds is closed.
    - One socket's events run a few at a time, a bounded number waiting (EventGate).
    - It dispatches a client's event named `connect` or `disconnect` to the server's own
      connect and disconnect handlers: a client could re-run authentication or fake its
      departure. Those names are refused with `invalid`, as are names that are not strings.
    """

    def __init__(
        self,
        *,
        connect_attempts: int,
        connect_timeout: float,
        event_concurrency: int,
        event_backlog: int,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.connect_attempts = connect_attempts
        self.connect_timeout = connect_timeout
        self.event_concurrency = event_concurrency
        self.event_backlog = event_backlog
        self._ending: set[asyncio.Task[None]] = set()

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> None:
        """An Engine.IO session must connect to the namespace within connect_timeout
        seconds, or it is closed: each one holds memory (and a websocket a descriptor)."""
        await super()._handle_eio_connect(eio_sid, environ)
        loop = asyncio.get_running_loop()
        loop.call_later(self.connect_timeout, self._connect_deadline, eio_sid)

    def _connect_deadline(self, eio_sid: str) -> None:
        if eio_sid not in self.eio.sockets or self.manager.sid_from_eio_sid(eio_sid, "/"):
            return
        packets_refused.warning("idle", "closing a connection that never connected")
        task = asyncio.create_task(end_session(self.eio, eio_sid))
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def _handle_connect(self, eio_sid: str, namespace: Any, data: Any) -> None:
        """A connection whose namespace connect was refused connect_attempts times is
        closed: a client could otherwise retry a bad token on one websocket without end."""
        await super()._handle_connect(eio_sid, namespace, data)
        if self.manager.sid_from_eio_sid(eio_sid, namespace or "/") is not None:
            return
        socket = self.eio.sockets.get(eio_sid)
        if socket is None:
            return
        refusals = getattr(socket, "chat_refused_connects", 0) + 1
        socket.chat_refused_connects = refusals
        if refusals >= self.connect_attempts:
            packets_refused.warning(
                "connects", "closing a connection after %d refused connects", refusals
            )
            await end_session(self.eio, eio_sid)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or data.startswith(("5", "6")):
            # Binary attachments or a BINARY_EVENT/BINARY_ACK header (long-polling; the
            # websocket refuses them before engineio decodes them: fanout.refused).
            packets_refused.warning("binary", "binary packet, closing the connection")
            await end_session(self.eio, eio_sid)
            return
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            packets_refused.warning(
                "malformed", "malformed packet, closing the connection: %s", type(exc).__name__
            )
            await end_session(self.eio, eio_sid)

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        """Acks (and other packets to one socket) are bounded per socket like broadcast
        copies, and go straight to an idle websocket's transport (fanout.py)."""
        encoded = pkt.encode()
        if isinstance(encoded, str):
            await self.manager.send_one(eio_sid, encoded)
            return
        await super()._send_packet(eio_sid, pkt)

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        reason = None
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            # python-socketio would look the name up as a dict key: a list raised
            # TypeError in a task of its own, and the client's ack never came.
            reason = "the event name must be a string"
        elif data[0] in self.reserved_events:
            packets_refused.warning("reserved", "refused a client event with a reserved name")
            reason = "reserved event name"
        if reason is not None:
            await self._answer(eio_sid, namespace, id, failed("invalid", reason))
            return
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        gate = self._gate(eio_sid)
        if gate is None or not self.manager.is_connected(sid, namespace or "/"):
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        if gate.pending >= self.event_backlog:
            packets_refused.warning("backlog", "refused an event: too many in flight")
            await self._answer(
                eio_sid, namespace, id, failed("rate_limited", "too many requests in flight")
            )
            return
        gate.pending += 1
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: Any, id: Any
    ) -> None:
        """Runs at most event_concurrency of one socket's events at a time; the others
        wait their turn (event_backlog in all, running or waiting)."""
        gate = self._gate(eio_sid)
        if gate is None:
            await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
            return
        try:
            async with gate.running:
                await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
        finally:
            gate.pending -= 1

    def _gate(self, eio_sid: str) -> EventGate | None:
        socket = self.eio.sockets.get(eio_sid)
        if socket is None:
            return None
        gate: EventGate | None = getattr(socket, "chat_event_gate", None)
        if gate is None:
            gate = EventGate(asyncio.Semaphore(self.event_concurrency))
            socket.chat_event_gate = gate
        return gate

    async def _answer(self, eio_sid: str, namespace: Any, id: Any, ack: Any) -> None:
        if id is not None:
            await self._send_packet(
                eio_sid,
                self.packet_class(sio_packet.ACK, namespace=namespace or "/", data=[ack], id=id),
            )


@dataclass(eq=False, slots=True)
class EventGate:
    """One socket's events: a bounded number run at once, a bounded number wait."""

    running: asyncio.Semaphore
    pending: int = 0


class Realtime:
    """Created before the services (they need its publisher), bound to them after."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.manager: LocalManager | RedisManager
        if settings.redis_url:
            self.manager = RedisManager(
                settings.redis_url, channel=f"{settings.redis_prefix}:socketio", metrics=metrics
            )
        else:
            self.manager = LocalManager()
        self.manager.after_emit = self._after_emit
        self.manager.max_buffered_bytes = settings.socket_max_buffered_bytes
        self.sio = ChatServer(
            connect_attempts=settings.socket_connect_attempts,
            connect_timeout=settings.socket_connect_timeout_seconds,
            event_concurrency=settings.socket_event_concurrency,
            event_backlog=settings.socket_event_backlog,
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
        self._redis: Redis | None = None
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
        RoomEvents(
            self.sio, services, self._attendance, self.metrics, self.settings.join_page_max_bytes
        ).register(router)
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
            refusals.warning(
                "unauthorized",
                "socket refused: unauthorized address=%s",
                environ.get("REMOTE_ADDR"),
            )
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
