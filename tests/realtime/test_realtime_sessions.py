"""Connecting: tokens checked at connect, sockets ended by the server at expiry and logout."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
import pytest

from tests.realtime.conftest import Connect
from tests.realtime.helpers import join, refusal, send, wait_disconnected
from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.server import TEST_SECRET, ServerProcess


def forged(account: Account, **claims: object) -> str:
    now = int(time.time())
    base = {
        "sub": str(account.id),
        "name": account.username,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "forged",
    }
    return jwt.encode({**base, **claims}, TEST_SECRET, algorithm="HS256")


async def test_connects_without_a_valid_token_are_refused(
    server: ServerProcess, user: Account
) -> None:
    for auth in (
        None,
        {},
        {"token": ""},
        {"token": None},
        {"token": 12},
        {"token": ["x"]},
        {"token": "not-a-jwt"},
        {"token": user.token + "x"},
        {"token": jwt.encode({"sub": str(user.id)}, "wrong-key-" * 4, algorithm="HS256")},
        {"token": forged(user, exp=int(time.time()) - 5)},
        {"token": forged(user, nbf=int(time.time()) + 600)},
        {"token": "x" * 10_000},
    ):
        assert await refusal(server.url, auth) == "unauthorized", auth


async def test_a_valid_token_connects(user: Account, connect: Connect) -> None:
    client = await connect(user)
    assert client.sio.connected


@pytest.fixture(scope="module")
def short_lived(spawn: Callable[..., ServerProcess]) -> ServerProcess:
    return spawn("short-lived", ACCESS_TOKEN_TTL_SECONDS="2")


async def test_a_socket_is_disconnected_when_its_token_expires(
    short_lived: ServerProcess, sockets: Callable[..., SocketClient]
) -> None:
    async with httpx.AsyncClient(base_url=short_lived.url, timeout=30) as http:
        account = await register(http)
    client = await sockets(account.token, short_lived.url).connect()
    await wait_disconnected(client, timeout=10)
    assert client.recorder.of("session_revoked") == [{"reason": "expired"}]
    assert await refusal(short_lived.url, {"token": account.token}) == "unauthorized"


async def test_logout_disconnects_that_token_sockets_on_every_process(
    http: httpx.AsyncClient,
    server: ServerProcess,
    peer: ServerProcess,
    sockets: Callable[..., SocketClient],
) -> None:
    account = await register(http)
    response = await http.post(
        "/api/auth/login", json={"username": account.username, "password": account.password}
    )
    other_session = response.json()["access_token"]
    here = await sockets(account.token, server.url).connect()
    there = await sockets(account.token, peer.url).connect()
    kept = await sockets(other_session, peer.url).connect()
    room = await create_room(http, account)
    await join(here, room["id"])
    await join(kept, room["id"])
    response = await http.post("/api/auth/logout", headers=account.headers)
    assert response.status_code == 204, response.text
    for client in (here, there):
        await wait_disconnected(client)
        assert client.recorder.of("session_revoked") == [{"reason": "logged out"}]
    assert await refusal(server.url, {"token": account.token}) == "unauthorized"
    assert await refusal(peer.url, {"token": account.token}) == "unauthorized"
    # The same user's other session is untouched.
    assert kept.sio.connected
    await send(kept, room["id"], "still here")
    await kept.recorder.wait_for(lambda r: len(r.of("message")) == 1)
