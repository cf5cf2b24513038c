"""python-socketio client managers with three additions of ours.

- Delivered: after an emit is delivered to this process's sockets, `after_emit` sees it
  (its own emits and, with Redis, those heard from the other processes). This is how
  control orders (chat/realtime/control.py) reach every process.
- Fan-out: local delivery of broadcasts goes through fanout.py's fast path (each broadcast
  encoded and framed once, written straight to idle websocket transports).
- Metrics: a publish Redis did not take is counted (while Redis is down python-socketio
  logs "Cannot publish to redis" and drops the emit for the other processes); the live
  stream's sequencer (chat/realtime/live_order.py) heals the loss.
- Listener: python-socketio's `_redis_listen_with_retries` made a new client and pub/sub
  after each failure and never closed the old pub/sub, which redis-py's own retry had often
  reconnected and resubscribed already: after a `CLIENT KILL TYPE pubsub` each process held
  two subscriptions (each broadcast heard twice), one more after every further kill. Ours
  closes the old one first, and waits at most `retry_max` seconds between attempts (stock:
  doubling up to 60 s, so a long outage left live delivery off for as long after it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio

from chat.realtime.engine.fanout import DirectEmitMixin
from chat.realtime.engine.transport import Backlog

log = logging.getLogger(__name__)

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
    def __init__(
        self, url: str, channel: str, backlog: Backlog, failures: Any, retry_max: float = 2.0
    ) -> None:
        super().__init__(url, channel=channel)
        self.backlog = backlog
        self.after_emit: AfterEmit = _nothing
        self._failures = failures
        self._retry_max = retry_max

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        """The stock loop, but the pub/sub it gives up on is closed before the next one."""
        retry_sleep = min(1.0, self._retry_max)
        pubsub: Any = None
        while True:
            try:
                if pubsub is None:
                    self._redis_connect()
                    pubsub = self.pubsub
                    await pubsub.subscribe(self.channel)
                    retry_sleep = min(1.0, self._retry_max)
                async for message in pubsub.listen():
                    yield message
            except Exception as exc:  # noqa: BLE001  # any failure: reconnect, as stock does
                log.warning("redis listener lost (%s); again in %.1f s", exc, retry_sleep)
                if pubsub is not None:
                    await _close_quietly(pubsub)
                    pubsub = None
                await asyncio.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, self._retry_max)

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


async def _close_quietly(pubsub: Any) -> None:
    """Closes a pub/sub and its connection; on a dead connection that can fail, harmlessly."""
    with contextlib.suppress(Exception):
        await pubsub.aclose()
