"""Builds the AsyncServer (with AsyncRedisManager when REDIS_URL is set) and its handlers."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from chat.domain.errors import ChatError
from chat.metrics import Metrics
from chat.realtime.names import token_channel, user_channel
from chat.realtime.publisher import SocketPublisher
from chat.services.container import Services
from chat.settings import Settings

log = logging.getLogger(__name__)


class Realtime:
    """Created before the services (they need its publisher), bound to them after."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        manager: socketio.AsyncManager | None = None
        if settings.redis_url:
            manager = socketio.AsyncRedisManager(
                settings.redis_url, channel=f"{settings.redis_prefix}:socketio"
            )
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            # None is engineio's same-origin check; a list is the explicit allow-list.
            cors_allowed_origins=list(settings.cors_origins) or None,
            max_http_buffer_size=settings.max_http_buffer_size,
            logger=False,
            engineio_logger=False,
        )
        self.publisher = SocketPublisher(self.sio)
        self.asgi_app = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        self._services: Services | None = None

    def bind(self, services: Services) -> None:
        self._services = services
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)

    @property
    def services(self) -> Services:
        assert self._services is not None, "Realtime.bind() was not called"
        return self._services

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            principal = await self.services.accounts.authenticate(token)
        except ChatError:
            log.warning("socket refused: unauthorized address=%s", environ.get("REMOTE_ADDR"))
            raise socketio.exceptions.ConnectionRefusedError("unauthorized") from None
        await self.sio.save_session(sid, {"principal": principal})
        await self.sio.enter_room(sid, user_channel(principal.user.id))
        await self.sio.enter_room(sid, token_channel(principal.jti))
        self.metrics.connected_sockets.inc()

    async def _disconnect(self, sid: str, *args: Any) -> None:
        self.metrics.connected_sockets.dec()

    async def start(self) -> None:
        """Background work that lives as long as the process (presence heartbeat, expiry)."""

    async def stop(self) -> None:
        """Stops background work."""
