"""Security checks (OWASP ASVS 5.0), each through the public surfaces: REST, the socket,
the stored data and the server's log. docs/security.md maps each item to its test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.support.backends import Backend
from tests.support.clients import WAIT
from tests.support.server import TEST_SECRET, ServerProcess

Spawn = Callable[..., ServerProcess]


@pytest.fixture
def isolated(spawn: Spawn, backend: Backend) -> Spawn:
    """spawn() with Redis keys of its own: limits counted by this server alone."""

    def start(name: str, **env: str) -> ServerProcess:
        prefix = f"{backend.redis_prefix}:{name}{uuid.uuid4().hex[:6]}"
        return spawn(name, REDIS_PREFIX=prefix, **env)

    return start


@pytest.fixture
def ephemeral(backend: Backend, run_dir: Path) -> Iterator[Spawn]:
    """isolated(), but each server stops when the test ends: the shared PostgreSQL takes
    100 connections, and servers kept for the whole session use them up."""
    started: list[ServerProcess] = []

    def start(name: str, **env: str) -> ServerProcess:
        run = uuid.uuid4().hex[:6]
        env = {"REDIS_PREFIX": f"{backend.redis_prefix}:{name}{run}", **env}
        process = ServerProcess(backend, run_dir, f"{name}-{run}", **env)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.close()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def craft(
    claims: dict[str, Any],
    *,
    alg: str = "HS256",
    key: str = TEST_SECRET,
    signature: bytes | None = None,
) -> str:
    """A JWT built by hand, so that any header and any signature can be tried."""
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    if signature is None:
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
        if alg in digest:
            signature = hmac.new(key.encode(), signing_input, digest[alg]).digest()
        else:
            signature = b""
    return f"{header}.{payload}.{b64(signature)}"


def claims_for(user_id: int, username: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "name": username,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


async def socket_refusal(url: str, token: str | None, **connect: Any) -> str | None:
    """None when the socket connects; else the refusal's message (or the error's text)."""
    client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    try:
        await client.connect(
            url,
            auth=None if token is None else {"token": token},
            transports=["websocket"],
            wait_timeout=WAIT,
            **connect,
        )
    except socketio.exceptions.ConnectionError as exc:
        return str(exc) or "refused"
    else:
        return None
    finally:
        if client.connected:
            await client.disconnect()
        # A refused handshake leaves the client's aiohttp session open.
        session = getattr(client.eio, "http", None)
        if session is not None and not session.closed:
            await session.close()
