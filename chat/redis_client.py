"""The app's Redis client: one Redis through a bounded pool, or a Redis Cluster.

Every key the app writes is a single key per command or script, or a set of keys under one
hash tag (presence), so the same calls work on both.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis, RedisCluster

RedisClient = Redis | RedisCluster


class WaitingRedisCluster(RedisCluster):
    """RedisCluster whose callers wait for a free connection, as BlockingConnectionPool's
    do: RedisCluster raises MaxConnectionsError at once when a node's pool is full. At most
    `max_connections` commands are in flight, so no node's pool can run out."""

    def set_gate(self, size: int) -> WaitingRedisCluster:
        self._gate = asyncio.Semaphore(size)
        return self

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self._gate:
            return await super().execute_command(*args, **kwargs)


def open_redis(url: str, *, cluster: bool, pool_size: int) -> RedisClient:
    """Callers wait for a free connection (up to 5 s): redis-py's default pool raises "Too
    many connections" past 100, which a burst of socket connects reached. RedisCluster
    keeps a pool per node and finds every node from the one named."""
    if cluster:
        client = WaitingRedisCluster.from_url(
            url,
            # Pipelines (the rate counters) take connections outside the gate: headroom.
            max_connections=pool_size * 2,
            socket_timeout=5,
            socket_connect_timeout=5,
        )
        if not isinstance(client, WaitingRedisCluster):  # from_url builds its own class
            raise TypeError(f"RedisCluster.from_url built a {type(client).__name__}")
        return client.set_gate(pool_size)
    pool = BlockingConnectionPool.from_url(
        url, max_connections=pool_size, timeout=5, socket_timeout=5, socket_connect_timeout=5
    )
    return Redis(connection_pool=pool)
