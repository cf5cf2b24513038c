"""python-socketio's pub/sub manager, routed per room: a process hears a room's broadcasts
only while it holds sockets in that room.

python-socketio's AsyncRedisManager publishes every emit on one channel that every process
subscribes to and decodes, so each process pays for every room's traffic. Here:

- Each Socket.IO room has its own channel, `{REDIS_PREFIX}:r:{room}`. A process subscribes
  to it when its first local socket enters the room (basic_enter_room) and unsubscribes
  when its last one leaves (basic_leave_room: leaving, disconnecting and close_room all
  pass there). enter_room returns only once Redis confirmed the subscription (or after
  REDIS_SUBSCRIBE_TIMEOUT_SECONDS, with a warning), so a join is acknowledged only when
  the room's broadcasts reach this process.
- An emit to one room is published on that room's channel only. An emit to a socket of this
  process is not published at all (it was delivered here). Everything else (an emit to
  several rooms, to everyone, to another process's socket; callbacks, disconnects,
  enter/leave for another process's socket, close_room) goes on the process-wide channel
  `{REDIS_PREFIX}:socketio`, which every process holds.
- Control orders (chat/realtime/control.py) travel to the token and user rooms; the processes
  holding such sockets hold those rooms' channels, so they hear them.
- Each payload starts with the publishing process's id: a process skips its own publishes
  (it delivered them before publishing) without decoding them.
- With REDIS_CLUSTER the channels are sharded (SSUBSCRIBE/SPUBLISH): each room's channel
  lives on the shard serving its slot (pubsub_routes.py).

Payloads are not compatible with AsyncRedisManager's: every process of a deployment runs
the same manager.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

from prometheus_client import Counter
from socketio.async_pubsub_manager import AsyncPubSubManager

from chat.metrics import Metrics
from chat.realtime.engine.fanout import DirectEmitMixin
from chat.realtime.engine.managers import AfterEmit, nothing
from chat.realtime.engine.pubsub_routes import Routes, make_routes
from chat.realtime.engine.transport import Backlog
from chat.redis_failures import REDIS_FAILURES

log = logging.getLogger(__name__)

# python-socketio's sids: 15 random bytes, base64url (engineio generate_id).
_SID = re.compile(r"[A-Za-z0-9_-]{20}")


class RoutedRedisManager(AsyncPubSubManager, DirectEmitMixin):  # type: ignore[misc]
    name = "chat-routed-redis"

    def __init__(
        self,
        url: str,
        prefix: str,
        metrics: Metrics,
        *,
        cluster: bool = False,
        subscribe_timeout: float = 5.0,
        pool_size: int = 50,
        backlog: Backlog,
    ) -> None:
        super().__init__(channel=f"{prefix}:socketio")
        self.backlog = backlog
        self.after_emit: AfterEmit = nothing
        self._process_channel: bytes = str(self.channel).encode()
        self._room_prefix = f"{prefix}:r:"
        self._tag = self.host_id.encode()
        self._subscribe_timeout = subscribe_timeout
        self._routes: Routes = make_routes(url, cluster, self._on_message, pool_size)
        self._failures = metrics.redis_publish_failures
        heard = Counter(
            "chat_pubsub_heard_total",
            "Messages of other processes this process received and decoded, by channel: "
            "room (a room it holds) or process (the process-wide channel)",
            ["channel"],
            registry=metrics.registry,
        )
        self._heard_room = heard.labels("room")
        self._heard_process = heard.labels("process")
        self._late = Counter(
            "chat_pubsub_subscribe_timeouts_total",
            "Room joins that went on before Redis confirmed the room's subscription",
            registry=metrics.registry,
        )

    async def stop_listening(self) -> None:
        """Cancels the listener task python-socketio keeps in `thread`."""
        listener = getattr(self, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    # -- subscriptions follow local room membership --------------------------------------

    def _room_channel(self, room: str) -> bytes:
        return (self._room_prefix + room).encode()

    def _held(self, room: Any) -> bool:
        return any(room in rooms for rooms in self.rooms.values())

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        first = isinstance(room, str) and room != sid and not self._held(room)
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        if first:
            self._routes.want(self._room_channel(room))

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        if isinstance(room, str) and room != sid and not self._held(room):
            self._routes.drop(self._room_channel(room))

    async def enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        await super().enter_room(sid, namespace, room, eio_sid=eio_sid)
        if isinstance(room, str) and room != sid and self._held(room):
            waiter = self._routes.want(self._room_channel(room))
            if waiter.done():
                return
            try:
                await asyncio.wait_for(asyncio.shield(waiter), self._subscribe_timeout)
            except TimeoutError:
                self._late.inc()
                log.warning("Redis has not confirmed the subscription to %s yet", room)

    # -- publishing ----------------------------------------------------------------------

    def _channel_of(self, message: dict[str, Any]) -> bytes | None:
        """Where a message goes; None: nowhere (it was for this process only)."""
        if message.get("method") == "emit":
            room = message.get("room")
            if isinstance(room, str):
                if self.is_sid_room(message.get("namespace") or "/", room):
                    return None
                if not _SID.fullmatch(room):
                    return self._room_channel(room)
        return self._process_channel

    async def _publish(self, data: Any) -> Any:
        channel = self._channel_of(data)
        if channel is None:
            return 0
        payload = self._tag + self.json.dumps(data).encode()
        try:
            return await self._routes.publish(channel, payload)
        except REDIS_FAILURES as exc:
            # Processes holding the room miss it; resume by seq fills the gap.
            log.error("Redis did not take a broadcast: %r", exc)
            self._failures.inc()
            return None

    # -- receiving -----------------------------------------------------------------------

    async def _thread(self) -> None:
        self._routes.want(self._process_channel)
        try:
            await self._routes.run()
        finally:
            await self._routes.close()

    async def _on_message(self, channel: bytes, payload: bytes) -> None:
        tag = self._tag
        if payload[: len(tag)] == tag:
            return  # this process's own publish, delivered here already
        try:
            message = self.json.loads(payload[len(tag) :])
        except ValueError:
            log.warning("undecodable message on %s", channel.decode(errors="replace"))
            return
        if not isinstance(message, dict):
            return
        if channel == self._process_channel:
            self._heard_process.inc()
        else:
            self._heard_room.inc()
        try:
            await self._dispatch(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handler error on a message from Redis")

    async def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method == "emit":
            await self._handle_emit(message)
        elif method == "callback":
            await self._handle_callback(message)
        elif method == "disconnect":
            await self._handle_disconnect(message)
        elif method == "enter_room":
            await self._handle_enter_room(message)
        elif method == "leave_room":
            await self._handle_leave_room(message)
        elif method == "close_room":
            await self._handle_close_room(message)

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        # Runs for this process's own emits and for those heard from the others.
        await super()._handle_emit(message)
        data = message.get("data")
        if isinstance(data, list) and len(data) == 1 and not message.get("binary"):
            await self.after_emit(message.get("event", ""), data[0], message.get("room"))
