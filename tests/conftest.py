"""Real servers on 127.0.0.1, a fresh database per run, PostgreSQL + Redis or SQLite."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.backends import Backend, create_backend, destroy_backend
from tests.support.clients import Account, SocketClient, register
from tests.support.server import ServerProcess


def pytest_report_header() -> str:
    return f"chat backend: {os.environ.get('CHAT_TEST_BACKEND', 'sqlite')}"


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chatrun")


@pytest.fixture(scope="session")
def backend(run_dir: Path) -> Iterator[Backend]:
    created = create_backend(run_dir)
    yield created
    destroy_backend(created)


@pytest.fixture(scope="session")
def server(backend: Backend, run_dir: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(backend, run_dir, "main").start()
    yield process
    process.close()


@pytest.fixture(scope="session")
def spawn(backend: Backend, run_dir: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Starts more servers on the same database and Redis (several processes, other settings)."""
    started: list[ServerProcess] = []

    def start(name: str, **overrides: str) -> ServerProcess:
        process = ServerProcess(backend, run_dir, f"{name}-{len(started)}", **overrides).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


@pytest.fixture
async def http(server: ServerProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
async def user(http: httpx.AsyncClient) -> Account:
    return await register(http)


@pytest.fixture
async def sockets(server: ServerProcess) -> AsyncIterator[Callable[..., SocketClient]]:
    """Opens sockets (to the main server unless told otherwise) and closes them after."""
    opened: list[SocketClient] = []

    def open_socket(token: str | None, url: str | None = None, **kwargs: object) -> SocketClient:
        client = SocketClient(url or server.url, token, **kwargs)  # type: ignore[arg-type]
        opened.append(client)
        return client

    yield open_socket
    for client in opened:
        await client.close()
