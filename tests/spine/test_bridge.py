"""The asgiref bridge: concurrent, and never a 500 on keep-alive (asgiref #491, #526, #218).

The keep-alive test also runs against asgiref's stock WsgiToAsgi, where it must fail: the
day it passes there, upstream fixed the defect and our subclass can go.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.bridge_app import CONCURRENT
from tests.support.server import ServerProcess


def _serve(kind: str) -> Iterator[str]:
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tests.support.bridge_app:create",
            "--fd",
            str(sock.fileno()),
            "--log-level",
            "critical",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
        ],
        env={**os.environ, "BRIDGE_KIND": kind},
        pass_fds=(sock.fileno(),),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/fast", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "bridge test server did not start"
                assert process.poll() is None, "bridge test server exited"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        sock.close()


@pytest.fixture
def pooled_url() -> Iterator[str]:
    yield from _serve("pooled")


@pytest.fixture
def stock_url() -> Iterator[str]:
    yield from _serve("stock")


async def _keepalive(url: str, path: str, count: int, stop_at_error: bool = False) -> list[int]:
    """Statuses of requests sent back to back on one connection (0: it hung). A blocking
    client in a thread sends the next request sooner than the event loop's would, which is
    what exposes the stock bridge."""

    def run() -> list[int]:
        statuses = []
        limits = httpx.Limits(max_connections=1)
        with httpx.Client(base_url=url, limits=limits, timeout=5) as client:
            for _ in range(count):
                try:
                    statuses.append(client.get(path).status_code)
                except httpx.TimeoutException:
                    statuses.append(0)
                if stop_at_error and statuses[-1] != 200:
                    break
        return statuses

    return await asyncio.to_thread(run)


async def test_pooled_bridge_answers_keepalive_requests_without_error(pooled_url: str) -> None:
    assert await _keepalive(pooled_url, "/fast", 1000) == [200] * 1000


async def test_stock_bridge_fails_on_keepalive(stock_url: str) -> None:
    statuses = await _keepalive(stock_url, "/fast", 2000, stop_at_error=True)
    assert set(statuses) != {200}, "asgiref fixed keep-alive: PooledWsgiToAsgi may be dropped"


async def test_pooled_bridge_runs_requests_concurrently(pooled_url: str) -> None:
    async with httpx.AsyncClient(base_url=pooled_url, timeout=30) as client:
        responses = await asyncio.gather(*(client.get("/together") for _ in range(CONCURRENT)))
    assert [r.status_code for r in responses] == [200] * CONCURRENT
    assert sorted(r.json()["arrived"] for r in responses) == list(range(CONCURRENT))


async def test_chat_api_answers_200_keepalive_and_200_concurrent_requests(
    server: ServerProcess,
) -> None:
    assert await _keepalive(server.url, "/api/health", 200) == [200] * 200
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        responses = await asyncio.gather(*(client.get("/api/health") for _ in range(200)))
    assert {r.status_code for r in responses} == {200}
