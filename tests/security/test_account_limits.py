"""ASVS 5.0 V6.3.1 and V2.4: nobody locks another user out, and registration and room
creation are limited.

Client addresses are named with X-Forwarded-For, which these servers trust from 127.0.0.1
(as from a reverse proxy in front of them); each server has Redis keys (or memory) of its
own, so only these attempts count."""

from __future__ import annotations

import random

import httpx

from tests.security.conftest import Spawn
from tests.support.clients import create_room, register, unique


def address() -> str:
    return f"203.0.{random.randrange(114, 256)}.{random.randrange(1, 255)}"


async def login(
    http: httpx.AsyncClient, username: str, password: str, source: str
) -> httpx.Response:
    return await http.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": source},
    )


async def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(
    ephemeral: Spawn,
) -> None:
    server = ephemeral("lockout", LOGIN_RATE_PER_USER="3", LOGIN_RATE_PER_ACCOUNT="1000")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        victim = await register(http)
        attacker = address()
        statuses = [
            (await login(http, victim.username, "wrong-password", attacker)).status_code
            for _ in range(5)
        ]
        assert statuses == [401, 401, 401, 429, 429]
        # The guesses cost the attacker's address, not the owner.
        home = address()
        assert (await login(http, victim.username, victim.password, home)).status_code == 200
        # The owner's own mistakes are forgotten once it logs in.
        for _ in range(2):
            assert (await login(http, victim.username, "typo-password", home)).status_code == 401
        assert (await login(http, victim.username, victim.password, home)).status_code == 200
        for _ in range(3):
            assert (await login(http, victim.username, "typo-password", home)).status_code == 401
        assert (await login(http, victim.username, victim.password, home)).status_code == 429


async def test_many_addresses_guessing_one_account_meet_a_ceiling_that_spares_the_owner(
    ephemeral: Spawn,
) -> None:
    server = ephemeral("ceiling", LOGIN_RATE_PER_USER="3", LOGIN_RATE_PER_ACCOUNT="6")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        victim = await register(http)
        home = address()
        assert (await login(http, victim.username, victim.password, home)).status_code == 200
        # A botnet: each address stays under its own allowance, together they pass the
        # account's ceiling (2 logins above were the owner's: register() logs in too).
        spray = [
            (await login(http, victim.username, f"guess-{i}-pw", address())).status_code
            for i in range(8)
        ]
        assert spray == [401] * 4 + [429] * 4, spray
        # Past the ceiling, an unknown address waits even with the right password...
        assert (await login(http, victim.username, victim.password, address())).status_code == 429
        # ...and the address the owner logged in from before still gets in.
        assert (await login(http, victim.username, victim.password, home)).status_code == 200


async def test_registration_is_limited_per_address_taken_names_included(
    ephemeral: Spawn,
) -> None:
    server = ephemeral("register", REGISTER_RATE_PER_SECOND="0.01", REGISTER_RATE_BURST="3")
    source = address()
    async with httpx.AsyncClient(
        base_url=server.url, timeout=30, headers={"X-Forwarded-For": source}
    ) as http:
        taken = unique()
        body = {"username": taken, "password": "a-long-password"}
        statuses = [(await http.post("/api/auth/register", json=body)).status_code]
        # A taken name costs an Argon2 hash as a new one does: it counts the same.
        statuses += [(await http.post("/api/auth/register", json=body)).status_code]
        statuses += [
            (
                await http.post(
                    "/api/auth/register", json={"username": unique(), "password": "pw-12345678"}
                )
            ).status_code
            for _ in range(3)
        ]
        assert statuses == [201, 409, 201, 429, 429], statuses
        refused = await http.post("/api/auth/register", json=body)
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        # Another address registers.
        other = await http.post(
            "/api/auth/register",
            json={"username": unique(), "password": "pw-12345678"},
            headers={"X-Forwarded-For": address()},
        )
        assert other.status_code == 201


async def test_room_creation_is_limited_per_user(ephemeral: Spawn) -> None:
    server = ephemeral("rooms", ROOM_CREATE_RATE_PER_SECOND="0.01", ROOM_CREATE_RATE_BURST="2")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await register(http)
        other = await register(http)
        for _ in range(2):
            await create_room(http, user)
        refused = await http.post("/api/rooms", json={"name": unique("r")}, headers=user.headers)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        await create_room(http, other)
