"""Guarantee 8 (Bounded), ASVS 5.0 V2.4: rate limits count per user, across all of the
user's sockets and, with Redis, across processes; every event that writes or fans out has
one; a user holds at most MAX_SOCKETS_PER_USER sockets.

On the PostgreSQL + Redis backend the two servers here are two processes sharing one Redis
prefix of their own, and each user's sockets are spread over both; on SQLite (no Redis)
they are one process, so the same tests cover the in-process limiter."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.realtime.helpers import code, refusal, send
from tests.security.conftest import socket_refusal
from tests.support.backends import Backend
from tests.support.clients import WAIT, Account, SocketClient, create_room, register
from tests.support.server import ServerProcess

BURST = 3
CAP = 4
# Bursts of BURST, refilled at one token per 100 s: nothing refills during a test.
SLOW = "0.01"
LIMITS = {
    f"{action}_RATE_{part}": value
    for action in ("SEND", "TYPING", "EDIT", "DELETE", "JOIN", "LEAVE", "READ")
    for part, value in (("PER_SECOND", SLOW), ("BURST", str(BURST)))
} | {"MAX_SOCKETS_PER_USER": str(CAP)}

Pair = tuple[ServerProcess, ServerProcess]


@pytest.fixture(scope="module")
def pair(backend: Backend, run_dir: Path) -> Iterator[Pair]:
    """Stopped after this module (the shared PostgreSQL takes 100 connections)."""
    run = uuid.uuid4().hex[:6]
    env = {"REDIS_PREFIX": f"{backend.redis_prefix}:limits{run}", **LIMITS}
    count = 2 if backend.uses_redis else 1
    servers = [ServerProcess(backend, run_dir, f"limits-{run}-{i}", **env) for i in range(count)]
    try:
        for server in servers:
            server.start()
        yield servers[0], servers[-1]
    finally:
        for server in servers:
            server.close()


@pytest.fixture
def open_sockets(sockets: Callable[..., SocketClient], pair: Pair) -> Callable[[Account, int], Any]:
    """open_sockets(account, n): n connected sockets, alternating between the two servers."""

    async def opened(account: Account, n: int) -> list[SocketClient]:
        clients = [sockets(account.token, pair[i % 2].url) for i in range(n)]
        for client in clients:
            await client.connect()
        return clients

    return opened


async def test_sends_count_per_user_across_sockets_and_processes(
    pair: Pair, open_sockets: Callable[[Account, int], Any]
) -> None:
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as http:
        user = await register(http)
        neighbour = await register(http)
        room = await create_room(http, user)
        assert (
            await http.post(f"/api/rooms/{room['id']}/members", headers=neighbour.headers)
        ).status_code == 201
    clients = await open_sockets(user, 4)
    acks = []
    for round_ in range(2):
        for i, client in enumerate(clients):
            payload = {"room_id": room["id"], "body": "x", "client_id": f"c{round_}-{i}"}
            acks.append(await client.call("send", payload))
    accepted = [a for a in acks if a["ok"]]
    assert len(accepted) == BURST, acks
    assert {code(a) for a in acks if not a["ok"]} == {"rate_limited"}
    async with httpx.AsyncClient(base_url=pair[1].url, timeout=30) as http:
        history = await http.get(f"/api/rooms/{room['id']}/messages", headers=user.headers)
    assert [m["seq"] for m in history.json()["messages"]] == list(range(1, BURST + 1))
    # Another user in the same room has a bucket of its own.
    (other,) = await open_sockets(neighbour, 1)
    await send(other, room["id"])


@pytest.mark.parametrize("event", ["edit", "delete", "join", "leave", "read", "typing"])
async def test_every_event_that_writes_or_fans_out_is_limited_per_user(
    pair: Pair, open_sockets: Callable[[Account, int], Any], event: str
) -> None:
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as http:
        user = await register(http)
        room = await create_room(http, user)
    clients = await open_sockets(user, 2)
    message = await send(clients[0], room["id"])
    payloads = {
        "edit": {"message_id": message["id"], "body": "edited"},
        "delete": {"message_id": message["id"]},
        "join": {"room_id": room["id"]},
        "leave": {"room_id": room["id"]},
        "read": {"room_id": room["id"], "seq": message["seq"]},
        "typing": {"room_id": room["id"]},
    }
    # Alternating sockets (and, with Redis, processes): one bucket for the user.
    acks = [await clients[i % 2].call(event, payloads[event]) for i in range(BURST + 1)]
    early = [a if a["ok"] else a["error"]["code"] for a in acks[:BURST]]
    assert "rate_limited" not in early, acks
    assert code(acks[BURST]) == "rate_limited", acks


async def test_a_user_holds_at_most_max_sockets_per_user(
    pair: Pair, sockets: Callable[..., SocketClient], open_sockets: Callable[[Account, int], Any]
) -> None:
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as http:
        user = await register(http)
        other = await register(http)
    clients = await open_sockets(user, CAP)
    for server in pair:
        assert await refusal(server.url, {"token": user.token}) == "rate_limited"
    # Another user is not counted with this one.
    assert await socket_refusal(pair[1].url, other.token) is None
    # A closed socket frees its place (once the server has seen the disconnect).
    await clients[0].close()

    async def reconnect() -> None:
        while await socket_refusal(pair[1].url, user.token) is not None:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(reconnect(), WAIT)
