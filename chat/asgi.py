"""create_app(settings) -> the ASGI app: the only module that knows every layer.

A small path router owns lifespan (socketio.ASGIApp would hand it to the WSGI bridge, which
rejects it, so startup code would silently never run; python-socketio 5.18), logs startup failures
with their traceback, and refuses websockets on paths other than /socket.io.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from prometheus_client import make_asgi_app

from chat import gc_tuning
from chat.http.app import create_flask_app
from chat.http.bridge import PooledWsgiToAsgi
from chat.http.guard import (
    API_CSP,
    ApiGuard,
    Receive,
    Scope,
    Send,
    header,
    security_headers,
    send_json,
    with_headers,
)
from chat.logs import configure_logging
from chat.metrics import Metrics
from chat.realtime.engine.socket_server import SocketServer
from chat.realtime.publisher import SocketPublisher
from chat.realtime.server import Realtime
from chat.redis_client import RedisClient, open_redis
from chat.services.container import build_services
from chat.settings import Settings
from chat.static_files import StaticFiles
from chat.storage import migrate
from chat.storage.database import Database, create_engine

log = logging.getLogger("chat")

_API_ALWAYS = ("/api/health", "/api/ready")


class ChatApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.db = Database(
            create_engine(settings.database_url, pool_size=settings.db_pool_size),
            raw_pool_size=settings.db_append_pool_size,
        )
        self.redis: RedisClient | None = None
        if settings.redis_url:
            self.redis = open_redis(
                settings.redis_url,
                cluster=settings.redis_cluster,
                pool_size=settings.redis_pool_size,
            )
        # The socket server and the publisher first: the services announce through it.
        self.socket = SocketServer(settings, self.metrics)
        self.publisher = SocketPublisher(self.socket.sio, self.metrics)
        self.services = build_services(settings, self.db, self.redis, self.publisher)
        self.realtime = Realtime(settings, self.metrics, self.socket, self.publisher, self.services)
        self.bridge = PooledWsgiToAsgi(
            create_flask_app(settings, self.services), threads=settings.bridge_threads
        )
        self.api = ApiGuard(self.bridge, settings)
        self.static = StaticFiles(settings.webclient_dir)
        self.metrics_app = make_asgi_app(registry=self.metrics.registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        role = self.settings.role
        if path == "/socket.io" or path.startswith("/socket.io/"):
            if role != "api":
                await self.realtime.asgi_app(scope, receive, send)
                return
        elif kind == "http":
            if path == "/api" or path.startswith("/api/"):
                if role != "socket" or path in _API_ALWAYS:
                    await self.api(scope, receive, send)
                    return
            elif path == "/metrics":
                if self.settings.metrics_enabled:
                    await self._metrics(scope, receive, send)
                    return
            elif role != "socket":
                await self.static(scope, receive, send)
                return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send_json(send, 404, {"message": "not found", "code": "not_found"})

    async def _metrics(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Served only with METRICS_ENABLED; with METRICS_TOKEN, only to its bearer."""
        token = self.settings.metrics_token
        if token is not None:
            given = (header(scope, b"authorization") or "").encode("latin-1")
            if not hmac.compare_digest(given, f"Bearer {token}".encode()):
                await send_json(
                    send,
                    401,
                    {"message": "metrics need the bearer token", "code": "unauthorized"},
                    [(b"www-authenticate", b"Bearer"), (b"cache-control", b"no-store")],
                )
                return
        extra = [*security_headers(API_CSP), (b"cache-control", b"no-store")]
        await self.metrics_app(scope, receive, with_headers(send, extra))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                except Exception:
                    log.exception("shutdown failed")
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        if self.settings.auto_migrate:
            await migrate.upgrade(self.db)
        await self.realtime.start()
        log.info(
            "ChatApp ready: database=%s redis=%s role=%s",
            self.db.engine.dialect.name,
            "on" if self.redis else "off",
            self.settings.role,
        )
        gc_tuning.tune_after_startup()

    async def shutdown(self) -> None:
        await self.realtime.stop()
        self.bridge.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.dispose()


def create_app(settings: Settings) -> ChatApp:
    return ChatApp(settings)


def __getattr__(name: str) -> Any:
    """`uvicorn chat.asgi:app` builds the app from the environment on first access."""
    if name == "app":
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        app = create_app(settings)
        globals()["app"] = app
        return app
    raise AttributeError(name)
