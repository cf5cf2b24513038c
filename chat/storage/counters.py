"""Fixed-window counters for rate limits: in memory for one process, in Redis for many."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis

from chat.domain.errors import Unavailable
from chat.storage.redis_errors import REDIS_FAILURES


class WindowCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Counts one hit; returns (hits in the current window, seconds until it ends)."""
        ...

    async def count(self, key: str) -> int:
        """Hits in the key's current window, counting none."""
        ...

    async def clear(self, key: str) -> None: ...


class MemoryWindowCounter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        now = time.monotonic()
        count, ends = self._counts.get(key, (0, 0.0))
        if ends <= now:
            if len(self._counts) >= self._max_keys:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count, ends = 0, now + window_seconds
        count += 1
        self._counts[key] = (count, ends)
        return count, max(int(ends - now + 0.999), 1)

    async def count(self, key: str) -> int:
        count, ends = self._counts.get(key, (0, 0.0))
        return count if ends > time.monotonic() else 0

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)


class RedisWindowCounter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:rate:"

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        name = self._prefix + key
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds, nx=True)
                pipe.ttl(name)
                count, _, ttl = await pipe.execute()
        except REDIS_FAILURES as exc:
            raise Unavailable("rate limiter unavailable, try again") from exc
        return int(count), max(int(ttl), 1)

    async def count(self, key: str) -> int:
        try:
            value = await self._redis.get(self._prefix + key)
        except REDIS_FAILURES as exc:
            raise Unavailable("rate limiter unavailable, try again") from exc
        return int(value or 0)

    async def clear(self, key: str) -> None:
        try:
            await self._redis.delete(self._prefix + key)
        except REDIS_FAILURES as exc:
            raise Unavailable("rate limiter unavailable, try again") from exc
