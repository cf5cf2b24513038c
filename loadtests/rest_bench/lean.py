"""The peer a user might pick instead for reading history: a plain ASGI app, asyncpg's own
pool, PyJWT, redis-py and orjson, and nothing else - no Flask, no SQLAlchemy at run time,
no ChatApp services. It does what a history page needs and no more: verifies the bearer
token (signature, expiry, the Redis deny-list ChatApp's logout writes), runs one SQL
statement written by hand - the same plan as ChatApp's (chat/storage/history.py): room,
membership and page in one round trip - and answers the same JSON (the benchmark checks
that the answers are equal before measuring). Started by the benchmark as its own
process, pinned to the server's core: `uvicorn --factory loadtests.rest_bench.lean:create`.

GET /history/{room_id}?before=&after=&limit= and GET /ready; anything else is 404.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import asyncpg  # type: ignore[import-untyped]
import jwt
import orjson
from redis.asyncio import Redis

PREFIX = "/history/"
_PAGE = """
SELECT r.private, m.user_id IS NOT NULL, p.id, p.room_id, p.seq, p.sender_id, p.username,
       p.body, p.client_id, p.created_at, p.edited_at, p.deleted
FROM rooms r
LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = $1
LEFT JOIN LATERAL (
    SELECT x.id, x.room_id, x.seq, x.sender_id, u.username, x.body, x.client_id,
           x.created_at, x.edited_at, x.deleted
    FROM messages x JOIN users u ON u.id = x.sender_id
    WHERE x.room_id = r.id AND x.seq < $2 AND (NOT r.private OR m.user_id IS NOT NULL)
      {above}
    ORDER BY x.seq {order} LIMIT $4
) p ON true
WHERE r.id = $3
ORDER BY p.seq
"""
NEWEST_BELOW = _PAGE.format(above="AND $5::bigint IS NULL", order="DESC")
OLDEST_ABOVE = _PAGE.format(above="AND x.seq > $5", order="ASC")
_NO_BOUND = 2**63 - 1
_JSON = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


class Lean:
    def __init__(self, dsn: str, secret: str, redis_url: str, redis_prefix: str) -> None:
        self._dsn, self._secret = dsn, secret
        self._redis = Redis.from_url(redis_url)
        self._revoked = f"{redis_prefix}:revoked:"
        self._pool: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        status, body = 404, b'{"message":"not found","code":"not_found"}'
        if scope["path"].startswith(PREFIX):
            status, body = await self._history(scope)
        elif scope["path"] == "/ready":
            status, body = 200, b"{}"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._pool = await asyncpg.create_pool(self._dsn, min_size=16, max_size=16)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._pool.close()
                await self._redis.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _history(self, scope: Any) -> tuple[int, bytes]:
        user_id = await self._user(scope)
        if user_id is None:
            return 401, b'{"message":"unauthorized","code":"unauthorized"}'
        try:
            room_id = int(scope["path"][len(PREFIX) :])
            query = parse_qs(scope["query_string"].decode("latin-1"))
            before = int(query["before"][0]) if "before" in query else _NO_BOUND
            after = int(query["after"][0]) if "after" in query else None
            limit = int(query.get("limit", ["50"])[0])
        except ValueError:
            return 400, b'{"message":"invalid request","code":"invalid"}'
        if not 1 <= limit <= 200:
            return 400, b'{"message":"invalid request","code":"invalid"}'
        sql = NEWEST_BELOW if after is None else OLDEST_ABOVE
        rows = await self._pool.fetch(sql, user_id, before, room_id, limit + 1, after)
        if not rows:
            return 404, b'{"message":"room not found","code":"not_found"}'
        private, member = rows[0][0], rows[0][1]
        if private and not member:
            return 403, b'{"message":"not a member of this room","code":"forbidden"}'
        if rows[0][2] is None:
            rows = []
        has_more = len(rows) > limit
        if has_more:
            rows = rows[:limit] if after is not None else rows[1:]
        messages = [
            {
                "id": r[2],
                "room_id": r[3],
                "seq": r[4],
                "sender": {"id": r[5], "username": r[6]},
                "body": r[7],
                "client_id": r[8],
                "created_at": r[9],
                "edited_at": r[10],
                "deleted": r[11],
            }
            for r in rows
        ]
        return 200, orjson.dumps({"messages": messages, "has_more": has_more}, option=_JSON)

    async def _user(self, scope: Any) -> int | None:
        for key, value in scope["headers"]:
            if key == b"authorization":
                scheme, _, token = bytes(value).decode("latin-1").partition(" ")
                if scheme.lower() != "bearer":
                    return None
                try:
                    claims = jwt.decode(token.strip(), self._secret, algorithms=["HS256"])
                except jwt.PyJWTError:
                    return None
                if await self._redis.exists(self._revoked + str(claims["jti"])):
                    return None
                return int(claims["sub"])
        return None


def create() -> Lean:
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    return Lean(dsn, os.environ["SECRET_KEY"], os.environ["REDIS_URL"], os.environ["REDIS_PREFIX"])
