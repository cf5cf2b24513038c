"""Several processes, one room: with Redis, messages, typing and presence cross processes;
seqs stay gap-free under concurrent senders; a repeated client_id is stored once wherever
it lands. On the SQLite backend (no Redis) `peer` is the main server: the single-process
path runs the same assertions."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.realtime.helpers import contiguous, join, resume, send, succeeded
from tests.support.backends import Backend
from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.server import ServerProcess


async def test_messages_typing_and_presence_cross_processes(
    http: httpx.AsyncClient,
    server: ServerProcess,
    peer: ServerProcess,
    sockets: Callable[..., SocketClient],
) -> None:
    alice, bob = await register(http), await register(http)
    room = await create_room(http, alice)
    a = await sockets(alice.token, server.url).connect()
    b = await sockets(bob.token, peer.url).connect()
    ack = await join(a, room["id"])
    assert ack["online"] == [{"id": alice.id, "username": alice.username}]
    ack = await join(b, room["id"])
    assert {u["id"] for u in ack["online"]} == {alice.id, bob.id}
    bob_online = {"room_id": room["id"], "user": {"id": bob.id, "username": bob.username}}
    await a.recorder.wait_for(
        lambda r: {**bob_online, "online": True} in r.of("presence"), what="bob online"
    )
    message = await send(b, room["id"], "across")
    await a.recorder.wait_for(lambda r: message in r.of("message"), what="message from b")
    await b.recorder.wait_for(lambda r: message in r.of("message"), what="own echo")
    succeeded(await a.call("typing", {"room_id": room["id"]}))
    await b.recorder.wait_for(lambda r: len(r.of("typing")) == 1, what="typing from a")
    edited = succeeded(await b.call("edit", {"message_id": message["id"], "body": "edited"}))
    await a.recorder.wait_for(lambda r: edited["message"] in r.of("message_updated"))
    # A second socket of bob's, on the other process, is no new presence; closing one isn't
    # either; closing the last is.
    b2 = await sockets(bob.token, server.url).connect()
    await join(b2, room["id"])
    await b2.close()
    await b.close()
    await a.recorder.wait_for(
        lambda r: {**bob_online, "online": False} in r.of("presence"), what="bob offline"
    )
    changes = [p["online"] for p in a.recorder.of("presence") if p["user"]["id"] == bob.id]
    assert changes == [True, False]
    ack = await join(a, room["id"], since_seq=1)
    assert ack["online"] == [{"id": alice.id, "username": alice.username}]


async def test_twenty_clients_fifty_messages_each_gap_free(
    http: httpx.AsyncClient,
    server: ServerProcess,
    peer: ServerProcess,
    sockets: Callable[..., SocketClient],
) -> None:
    owner = await register(http)
    room = await create_room(http, owner)
    accounts = await asyncio.gather(*(register(http) for _ in range(20)))
    clients = [
        await sockets(acc.token, (server if i % 2 == 0 else peer).url).connect()
        for i, acc in enumerate(accounts)
    ]
    for client in clients:
        await join(client, room["id"])

    async def deliver(client: SocketClient, n: int) -> dict[str, Any]:
        """As a client should: on `unavailable` (an overloaded database pool answers so
        after its timeout), send again with the same client_id, which cannot store twice."""
        payload = {"room_id": room["id"], "body": f"m{n}", "client_id": uuid.uuid4().hex}
        for _ in range(3):
            ack = await client.call("send", payload, timeout=25)
            if ack["ok"] or ack["error"]["code"] != "unavailable":
                break
        return dict(succeeded(ack)["message"])

    async def burst(client: SocketClient) -> list[dict[str, Any]]:
        return await asyncio.gather(*(deliver(client, n) for n in range(50)))

    acked = [m for batch in await asyncio.gather(*(burst(c) for c in clients)) for m in batch]
    assert sorted(m["seq"] for m in acked) == list(range(1, 1001))
    for client in clients:
        # Live delivery, then resume fills anything Redis may have dropped.
        with contextlib.suppress(AssertionError):
            await client.recorder.wait_for(
                lambda r: len(r.of("message")) >= 1000, timeout=10, what="all 1000 live"
            )
        live = [m["seq"] for m in client.recorder.of("message")]
        assert len(live) == len(set(live)), "a message arrived twice"
        have = set(live)
        have |= {m["seq"] for m in await resume(client, room["id"], contiguous(have))}
        assert have == set(range(1, 1001))
    ack = await join(clients[0], room["id"], since_seq=999)
    assert ack["room"]["last_seq"] == 1000


async def test_same_client_id_on_two_processes_is_stored_once(
    http: httpx.AsyncClient,
    backend: Backend,
    server: ServerProcess,
    peer: ServerProcess,
    spawn: Callable[..., ServerProcess],
    sockets: Callable[..., SocketClient],
) -> None:
    # Idempotency needs only the shared database: on SQLite a second process shares the file.
    elsewhere = peer if backend.uses_redis else spawn("sqlite-peer")
    account: Account = await register(http)
    room = await create_room(http, account)
    here = await sockets(account.token, server.url).connect()
    there = await sockets(account.token, elsewhere.url).connect()
    await join(here, room["id"])
    for attempt in range(5):
        payload = {"room_id": room["id"], "body": f"once {attempt}", "client_id": f"dup-{attempt}"}
        acks = await asyncio.gather(
            here.call("send", payload),
            there.call("send", payload),
            here.call("send", payload),
            there.call("send", payload),
        )
        messages = [succeeded(ack)["message"] for ack in acks]
        assert all(m == messages[0] for m in messages)
    stored = await resume(here, room["id"], 0)
    assert [m["client_id"] for m in stored] == [f"dup-{n}" for n in range(5)]
    assert [m["seq"] for m in stored] == [1, 2, 3, 4, 5]
    fence = await send(here, room["id"], "fence")
    await here.recorder.wait_for(lambda r: any(m["id"] == fence["id"] for m in r.of("message")))
    live = sorted(m["seq"] for m in here.recorder.of("message"))
    assert len(live) == len(set(live)), "one send was broadcast twice"
    if backend.uses_redis:  # without Redis, the other process's broadcasts stay there
        assert live == [1, 2, 3, 4, 5, 6]
