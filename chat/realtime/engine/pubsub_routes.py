"""Where the routed manager's channels live: one Redis, or the shards of a Redis Cluster.

- `SingleRoutes`: PUBLISH and one pub/sub link (SUBSCRIBE) to the one Redis.
- `ClusterRoutes`: SPUBLISH through redis-py's RedisCluster (which follows MOVED and
  failovers itself), and one sharded link (SSUBSCRIBE) per master that serves a held
  channel's slot. When a link loses its node, or Redis tells it a channel moved, the
  routes reread the cluster's slot map (every `REFRESH_SECONDS` until every link is
  connected again) and move each channel to the link of the master that now serves it;
  confirmations still awaited move with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis, RedisCluster

from chat.realtime.engine.pubsub_link import PubSubLink
from chat.redis_failures import REDIS_FAILURES

log = logging.getLogger(__name__)

# Reading the slot map can also find a shard missing from it (LookupError).
_SLOT_MAP_FAILURES: tuple[type[BaseException], ...] = (*REDIS_FAILURES, LookupError)

OnMessage = Callable[[bytes, bytes], Awaitable[None]]

REFRESH_SECONDS = 0.5
_TIMEOUTS: dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 5}


class Routes(Protocol):
    def want(self, channel: bytes) -> asyncio.Future[None]: ...

    def drop(self, channel: bytes) -> None: ...

    async def publish(self, channel: bytes, payload: bytes) -> int: ...

    async def run(self) -> None: ...

    async def close(self) -> None: ...


class SingleRoutes:
    def __init__(self, url: str, on_message: OnMessage, pool_size: int) -> None:
        # Publishers wait for a free connection, as the app's own pool (asgi.py) does.
        self._client = Redis(
            connection_pool=BlockingConnectionPool.from_url(
                url, max_connections=pool_size, timeout=5, **_TIMEOUTS
            )
        )
        self._pool = ConnectionPool.from_url(url, **_TIMEOUTS)
        self._link = PubSubLink(self._connection, on_message, sharded=False)

    async def _connection(self) -> Any:
        return self._pool.make_connection()  # type: ignore[no-untyped-call]

    def want(self, channel: bytes) -> asyncio.Future[None]:
        return self._link.want(channel)

    def drop(self, channel: bytes) -> None:
        self._link.drop(channel)

    async def publish(self, channel: bytes, payload: bytes) -> int:
        return int(await self._client.publish(channel, payload))

    async def run(self) -> None:
        await self._link.start()

    async def close(self) -> None:
        await self._link.stop()
        with contextlib.suppress(*REDIS_FAILURES):
            await self._client.aclose()
            await self._pool.disconnect()


class ClusterRoutes:
    def __init__(self, url: str, on_message: OnMessage, pool_size: int) -> None:
        self._client = RedisCluster.from_url(url, max_connections=pool_size, **_TIMEOUTS)
        # RedisCluster raises MaxConnectionsError when a node's pool is full: publishers
        # wait here instead, as SingleRoutes' blocking pool makes them.
        self._publishing = asyncio.Semaphore(pool_size)
        self._on_message = on_message
        self._links: dict[str, PubSubLink] = {}
        self._home: dict[bytes, PubSubLink] = {}
        # Held before the slot map is known (or while its node is unknown), with the
        # confirmation someone awaits, if any.
        self._unplaced: dict[bytes, asyncio.Future[None] | None] = {}
        self._check = asyncio.Event()
        self._ready = False
        self._stopping: set[asyncio.Task[None]] = set()

    def want(self, channel: bytes) -> asyncio.Future[None]:
        link = self._home.get(channel)
        if link is not None:
            return link.want(channel)
        waiter = self._unplaced.get(channel)
        if waiter is None:
            waiter = asyncio.get_running_loop().create_future()
            self._unplaced[channel] = waiter
        if self._ready:
            self._place(channel)
        return waiter

    def drop(self, channel: bytes) -> None:
        link = self._home.pop(channel, None)
        if link is not None:
            link.drop(channel)
        waiter = self._unplaced.pop(channel, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)  # nobody here holds it any more

    async def publish(self, channel: bytes, payload: bytes) -> int:
        async with self._publishing:
            return int(await self._client.execute_command("SPUBLISH", channel, payload))

    def _place(self, channel: bytes) -> None:
        try:
            node = self._client.nodes_manager.get_node_from_slot(self._client.keyslot(channel))
        except _SLOT_MAP_FAILURES:
            self._check.set()  # the slot has no master yet: try again at the next refresh
            return
        link = self._links.get(node.name)
        if link is None:
            link = PubSubLink(
                _connect_to(node),
                self._on_message,
                sharded=True,
                name=node.name,
                on_moved=self._moved,
                on_lost=self._check.set,
            )
            self._links[node.name] = link
            link.start()
        self._home[channel] = link
        link.adopt(channel, self._unplaced.pop(channel, None))

    def _moved(self, link: PubSubLink, channel: bytes) -> None:
        self._check.set()

    def _relocate(self) -> None:
        """Moves every held channel to the link of the master now serving its slot."""
        for channel, link in list(self._home.items()):
            node = self._client.nodes_manager.get_node_from_slot(self._client.keyslot(channel))
            if node.name != link.name:
                self._unplaced[channel] = link.hand_over(channel)
                del self._home[channel]
        for channel in list(self._unplaced):
            self._place(channel)
        for name, link in list(self._links.items()):
            if not link.wanted:
                del self._links[name]
                stopping = asyncio.get_running_loop().create_task(link.stop())
                self._stopping.add(stopping)
                stopping.add_done_callback(self._stopping.discard)

    async def run(self) -> None:
        while True:
            try:
                await self._client.initialize()
                self._ready = True
                break
            except REDIS_FAILURES as exc:
                log.warning("Redis Cluster not reachable yet: %s", exc)
                await asyncio.sleep(REFRESH_SECONDS)
        for channel in list(self._unplaced):
            self._place(channel)
        while True:
            await self._watch()

    async def _watch(self) -> None:
        """Waits for a lost link or a moved channel, then rereads the slot map until every
        link is connected and every channel placed."""
        await self._check.wait()
        while True:
            self._check.clear()
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self._client.nodes_manager.initialize()
                self._relocate()
            except REDIS_FAILURES as exc:
                # A slot without a master yet (mid-failover): read the map again.
                log.warning("Redis Cluster slot map unavailable: %s", exc)
                self._check.set()
                continue
            await asyncio.sleep(REFRESH_SECONDS)
            if not self._unplaced and all(link.connected.is_set() for link in self._links.values()):
                return

    async def close(self) -> None:
        for link in self._links.values():
            await link.stop()
        for stopping in list(self._stopping):
            await stopping
        with contextlib.suppress(*REDIS_FAILURES):
            await self._client.aclose()


def _connect_to(node: Any) -> Callable[[], Awaitable[Any]]:
    async def connect() -> Any:
        return node.connection_class(**node.connection_kwargs)

    return connect


def make_routes(url: str, cluster: bool, on_message: OnMessage, pool_size: int) -> Routes:
    if cluster:
        return ClusterRoutes(url, on_message, pool_size)
    return SingleRoutes(url, on_message, pool_size)
