"""Token buckets kept as GCRA (one "theoretical arrival time" per key): in this process's
memory, or in Redis so that every process counts against the same bucket.

A bucket of rate r and burst b lets b requests through at once, then one every 1/r
seconds. `take` answers 0.0 when the request may go ahead, else the seconds until it could.

In Redis each bucket is one key, changed by one script (EVALSHA once the script is
loaded) that touches only that key, so it works on a Redis Cluster as well; a key expires
once its bucket would be full again. The checks that arrive in one turn of the event loop
share one pipelined round trip: alone, a call costs redis-py ~150-300 us of CPU, in a
pipeline ~25 us, and `send` is on the benchmarked path. If Redis fails, the decision falls
back to this process's own buckets (logged, at most once a minute): sends go on, limited
per process rather than refused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

from redis.asyncio import RedisCluster
from redis.exceptions import NoScriptError

from chat.redis_client import RedisClient

log = logging.getLogger(__name__)

# KEYS[1]: the bucket. ARGV: emission interval (ms), burst. Answers the ms to wait, 0 = go.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat + interval - interval * tonumber(ARGV[2]) - now
if wait > 0 then return math.ceil(wait) end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1)
return 0
"""

_FALLBACK_LOG_INTERVAL = 60.0


class Buckets(Protocol):
    async def take(self, key: str, rate: float, burst: int) -> float: ...


class MemoryBuckets:
    """One process's buckets. Full buckets are forgotten when the table grows past max_keys
    (a full bucket and an unknown key mean the same)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._tat: dict[str, float] = {}
        self._max_keys = max_keys

    def take_now(self, key: str, rate: float, burst: int) -> float:
        now = time.monotonic()
        interval = 1.0 / rate
        tat = self._tat.get(key, now)
        if tat < now:
            tat = now
        wait = tat + interval - interval * burst - now
        if wait > 0:
            return wait
        if len(self._tat) >= self._max_keys and key not in self._tat:
            self._prune(now)
        self._tat[key] = tat + interval
        return 0.0

    def give_back(self, key: str, rate: float) -> None:
        """Undoes one take (a request another process's count refused after all)."""
        tat = self._tat.get(key)
        if tat is not None:
            self._tat[key] = tat - 1.0 / rate

    async def take(self, key: str, rate: float, burst: int) -> float:
        return self.take_now(key, rate, burst)

    def _prune(self, now: float) -> None:
        self._tat = {k: v for k, v in self._tat.items() if v > now}
        if len(self._tat) >= self._max_keys:
            self._tat.clear()


class RedisBuckets:
    """Shared buckets. This process's own bucket is asked first: if it alone already used up
    the burst, the shared one (which counts this process too) would refuse as well, so a
    flood from one process is refused without a round trip."""

    def __init__(self, redis: RedisClient, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:limit:"
        self._sha = redis.register_script(_TAKE).sha
        self._local = MemoryBuckets()
        self._logged_at = -_FALLBACK_LOG_INTERVAL
        self._pending: list[tuple[str, float, int, asyncio.Future[int]]] = []
        self._flushes: set[asyncio.Task[None]] = set()

    async def take(self, key: str, rate: float, burst: int) -> float:
        local = self._local.take_now(key, rate, burst)
        if local > 0:
            return local
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[int] = loop.create_future()
        self._pending.append((self._prefix + key, 1000.0 / rate, burst, answer))
        if len(self._pending) == 1:
            loop.call_soon(self._flush)
        try:
            wait_ms = await answer
        except Exception as exc:  # noqa: BLE001
            # The answer only ever holds what the Redis client raised, and a cluster client
            # mid-failover raises more than REDIS_FAILURES (AttributeError on a connection it
            # just closed): any of it means "count locally", never a failed send.
            self._fallback(exc)
            return 0.0
        if wait_ms > 0:
            self._local.give_back(key, rate)
            return wait_ms / 1000.0
        return 0.0

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.create_task(self._run(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _run(self, batch: list[tuple[str, float, int, asyncio.Future[int]]]) -> None:
        results: list[Any]
        try:
            results = await self._evaluate(batch)
            if any(isinstance(r, NoScriptError) for r in results):
                # Redis restarted (or its scripts were flushed): load it again, once.
                await self._redis.script_load(_TAKE)
                results = await self._evaluate(batch)
        except Exception as exc:  # noqa: BLE001  # every waiter gets an answer, whatever failed
            results = [exc] * len(batch)
        for (_, _, _, answer), result in zip(batch, results, strict=True):
            if answer.done():
                continue
            if isinstance(result, BaseException):
                answer.set_exception(result)
            else:
                answer.set_result(int(result))

    async def _evaluate(self, batch: list[tuple[str, float, int, Any]]) -> list[Any]:
        if isinstance(self._redis, RedisCluster):
            # A cluster pipeline refuses scripts: one EVALSHA per key, all sent at once.
            return list(
                await asyncio.gather(
                    *(
                        self._redis.evalsha(self._sha, 1, key, interval_ms, burst)
                        for key, interval_ms, burst, _ in batch
                    ),
                    return_exceptions=True,
                )
            )
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, interval_ms, burst, _ in batch:
                pipe.evalsha(self._sha, 1, key, interval_ms, burst)
            return list(await pipe.execute(raise_on_error=False))

    def _fallback(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._logged_at >= _FALLBACK_LOG_INTERVAL:
            self._logged_at = now
            log.warning("rate limits counted per process while Redis fails: %s", exc)
