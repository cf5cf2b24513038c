"""A burst of sockets connecting and joining at once: with Redis, more presence updates in
flight than the process has Redis connections (REDIS_POOL_SIZE) queue for a connection
instead of failing, so every member shows up in `online` and nothing is logged as failed.
(On the SQLite backend, without Redis, the same burst runs on in-process presence.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from tests.realtime.helpers import join
from tests.support.clients import SocketClient, create_room, register
from tests.support.server import ServerProcess

BURST = 24


async def test_a_connect_burst_larger_than_the_redis_pool_loses_no_presence(
    spawn: Callable[..., ServerProcess], sockets: Callable[..., SocketClient]
) -> None:
    tight = spawn("tight-redis-pool", REDIS_POOL_SIZE="2")
    async with httpx.AsyncClient(base_url=tight.url, timeout=30) as http:
        accounts = await asyncio.gather(*(register(http) for _ in range(BURST)))
        room = await create_room(http, accounts[0])
    clients = [sockets(a.token, tight.url) for a in accounts]
    await asyncio.gather(*(c.connect() for c in clients))
    await asyncio.gather(*(join(c, room["id"]) for c in clients))

    online = (await join(clients[0], room["id"]))["online"]
    assert {u["id"] for u in online} == {a.id for a in accounts}
    log = tight.log_text()
    assert "Too many connections" not in log
    assert "presence update failed" not in log
