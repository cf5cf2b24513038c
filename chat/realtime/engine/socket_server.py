"""SocketServer: the AsyncServer, its client manager and its ASGI app, built from settings.
What the rest of realtime/ holds instead of reaching into python-socketio: `sio` for the
public API (on, emit, enter_room, ...), and the few things the seam does on its behalf."""

from __future__ import annotations

import socketio

from chat.metrics import Metrics
from chat.realtime.engine.fanout import Sequencer
from chat.realtime.engine.managers import AfterEmit, LocalManager
from chat.realtime.engine.packets import ChatPacket
from chat.realtime.engine.routed_manager import RoutedRedisManager
from chat.realtime.engine.server import EngineServer
from chat.realtime.engine.transport import Backlog
from chat.realtime.engine.websocket import end_session, install_direct_websocket
from chat.settings import Settings

NAMESPACE = "/"


class SocketServer:
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.backlog = Backlog(settings.socket_max_buffered_bytes)
        self.manager: LocalManager | RoutedRedisManager
        if settings.redis_url:
            self.manager = RoutedRedisManager(
                settings.redis_url,
                settings.redis_prefix,
                metrics,
                cluster=settings.redis_cluster,
                subscribe_timeout=settings.redis_subscribe_timeout_seconds,
                pool_size=settings.redis_pool_size,
                backlog=self.backlog,
            )
        else:
            self.manager = LocalManager(self.backlog)
        self.sio = EngineServer(
            connect_attempts=settings.socket_connect_attempts,
            connect_timeout=settings.socket_connect_timeout_seconds,
            event_concurrency=settings.socket_event_concurrency,
            event_backlog=settings.socket_event_backlog,
            backlog=self.backlog,
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
        metrics.track_fanout(self.backlog.counters)
        self.asgi_app = socketio.ASGIApp(self.sio, socketio_path="socket.io")

    def on_delivered(self, hook: AfterEmit) -> None:
        """hook(event, data, room) runs after each emit is delivered to this process's
        sockets: this process's own emits and, with Redis, every other process's."""
        self.manager.after_emit = hook

    def sequence_with(self, sequencer: Sequencer) -> None:
        """Local delivery of the broadcasts the sequencer takes goes through it."""
        self.manager.sequencer = sequencer

    async def deliver_in_order(self, event: str, room: str, data: object) -> None:
        """Delivers a broadcast to this process's sockets in the room, as the sequencer
        decided (never to Redis)."""
        await self.manager.deliver_in_order(event, room, data)

    def participants(self, room: str) -> list[str]:
        """The sids of this process's sockets in a Socket.IO room."""
        return [sid for sid, _ in self.manager.get_participants(NAMESPACE, room)]

    async def close(self, sid: str) -> None:
        """Disconnects the socket from the namespace, then ends its Engine.IO session at
        once (what was queued is written first; a client that does not read is not waited
        for)."""
        eio_sid = self.manager.eio_sid_from_sid(sid, NAMESPACE)
        if eio_sid is None:
            return
        await self.sio.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
        await end_session(self.sio.eio, eio_sid)

    async def start(self) -> None:
        """Starts the manager (with Redis, its listener) now rather than at the first
        connection."""
        if not self.sio.manager_initialized:
            self.sio.manager_initialized = True
            self.manager.initialize()

    async def stop(self) -> None:
        if isinstance(self.manager, RoutedRedisManager):
            await self.manager.stop_listening()
