"""The two backends a test run uses: SQLite + in-process manager, or PostgreSQL + Redis.

Each run gets a database of its own (and a Redis key prefix of its own) and drops it after.
With CHAT_TEST_REDIS=cluster, the PostgreSQL backend's Redis is a private Redis Cluster
(3 masters, 3 replicas) started for the run and stopped after it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.redis_cluster import PrivateRedisCluster

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PG_ADMIN_URL = os.environ.get(
    "CHAT_TEST_PG_ADMIN_URL", f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"
)


@dataclass
class Backend:
    name: str
    database_url: str
    redis_url: str | None
    redis_prefix: str
    _cleanup: list[str] = field(default_factory=list)
    redis_cluster: PrivateRedisCluster | None = None

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    def env(self) -> dict[str, str]:
        env = {"DATABASE_URL": self.database_url, "REDIS_PREFIX": self.redis_prefix}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env["REDIS_CLUSTER"] = "true" if self.redis_cluster is not None else "false"
        return env


def reachable(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def backend_name() -> str:
    name = os.environ.get("CHAT_TEST_BACKEND", "sqlite")
    if name not in ("sqlite", "postgres"):
        raise RuntimeError(f"CHAT_TEST_BACKEND must be sqlite or postgres, got {name!r}")
    return name


def redis_mode() -> str:
    mode = os.environ.get("CHAT_TEST_REDIS", "single")
    if mode not in ("single", "cluster"):
        raise RuntimeError(f"CHAT_TEST_REDIS must be single or cluster, got {mode!r}")
    return mode


def create_backend(tmp: Path) -> Backend:
    run = uuid.uuid4().hex[:10]
    if backend_name() == "sqlite":
        return Backend(
            name="sqlite",
            database_url=f"sqlite+aiosqlite:///{tmp / 'chat.db'}",
            redis_url=None,
            redis_prefix=f"chattest{run}",
        )
    missing = [
        f"{what} at {host}:{port}"
        for what, host, port in (
            ("PostgreSQL", PG_HOST, PG_PORT),
            ("Redis", REDIS_HOST, REDIS_PORT),
        )
        if not reachable(host, port)
    ]
    if missing:
        raise RuntimeError(
            "CHAT_TEST_BACKEND=postgres needs "
            + " and ".join(missing)
            + "; scripts/test.sh starts them where they are installed"
        )
    cluster = PrivateRedisCluster().start() if redis_mode() == "cluster" else None
    name = f"chat_test_{run}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return Backend(
        name="postgres",
        database_url=f"{base}/{name}",
        redis_url=cluster.url if cluster else f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        redis_prefix=f"chattest{run}",
        _cleanup=[name],
        redis_cluster=cluster,
    )


def create_extra_database() -> str:
    """Another empty PostgreSQL database (migration tests); dropped by drop_database."""
    name = f"chat_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return name


def pg_url(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def destroy_backend(backend: Backend) -> None:
    for name in backend._cleanup:
        drop_database(name)
    if backend.redis_cluster is not None:
        backend.redis_cluster.close()
    elif backend.redis_url:
        asyncio.run(_drop_redis_keys(backend.redis_url, backend.redis_prefix))


async def _admin(statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _drop_redis_keys(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
