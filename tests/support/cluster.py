"""Two (or more) ChatApp processes on a private PostgreSQL and Redis (or Redis Cluster),
optionally reached through fault proxies: what every drill stands on."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests.support.backends import Backend
from tests.support.clients import Account, create_room, register
from tests.support.faultproxy import FaultProxy
from tests.support.ledger import Msg, fetch_history
from tests.support.logs import unhandled_in
from tests.support.private import HOST, PrivatePostgres, PrivateRedis
from tests.support.redis_cluster import PrivateRedisCluster
from tests.support.server import ServerProcess

# Limits high enough to measure the drill, not the limiter; a dead process's users leave
# `online` within 3 s so the presence check stays short.
DRILL_ENV = {
    "PRESENCE_TTL_SECONDS": "3",
    "SEND_RATE_PER_SECOND": "10000",
    "SEND_RATE_BURST": "10000",
    "LOGIN_RATE_PER_USER": "100000",
    "LOGIN_RATE_PER_ADDRESS": "1000000",
    "EDIT_RATE_PER_SECOND": "10000",
    "EDIT_RATE_BURST": "10000",
    "DELETE_RATE_PER_SECOND": "10000",
    "DELETE_RATE_BURST": "10000",
    "JOIN_RATE_PER_SECOND": "10000",
    "JOIN_RATE_BURST": "10000",
    "LEAVE_RATE_PER_SECOND": "10000",
    "LEAVE_RATE_BURST": "10000",
    "READ_RATE_PER_SECOND": "10000",
    "READ_RATE_BURST": "10000",
    "ROOM_CREATE_RATE_PER_SECOND": "10000",
    "ROOM_CREATE_RATE_BURST": "10000",
    "REGISTER_RATE_PER_SECOND": "10000",
    "REGISTER_RATE_BURST": "10000",
    "LOGIN_RATE_PER_ACCOUNT": "1000000",
}


class Cluster:
    def __init__(
        self,
        pg: PrivatePostgres,
        redis: PrivateRedis | PrivateRedisCluster,
        run_dir: Path,
        *,
        size: int = 2,
        proxied: bool = False,
        **env: str,
    ) -> None:
        self.pg = pg
        self.redis = redis
        self.database = pg.create_database()
        self.pg_proxy: FaultProxy | None = None
        self.redis_proxy: FaultProxy | None = None
        pg_port = pg.port
        if isinstance(redis, PrivateRedisCluster):
            assert not proxied, "the fault proxies stand in front of one Redis only"
            redis_url = redis.url
        else:
            redis_port = redis.port
            if proxied:
                self.pg_proxy = FaultProxy(HOST, pg.port, name="postgres").start()
                self.redis_proxy = FaultProxy(HOST, redis.port, name="redis").start()
                pg_port, redis_port = self.pg_proxy.port, self.redis_proxy.port
            redis_url = f"redis://{HOST}:{redis_port}/0"
        run = uuid.uuid4().hex[:8]
        self.backend = Backend(
            name="postgres",
            database_url=pg.url(self.database, pg_port),
            redis_url=redis_url,
            redis_prefix=f"drill{run}",
            redis_cluster=redis if isinstance(redis, PrivateRedisCluster) else None,
        )
        self.log_dir = run_dir / f"cluster-{run}"
        self.log_dir.mkdir(parents=True)
        self.servers: list[ServerProcess] = []
        try:
            for i in range(size):
                name = "ab"[i] if i < 2 else f"n{i}"
                server = ServerProcess(self.backend, self.log_dir, name, **{**DRILL_ENV, **env})
                self.servers.append(server.start())
        except BaseException:
            self.close()
            raise

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def http(self, index: int = 0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.servers[index].url, timeout=30)

    async def accounts(self, count: int) -> list[Account]:
        async with self.http() as http:
            return [await register(http) for _ in range(count)]

    async def room(self, owner: Account, members: list[Account]) -> int:
        """A public room everyone in `members` has joined over REST."""
        async with self.http() as http:
            room = await create_room(http, owner)
            for member in members:
                if member.id == owner.id:
                    continue
                response = await http.post(
                    f"/api/rooms/{room['id']}/members", headers=member.headers
                )
                assert response.status_code in (200, 201), response.text
        return int(room["id"])

    async def history(self, reader: Account, rooms: set[int]) -> dict[int, list[Msg]]:
        async with self.http(self.alive_index()) as http:
            return {room: await fetch_history(http, reader.headers, room) for room in rooms}

    def alive_index(self) -> int:
        for i, server in enumerate(self.servers):
            if server.process is not None and server.process.poll() is None:
                return i
        raise AssertionError("no server process is alive")

    def unhandled(self) -> dict[str, list[str]]:
        """Unhandled exceptions in the servers' logs, per server: for each traceback, the
        line that logged it and the exception it ended with, with a count."""
        found: dict[str, list[str]] = {}
        for server in self.servers:
            summaries = unhandled_in(server.log_text())
            if summaries:
                found[server.name] = summaries
        return found

    def assert_alive(self, skip: tuple[int, ...] | list[int] = ()) -> None:
        for i, server in enumerate(self.servers):
            if i in skip:
                continue
            assert server.process is not None
            code = server.process.poll()
            assert code is None, f"{server.name} exited with {code}:\n{server.log_tail()}"

    def close(self) -> None:
        for server in self.servers:
            server.close()
        for proxy in (self.pg_proxy, self.redis_proxy):
            if proxy is not None:
                proxy.close()
