"""ASVS 5.0 V6.2 (passwords) and V11.4 (hashing): Argon2id with m >= 19 MiB and t >= 2, read
from what the database stores; 8-128 characters, no composition rules, any Unicode."""

from __future__ import annotations

import re
import secrets
import string

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.backends import Backend
from tests.support.clients import unique


async def stored_hash(backend: Backend, username: str) -> str:
    engine = create_async_engine(backend.database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT password_hash FROM users WHERE username_key = :key"),
                    {"key": username.lower()},
                )
            ).one()
    finally:
        await engine.dispose()
    return str(row[0])


def lowercase(n: int) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n))


async def register_status(http: httpx.AsyncClient, password: str) -> tuple[int, str]:
    username = unique()
    response = await http.post(
        "/api/auth/register", json={"username": username, "password": password}
    )
    return response.status_code, username


async def test_passwords_are_stored_as_argon2id_with_asvs_minimum_cost(
    http: httpx.AsyncClient, backend: Backend
) -> None:
    password = lowercase(12)
    status, username = await register_status(http, password)
    assert status == 201
    stored = await stored_hash(backend, username)
    match = re.fullmatch(
        r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+", stored
    )
    assert match, f"not an Argon2id PHC string: {stored[:40]}..."
    memory_kib, time_cost, parallelism = (int(g) for g in match.groups())
    assert memory_kib >= 19 * 1024, memory_kib
    assert time_cost >= 2, time_cost
    assert parallelism >= 1
    assert password not in stored


async def test_same_password_gets_a_different_salt(
    http: httpx.AsyncClient, backend: Backend
) -> None:
    password = lowercase(10)
    _, first = await register_status(http, password)
    _, second = await register_status(http, password)
    assert await stored_hash(backend, first) != await stored_hash(backend, second)


async def test_length_8_to_128_without_composition_rules(http: httpx.AsyncClient) -> None:
    # All lowercase, no digit, no symbol: accepted from 8 to 128 characters.
    assert (await register_status(http, lowercase(8)))[0] == 201
    assert (await register_status(http, lowercase(128)))[0] == 201
    assert (await register_status(http, lowercase(7)))[0] == 400
    assert (await register_status(http, lowercase(129)))[0] == 400


async def test_any_unicode_and_spaces_are_allowed_and_kept_whole(
    http: httpx.AsyncClient,
) -> None:
    password = "correct horse \u00e9t\u00e9 \U0001f40e battery"
    status, username = await register_status(http, password)
    assert status == 201
    login = await http.post("/api/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200
    # Not truncated or normalised into something shorter: a prefix does not log in.
    wrong = await http.post(
        "/api/auth/login", json={"username": username, "password": password[:-1]}
    )
    assert wrong.status_code == 401


async def test_login_failures_do_not_tell_which_part_was_wrong(http: httpx.AsyncClient) -> None:
    password = lowercase(12)
    _, username = await register_status(http, password)
    wrong_password = await http.post(
        "/api/auth/login", json={"username": username, "password": lowercase(12)}
    )
    no_such_user = await http.post(
        "/api/auth/login", json={"username": unique(), "password": lowercase(12)}
    )
    assert wrong_password.status_code == no_such_user.status_code == 401
    assert wrong_password.json() == no_such_user.json()
