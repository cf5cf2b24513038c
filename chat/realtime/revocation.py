"""Ending sessions from the server side: at token expiry (a timer per socket) and at logout
(the publisher's `session_revoked` to `token:{jti}`, seen on every process by the manager).

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

import socketio

from chat.realtime.connections import Connection
from chat.realtime.names import SESSION_REVOKED

log = logging.getLogger("chat.security")

NAMESPACE = "/"


class Sessions:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio
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

    def revoke_room(self, room: str) -> None:
        """Ends every socket of this process in a token's room (logout). The event itself
        was already delivered to them by the emit that brought this order."""
        sids = [sid for sid, _ in self._sio.manager.get_participants(NAMESPACE, room)]
        for sid in sids:
            self._spawn(self._end(sid, notify=False))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _end(self, sid: str, *, notify: bool) -> None:
        try:
            eio_sid = self._sio.manager.eio_sid_from_sid(sid, NAMESPACE)
            if eio_sid is None:
                return
            if notify:
                await self._sio.emit(
                    SESSION_REVOKED, {"reason": "expired"}, to=sid, ignore_queue=True
                )
            await self._sio.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
            await self._sio.eio.disconnect(eio_sid)
        except Exception:
            log.exception("could not end socket sid=%s", sid)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
