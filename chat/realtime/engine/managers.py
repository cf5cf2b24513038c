"""python-socketio client managers with three additions of ours.

- Control: after an emit is delivered to this process's sockets, `after_emit` sees it. The
  publisher's `session_revoked` (to a token's room) and `room_left` (to a user's room) are
  thereby also orders, carried to every process by the same publish as the event itself:
  each process disconnects its sockets of that token, or stops their following that room.
  The server does this itself; nothing relies on the client obeying the event.
- Fan-out: local delivery goes through chat.realtime.engine.fanout's fast path (each broadcast
  encoded and framed once, written straight to idle websocket transports).
- Metrics: a publish Redis did not take (python-socketio logs and drops it: FIELD-NOTES 9)
  is counted; resume by seq is what makes the loss invisible to clients.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from chat.metrics import Metrics
from chat.realtime.engine.fanout import DirectEmitMixin

AfterEmit = Callable[[str, Any, str | None], Awaitable[None]]


async def _nothing(event: str, data: Any, room: str | None) -> None:
    return None


class LocalManager(DirectEmitMixin):
    def __init__(self) -> None:
        super().__init__()
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
    def __init__(self, url: str, channel: str, metrics: Metrics) -> None:
        super().__init__(url, channel=channel)
        self.after_emit: AfterEmit = _nothing
        self._failures = metrics.redis_publish_failures

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

    @property
    def listener(self) -> Any:
        return getattr(self, "thread", None)
