"""A throwaway PostgreSQL database, and rooms filled in bulk with generate_series."""

from __future__ import annotations

import os
import time
import uuid

import asyncpg  # type: ignore[import-untyped]

ADMIN_DSN = os.environ.get("CHAT_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _dsn(name: str) -> str:
    return f"{ADMIN_DSN.rsplit('/', 1)[0]}/{name}"


def sqlalchemy_url(name: str) -> str:
    return _dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)


async def create_database() -> str:
    name = f"chat_restbench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# One INSERT ... SELECT: the rows never leave PostgreSQL. Bodies of ~50 characters; one
# message a second, ending now.
_FILL = """
INSERT INTO messages (room_id, seq, sender_id, body, client_id, created_at, edited_at, deleted)
SELECT $1, g, $2, 'message ' || g || ' ' || md5(g::text), 'bench-' || g,
       now() - make_interval(secs => ($3 - g)::double precision), NULL, false
FROM generate_series(1, $3::bigint) AS g
"""


async def fill_room(name: str, room_id: int, sender_id: int, count: int) -> float:
    """Gives the room messages 1..count; returns the seconds it took."""
    started = time.perf_counter()
    conn = await asyncpg.connect(_dsn(name))
    try:
        async with conn.transaction():
            await conn.execute(_FILL, room_id, sender_id, count)
            await conn.execute("UPDATE rooms SET last_seq = $2 WHERE id = $1", room_id, count)
        await conn.execute("VACUUM ANALYZE messages")
        # Write the new pages out now rather than during the measurements.
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def mark_read(name: str, user_id: int) -> None:
    """Moves the user's read markers to 100 below each room's end, as a reader who keeps up:
    the room list then counts 100 messages per room (the user's own, so unread stays 0)."""
    conn = await asyncpg.connect(_dsn(name))
    try:
        await conn.execute(
            "UPDATE memberships m SET last_read_seq = GREATEST(r.last_seq - 100, 0) "
            "FROM rooms r WHERE r.id = m.room_id AND m.user_id = $1",
            user_id,
        )
    finally:
        await conn.close()
