"""ASVS 5.0 V6.3.1 (credential stuffing and brute force): login attempts are limited per
account and per client address. Servers here run with low limits and Redis keys (or memory)
of their own, so only these attempts count."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.clients import Account, register
from tests.support.server import ServerProcess


async def login(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await http.post("/api/auth/login", json={"username": username, "password": password})


async def test_login_attempts_are_limited_per_account(
    isolated: Callable[..., ServerProcess], http: httpx.AsyncClient
) -> None:
    server = isolated("login-user", LOGIN_RATE_PER_USER="3", LOGIN_RATE_PER_ADDRESS="1000")
    victim: Account = await register(http)
    other: Account = await register(http)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as limited:
        statuses = [
            (await login(limited, victim.username, "wrong-password")).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 401]
        blocked = await login(limited, victim.username, "wrong-password")
        assert blocked.status_code == 429, blocked.text
        assert blocked.json()["code"] == "rate_limited"
        assert int(blocked.headers["Retry-After"]) >= 1
        # Even the right password waits out the window: guessing gains nothing.
        assert (await login(limited, victim.username, victim.password)).status_code == 429
        # The username's case does not open a second window.
        assert (await login(limited, victim.username.upper(), victim.password)).status_code == 429
        # Another account from the same address is not held back.
        assert (await login(limited, other.username, other.password)).status_code == 200


async def test_login_attempts_are_limited_per_address(
    isolated: Callable[..., ServerProcess], http: httpx.AsyncClient
) -> None:
    server = isolated("login-addr", LOGIN_RATE_PER_USER="1000", LOGIN_RATE_PER_ADDRESS="4")
    accounts = [await register(http) for _ in range(5)]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as limited:
        first = [(await login(limited, a.username, a.password)).status_code for a in accounts[:4]]
        assert first == [200, 200, 200, 200]
        spraying = await login(limited, accounts[4].username, accounts[4].password)
        assert spraying.status_code == 429, spraying.text
        assert spraying.json()["code"] == "rate_limited"
