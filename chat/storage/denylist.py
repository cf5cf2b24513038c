"""Revoked token ids, kept until the token would have expired anyway."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from chat.domain.errors import Unavailable
from chat.redis_client import RedisClient
from chat.redis_failures import REDIS_FAILURES
from chat.storage.database import Database
from chat.storage.tables import revoked_tokens


class DenyList(Protocol):
    async def revoke(self, jti: str, expires_at: datetime) -> None: ...

    async def is_revoked(self, jti: str) -> bool: ...


class SqlDenyList:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def revoke(self, jti: str, expires_at: datetime) -> None:
        now = datetime.now(UTC)
        try:
            async with self._db.transaction() as conn:
                await conn.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < now))
                await conn.execute(insert(revoked_tokens).values(jti=jti, expires_at=expires_at))
        except IntegrityError:
            return  # already revoked

    async def is_revoked(self, jti: str) -> bool:
        async with self._db.transaction() as conn:
            found = (
                await conn.execute(select(revoked_tokens.c.jti).where(revoked_tokens.c.jti == jti))
            ).first()
        return found is not None


class RedisDenyList:
    def __init__(self, redis: RedisClient, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:revoked:"

    async def revoke(self, jti: str, expires_at: datetime) -> None:
        ttl = max(int((expires_at - datetime.now(UTC)).total_seconds()) + 1, 1)
        try:
            await self._redis.set(self._prefix + jti, b"1", ex=ttl)
        except REDIS_FAILURES as exc:
            raise Unavailable("token store unavailable, try again") from exc

    async def is_revoked(self, jti: str) -> bool:
        try:
            # GET, not EXISTS: redis-py's RedisCluster splits EXISTS by slot through a
            # pipeline, which a burst of connects broke (redis-py 8.1, uvloop).
            return await self._redis.get(self._prefix + jti) is not None
        except REDIS_FAILURES as exc:
            raise Unavailable("token store unavailable, try again") from exc
