"""Realtime fixtures: a second server process on the same database and Redis when the
backend has Redis (broadcasts and presence cross processes only through Redis); on the
SQLite backend, without Redis, `peer` is the main server itself, so the same tests cover
the single-process path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.support.backends import Backend
from tests.support.clients import Account, SocketClient, register
from tests.support.server import ServerProcess

Connect = Callable[..., Awaitable[SocketClient]]


@pytest.fixture(scope="session")
def peer(
    backend: Backend, server: ServerProcess, spawn: Callable[..., ServerProcess]
) -> ServerProcess:
    return spawn("peer") if backend.uses_redis else server


@pytest.fixture
def connect(sockets: Callable[..., SocketClient]) -> Connect:
    """connect(account, url=None) -> a connected SocketClient, closed after the test."""

    async def open_connected(account: Account, url: str | None = None) -> SocketClient:
        return await sockets(account.token, url).connect()

    return open_connected


@pytest.fixture
async def other(http: httpx.AsyncClient) -> Account:
    return await register(http)
