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

from collections.abc import Awaitable, Callable
from typing import Any

from chat.realtime.engine.fanout import DirectEmitMixin
from chat.realtime.engine.transport import Backlog

AfterEmit = Callable[[str, Any, str | None], Awaitable[None]]


async def nothing(event: str, data: Any, room: str | None) -> None:
    return None


class LocalManager(DirectEmitMixin):
    def __init__(self, backlog: Backlog) -> None:
        super().__init__()
        self.backlog = backlog
        self.after_emit: AfterEmit = nothing

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
