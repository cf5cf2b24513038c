"""While Redis fails, the per-user limits fall back to each process's own buckets: sends
are still stored and acknowledged, and a flood is still refused (per process). A drill:
Redis is reached through the fault proxy, which then resets every connection to it."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.realtime.helpers import code, succeeded
from tests.support.backends import Backend
from tests.support.clients import SocketClient, create_room, register
from tests.support.faultproxy import FaultProxy
from tests.support.server import ServerProcess

pytestmark = pytest.mark.drill


async def test_sends_go_on_under_per_process_limits_while_redis_fails(
    backend: Backend, run_dir: Path
) -> None:
    target = urlsplit(backend.redis_url or "redis://127.0.0.1:6379/0")
    proxy = FaultProxy(target.hostname or "127.0.0.1", target.port or 6379, name="redis").start()
    run = uuid.uuid4().hex[:6]
    server = ServerProcess(
        backend,
        run_dir,
        f"limits-no-redis-{run}",
        REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0",
        REDIS_PREFIX=f"{backend.redis_prefix}:noredis{run}",
        SEND_RATE_PER_SECOND="0.01",
        SEND_RATE_BURST="3",
    )
    client: SocketClient | None = None
    try:
        server.start()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            user = await register(http)
            room = await create_room(http, user)
        client = await SocketClient(server.url, user.token).connect()
        log_before = len(server.log_text())

        proxy.reset()
        acks = [
            await client.call(
                "send", {"room_id": room["id"], "body": f"m{i}", "client_id": f"nr-{i}"}
            )
            for i in range(5)
        ]
        for ack in acks[:3]:
            succeeded(ack)
        assert [code(ack) for ack in acks[3:]] == ["rate_limited", "rate_limited"]
        assert [ack["message"]["seq"] for ack in acks[:3]] == [1, 2, 3]
        log = server.log_text()[log_before:]
        assert log.count("rate limits counted per process while Redis fails") == 1, log[-3000:]
        assert "socket event send failed" not in log
    finally:
        proxy.heal()
        if client is not None:
            await client.close()
        server.close()
        proxy.close()
