"""At most MAX_SOCKETS_PER_USER sockets per user: on this process, and across processes
where Redis is configured.

In Redis each user has one sorted set (one key: a Redis Cluster takes it too) of socket ids
scored with a deadline on Redis' clock; each process renews its own sockets' deadlines every
third of the presence TTL, so the sockets of a process that died drop out within that TTL.
If Redis fails, this process counts only its own sockets (a user is then capped per
process) rather than refusing connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from redis.asyncio import RedisCluster

from chat.redis_client import RedisClient
from chat.redis_failures import REDIS_FAILURES

log = logging.getLogger(__name__)

# KEYS[1]: the user's sockets. ARGV: sid, cap, ttl (ms). 1 admitted, 0 full.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

# KEYS[1]: the user's sockets. ARGV: ttl (ms), then this process's sids of that user.
_RENEW = """
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 0
"""


class SocketCap:
    def __init__(self, cap: int, redis: RedisClient | None, prefix: str, ttl_seconds: int) -> None:
        self.cap = cap
        self._redis = redis
        self._prefix = f"{prefix}:sockets:"
        self._ttl_ms = ttl_seconds * 1000
        self._local: dict[int, set[str]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        if redis is not None:
            self._admit = redis.register_script(_ADMIT)
            self._renew = redis.register_script(_RENEW)

    async def admit(self, user_id: int, sid: str) -> bool:
        """Counts the socket in, or answers False when the user already has `cap` sockets."""
        mine = self._local[user_id]
        if len(mine) >= self.cap:
            return False
        if self._redis is not None:
            try:
                admitted = await self._admit(
                    keys=[f"{self._prefix}{user_id}"], args=[sid, self.cap, self._ttl_ms]
                )
            except REDIS_FAILURES as exc:
                log.warning("socket cap counted per process while Redis fails: %s", exc)
            else:
                if not int(admitted):
                    return False
        mine.add(sid)
        return True

    async def release(self, user_id: int, sid: str) -> None:
        mine = self._local.get(user_id)
        if mine is not None:
            mine.discard(sid)
            if not mine:
                del self._local[user_id]
        if self._redis is not None:
            with contextlib.suppress(*REDIS_FAILURES):
                await self._redis.zrem(f"{self._prefix}{user_id}", sid)

    def start(self) -> None:
        if self._redis is not None and self._task is None:
            self._task = asyncio.create_task(self._renew_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self._ttl_ms / 3000)
            try:
                await self.renew()
            except REDIS_FAILURES as exc:
                log.warning("could not renew socket counts in Redis: %s", exc)

    async def renew(self) -> None:
        if self._redis is None or not self._local:
            return
        owned = [(f"{self._prefix}{user_id}", sids) for user_id, sids in list(self._local.items())]
        if isinstance(self._redis, RedisCluster):
            # A cluster pipeline refuses scripts: one call per user's key, all sent at once.
            await asyncio.gather(
                *(self._renew(keys=[key], args=[self._ttl_ms, *sids]) for key, sids in owned)
            )
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, sids in owned:
                await self._renew(keys=[key], args=[self._ttl_ms, *sids], client=pipe)
            await pipe.execute()
