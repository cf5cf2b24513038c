"""Fixed-window counters for rate limits: in memory for one process, in Redis for many."""

from __future__ import annotations

import time
from typing import Protocol

from chat.domain.errors import Unavailable
from chat.redis_client import RedisClient
from chat.redis_failures import REDIS_FAILURES


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


# One key per script, so it runs on a single Redis and on a Redis Cluster alike.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisWindowCounter:
    def __init__(self, redis: RedisClient, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:rate:"
        self._hit = redis.register_script(_HIT)

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        try:
            count, ttl = await self._hit(keys=[self._prefix + key], args=[window_seconds])
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
