"""The benchmark's server process and the API calls that set up its data."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from loadtests.rest_bench import database

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CHAT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# Above the clients' concurrency: with the default 10 (+10 overflow, closed when returned)
# more than 10 requests in flight open and close a connection each time.
DB_POOL_SIZE = 32
LEAN_FACTORY = "loadtests.rest_bench.lean:create"


def split_cores() -> tuple[set[int] | None, set[int] | None]:
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None, None
    return {cores[0]}, set(cores[1:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SECRET_KEY = secrets.token_urlsafe(48)  # the server's, and the lean peer's


def start_server(
    name: str,
    prefix: str,
    port: int,
    cores: set[int] | None,
    log: Path,
    factory: str = "loadtests.rest_bench.app:create",
) -> subprocess.Popen[bytes]:
    """ChatApp with its pure-ASGI twin; with `factory` loadtests.rest_bench.lean:create, the
    lean peer on the same database, Redis prefix and key."""
    env = {
        **os.environ,
        "CHAT_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database.sqlalchemy_url(name),
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": prefix,
        "LOG_LEVEL": "warning",
        "DB_POOL_SIZE": str(DB_POOL_SIZE),
        "LOGIN_RATE_PER_USER": "1000000",
        "LOGIN_RATE_PER_ADDRESS": "1000000",
        "REGISTER_RATE_PER_SECOND": "1000000",
        "REGISTER_RATE_BURST": "1000000",
        "ROOM_CREATE_RATE_PER_SECOND": "1000000",
        "ROOM_CREATE_RATE_BURST": "1000000",
        "PYTHONPATH": str(REPO_ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--log-level",
        "warning",
        "--no-access-log",
        "--no-server-header",
    ]

    def pin() -> None:
        if cores:
            os.sched_setaffinity(0, cores)

    with log.open("ab") as sink:
        return subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=pin
        )


def wait_ready(
    base: str, server: subprocess.Popen[bytes], timeout: float = 60, path: str = "/api/ready"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the benchmark server exited; see server.log")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}{path}", timeout=2) as response,  # noqa: S310
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the benchmark server was not ready in {timeout}s")


def _post(base: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - 127.0.0.1 only
        f"{base}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def login(base: str) -> tuple[str, int]:
    credentials = {"username": "bencher", "password": secrets.token_urlsafe(16)}
    user = _post(base, "/api/auth/register", credentials)
    return str(_post(base, "/api/auth/login", credentials)["access_token"]), int(user["id"])


def create_room(base: str, token: str, name: str) -> int:
    return int(_post(base, "/api/rooms", {"name": name}, token)["id"])


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


async def drop_redis_keys(prefix: str) -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
