"""Readiness: the database, and Redis where configured, answer."""

from __future__ import annotations

import asyncio
import logging

from chat.redis_client import RedisClient
from chat.storage.database import Database

log = logging.getLogger(__name__)


class Health:
    def __init__(self, db: Database, redis: RedisClient | None, timeout: float = 2.0) -> None:
        self._db = db
        self._redis = redis
        self._timeout = timeout

    async def readiness(self) -> dict[str, str]:
        checks = {"database": await self._check(self._db.ping())}
        if self._redis is not None:
            checks["redis"] = await self._check(self._ping_redis(self._redis))
        return checks

    async def _ping_redis(self, redis: RedisClient) -> None:
        await redis.ping()

    async def _check(self, probe: object) -> str:
        try:
            await asyncio.wait_for(probe, self._timeout)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("readiness check failed: %r", exc)
            return "down"
        return "ok"
