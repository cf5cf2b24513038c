"""Login attempts are limited per username and client address, and per client address:
429 with Retry-After.

The limits server allows 3 attempts per username from one address and 5 per address in a
60 s window. The
client address is what uvicorn takes from X-Forwarded-For, which it trusts from 127.0.0.1
(a proxy in front of the server), so each test speaks from addresses of its own: with
Redis the counters are shared with the main server, where every other test logs in from
127.0.0.1 itself."""

from __future__ import annotations

import random

import httpx

from tests.http.conftest import assert_error
from tests.support.clients import unique
from tests.support.server import ServerProcess


def address() -> str:
    return f"198.51.{random.randrange(256)}.{random.randrange(1, 255)}"


async def login(
    client: httpx.AsyncClient, username: str, password: str, source: str
) -> httpx.Response:
    return await client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": source},
    )


async def register_only(client: httpx.AsyncClient) -> tuple[str, str]:
    """A new user, not logged in (registering counts against no limit)."""
    username, password = unique(), "right-password"
    created = await client.post(
        "/api/auth/register", json={"username": username, "password": password}
    )
    assert created.status_code == 201
    return username, password


def assert_limited(response: httpx.Response, window: int = 60) -> None:
    assert_error(response, 429, "rate_limited")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= window


async def test_a_username_is_limited_per_address_whatever_the_password(
    limits_server: ServerProcess,
) -> None:
    async with httpx.AsyncClient(base_url=limits_server.url, timeout=30) as client:
        source = address()
        target, _ = await register_only(client)
        for attempt in range(3):
            name = target if attempt % 2 else target.upper()
            assert_error(await login(client, name, "wrong-password", source), 401, "unauthorized")
        # The right password no longer helps from this address; from another it does (the
        # owner is not locked out by someone else's guesses).
        assert_limited(await login(client, target, "right-password", source))
        assert (await login(client, target, "right-password", address())).status_code == 200
        # Another user is not affected.
        bystander, password = await register_only(client)
        ok = await login(client, bystander, password, address())
        assert ok.status_code == 200


async def test_an_address_is_limited_across_usernames(limits_server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=limits_server.url, timeout=30) as client:
        source = address()
        username, password = await register_only(client)
        for _ in range(5):
            assert_error(await login(client, unique(), "whatever-pw", source), 401, "unauthorized")
        assert_limited(await login(client, username, password, source))
        # The same user from another address logs in: the address, not the user, is limited.
        ok = await login(client, username, password, address())
        assert ok.status_code == 200
        assert ok.json()["token_type"] == "bearer"
