"""One Redis pub/sub connection whose subscriptions change while it runs.

The routed manager (routed_manager.py) asks a link to hold a channel (`want`) or to let it
go (`drop`); the link sends SUBSCRIBE/UNSUBSCRIBE (or, on a cluster, SSUBSCRIBE/SUNSUBSCRIBE)
in the order asked, coalescing bursts into one command, and hands every message to the
manager. `want` answers a future that completes when Redis has confirmed the subscription:
Redis answers pub/sub commands in order, so counting the subscribe commands still
unanswered per channel tells exactly when the last one asked for is in force.

When the connection is lost, the link reconnects (with backoff) and subscribes again every
channel it holds, in one command; confirmations still awaited then complete on the new
connection. A link is for one node: on a cluster the manager keeps one per master and moves
channels between them when slots move.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from chat.redis_failures import REDIS_FAILURES

log = logging.getLogger(__name__)


Connect = Callable[[], Awaitable[Any]]
OnMessage = Callable[[bytes, bytes], Awaitable[None]]
OnMoved = Callable[["PubSubLink", bytes], None]
OnLost = Callable[[], None]

# Channels per SUBSCRIBE command when a burst (or a resubscription) is sent.
_BATCH = 500
_MAX_BACKOFF = 5.0


class PubSubLink:
    def __init__(
        self,
        connect: Connect,
        on_message: OnMessage,
        *,
        sharded: bool,
        name: str = "redis",
        on_moved: OnMoved | None = None,
        on_lost: OnLost | None = None,
    ) -> None:
        self._connect = connect
        self._on_message = on_message
        self._on_moved = on_moved
        self._on_lost = on_lost
        self.name = name
        self._sub, self._unsub = (
            (b"SSUBSCRIBE", b"SUNSUBSCRIBE")
            if sharded
            else (
                b"SUBSCRIBE",
                b"UNSUBSCRIBE",
            )
        )
        self._sharded = sharded
        self._kinds_message = (b"smessage", b"message")
        self.wanted: set[bytes] = set()
        self._unanswered: dict[bytes, int] = {}
        self._dropping: dict[bytes, int] = {}
        self._waiters: dict[bytes, asyncio.Future[None]] = {}
        self._ops: list[tuple[bool, bytes]] = []
        self._wake = asyncio.Event()
        self._conn: Any = None
        self.task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    # -- asked by the manager ------------------------------------------------------------

    def want(self, channel: bytes) -> asyncio.Future[None]:
        """Holds the channel; the future completes once Redis confirmed it (at once if it
        already had)."""
        waiter = self._waiters.get(channel)
        if channel in self.wanted:
            if waiter is None:
                waiter = asyncio.get_running_loop().create_future()
                waiter.set_result(None)
            return waiter
        self.wanted.add(channel)
        if waiter is None:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters[channel] = waiter
        self._ops.append((True, channel))
        self._wake.set()
        return waiter

    def drop(self, channel: bytes) -> None:
        if channel not in self.wanted:
            return
        self.wanted.discard(channel)
        self._ops.append((False, channel))
        self._wake.set()

    def hand_over(self, channel: bytes) -> asyncio.Future[None] | None:
        """Lets the channel go without telling Redis (its node is gone or no longer serves
        it); answers the confirmation still awaited, for the link that takes it over."""
        self.wanted.discard(channel)
        self._unanswered.pop(channel, None)
        return self._waiters.pop(channel, None)

    def adopt(self, channel: bytes, waiter: asyncio.Future[None] | None) -> None:
        if waiter is not None and not waiter.done():
            self._waiters[channel] = waiter
        self.want(channel)

    def start(self) -> asyncio.Task[None]:
        self.task = asyncio.create_task(self._run(), name=f"pubsub-{self.name}")
        return self.task

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self._close()

    # -- the connection ------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            writer: asyncio.Task[None] | None = None
            try:
                self._conn = await self._connect()
                await self._conn.connect()
                self._resubscribe_all()
                writer = asyncio.create_task(self._write(self._conn))
                self.connected.set()
                backoff = 0.1
                await self._read(self._conn)
            except asyncio.CancelledError:
                raise
            except REDIS_FAILURES as exc:
                log.warning("pub/sub link %s lost: %s; reconnecting", self.name, exc)
            except Exception:
                # A reply redis-py could not parse, or a defect: the link must not die.
                log.exception("pub/sub link %s failed; reconnecting", self.name)
            finally:
                self.connected.clear()
                if self._on_lost is not None:
                    self._on_lost()
                if writer is not None:
                    writer.cancel()
                    with contextlib.suppress(asyncio.CancelledError, *REDIS_FAILURES):
                        await writer
                await self._close()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(*REDIS_FAILURES):
                await conn.disconnect(nowait=True)

    def _resubscribe_all(self) -> None:
        """A new connection holds nothing: every queued change is void, and everything
        held is asked for once."""
        self._ops = [(True, channel) for channel in self.wanted]
        self._unanswered.clear()
        self._dropping.clear()
        self._wake.set()

    async def _write(self, conn: Any) -> None:
        try:
            await self._send_changes(conn)
        except REDIS_FAILURES as exc:
            # The reader sees the connection fail too, and the link starts over.
            log.warning("pub/sub link %s could not send: %s", self.name, exc)
            await conn.disconnect(nowait=True)

    async def _send_changes(self, conn: Any) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            ops, self._ops = self._ops, []
            start = 0
            while start < len(ops):
                subscribe = ops[start][0]
                end = start
                while end < len(ops) and ops[end][0] == subscribe and end - start < _BATCH:
                    end += 1
                channels = [channel for _, channel in ops[start:end]]
                counts = self._unanswered if subscribe else self._dropping
                for channel in channels:
                    counts[channel] = counts.get(channel, 0) + 1
                command = self._sub if subscribe else self._unsub
                if self._sharded:
                    # One SSUBSCRIBE may only name channels of one slot: one per channel.
                    packed = conn.pack_commands([(command, channel) for channel in channels])
                else:
                    packed = conn.pack_command(command, *channels)
                await conn.send_packed_command(packed, check_health=False)
                start = end

    async def _read(self, conn: Any) -> None:
        on_message = self._on_message
        kinds = self._kinds_message
        while True:
            reply = await conn.read_response(timeout=math.inf, push_request=True)
            if not isinstance(reply, list) or len(reply) < 3:
                continue
            kind = reply[0]
            if kind in kinds:
                await on_message(reply[1], reply[2])
            elif kind in (b"subscribe", b"ssubscribe"):
                self._confirmed(reply[1])
            elif kind in (b"unsubscribe", b"sunsubscribe"):
                self._unsubscribed(reply[1])

    def _confirmed(self, channel: bytes) -> None:
        left = self._unanswered.get(channel, 0) - 1
        if left > 0:
            self._unanswered[channel] = left
            return
        self._unanswered.pop(channel, None)
        if channel in self.wanted:
            waiter = self._waiters.pop(channel, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def _unsubscribed(self, channel: bytes) -> None:
        left = self._dropping.get(channel, 0) - 1
        if left >= 0:
            if left:
                self._dropping[channel] = left
            else:
                self._dropping.pop(channel, None)
            return
        # Nobody asked: the cluster moved the channel's slot to another shard.
        if channel in self.wanted and self._on_moved is not None:
            self._on_moved(self, channel)
