"""`chat serve --workers N` serves websocket clients: with Redis, sockets spread over the
workers share one room (on the SQLite backend, without Redis, one worker: the same path)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.realtime.helpers import join, send
from tests.support.backends import Backend
from tests.support.clients import SocketClient, create_room, register
from tests.support.server import DEFAULT_ENV


@pytest.fixture(scope="module")
def workers_url(backend: Backend, run_dir: Path) -> Iterator[str]:
    workers = "2" if backend.uses_redis else "1"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    with (run_dir / "workers.log").open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chat",
                "serve",
                "--fd",
                str(sock.fileno()),
                "--workers",
                workers,
            ],
            env={**inherited, **DEFAULT_ENV, **backend.env()},
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "chat serve --workers exited"
            try:
                if httpx.get(f"{url}/api/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "chat serve --workers not ready"
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        sock.close()


async def test_websocket_clients_of_several_workers_share_a_room(
    workers_url: str, sockets: Callable[..., SocketClient]
) -> None:
    async with httpx.AsyncClient(base_url=workers_url, timeout=30) as http:
        accounts = [await register(http) for _ in range(8)]
        room = await create_room(http, accounts[0])
    clients = [await sockets(a.token, workers_url).connect() for a in accounts]
    for client in clients:
        await join(client, room["id"])
    message = await send(clients[-1], room["id"], "to every worker")
    for client in clients:
        await client.recorder.wait_for(lambda r: message in r.of("message"), what="message")
    online = (await join(clients[0], room["id"], since_seq=message["seq"]))["online"]
    assert {u["id"] for u in online} == {a.id for a in accounts}
