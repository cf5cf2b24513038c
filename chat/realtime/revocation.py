"""Ending sessions from the server side: at token expiry (a timer per socket) and on a
control order (logout: chat/realtime/control.py).

A session is ended by the server, not by asking the client: the namespace is disconnected
(the client sees "io server disconnect" and does not reconnect on its own) and then the
Engine.IO transport is closed after what was queued for it has been written.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from chat.realtime.connections import Connection
from chat.realtime.engine.socket_server import SocketServer
from chat.realtime.names import SESSION_REVOKED

log = logging.getLogger("chat.security")


class Sessions:
    def __init__(self, socket: SocketServer) -> None:
        self._socket = socket
        self._tasks: set[asyncio.Task[None]] = set()

    def watch_expiry(self, conn: Connection) -> None:
        delay = max(conn.principal.expires_at - time.time(), 0.0)
        loop = asyncio.get_running_loop()
        conn.expiry = loop.call_later(delay, self._expired, conn)

    def forget(self, conn: Connection) -> None:
        if conn.expiry is not None:
            conn.expiry.cancel()
            conn.expiry = None

    def _expired(self, conn: Connection) -> None:
        conn.expiry = None
        if conn.closed:
            return
        log.info("socket token expired user_id=%s", conn.user.id)
        self._spawn(self._end(conn.sid, notify=True))

    def end_all(self, sids: list[str]) -> None:
        """Ends these sockets of this process (logout: they were already told)."""
        for sid in sids:
            self._spawn(self._end(sid, notify=False))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _end(self, sid: str, *, notify: bool) -> None:
        try:
            if notify:
                await self._socket.sio.emit(
                    SESSION_REVOKED, {"reason": "expired"}, to=sid, ignore_queue=True
                )
            await self._socket.close(sid)
        except Exception:
            log.exception("could not end socket sid=%s", sid)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
