"""python-socketio client managers with three additions of ours.

- Delivered: after an emit is delivered to this process's sockets, `after_emit` sees it
  (its own emits and, with Redis, those heard from the other processes). This is how
  control orders (chat/realtime/control.py) reach every process.
- Fan-out: local delivery of broadcasts goes through fanout.py's fast path (each broadcast
  encoded and framed once, written straight to idle websocket transports).
- Metrics: a publish Redis did not take is counted (while Redis is down python-socketio
  logs "Cannot publish to redis" and drops the emit for the other processes); resume by
  seq is what makes the loss invisible to clients.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from chat.realtime.engine.fanout import DirectEmitMixin
from chat.realtime.engine.transport import Backlog

AfterEmit = Callable[[str, Any, str | None], Awaitable[None]]


async def _nothing(event: str, data: Any, room: str | None) -> None:
    return None


class LocalManager(DirectEmitMixin):
    def __init__(self, backlog: Backlog) -> None:
        super().__init__()
        self.backlog = backlog
        self.after_emit: AfterEmit = _nothing

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        await super().emit(
            event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
        )
        await self.after_emit(event, data, room)


class RedisManager(socketio.AsyncRedisManager, DirectEmitMixin):  # type: ignore[misc]
    def __init__(self, url: str, channel: str, backlog: Backlog, failures: Any) -> None:
        super().__init__(url, channel=channel)
        self.backlog = backlog
        self.after_emit: AfterEmit = _nothing
        self._failures = failures

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        # Runs for this process's own emits and for those heard from the others.
        await super()._handle_emit(message)
        data = message.get("data")
        if isinstance(data, list) and len(data) == 1 and not message.get("binary"):
            await self.after_emit(message.get("event", ""), data[0], message.get("room"))

    async def _publish(self, data: Any) -> Any:
        # The stock method answers the number of subscribers, or None once it gave up.
        result = await super()._publish(data)
        if result is None:
            self._failures.inc()
        return result

    async def stop_listening(self) -> None:
        """Cancels the Redis listener task python-socketio keeps in `thread`."""
        listener = getattr(self, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
