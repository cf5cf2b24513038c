"""Per-room routing across processes (chat/realtime/routed_manager.py): a process hears a
room's broadcasts exactly while it holds sockets in the room. On SQLite `peer` is the main
server, and the same assertions hold in one process."""

from __future__ import annotations

import httpx

from tests.realtime.conftest import Connect
from tests.realtime.helpers import join, send, succeeded
from tests.realtime.test_realtime_metrics import sample
from tests.support.backends import Backend
from tests.support.clients import Account, create_room, register
from tests.support.server import ServerProcess


async def heard(url: str) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return sample((await http.get("/metrics")).text, "chat_pubsub_heard_total", channel="room")


async def test_a_send_right_after_a_join_elsewhere_arrives_live(
    http: httpx.AsyncClient, server: ServerProcess, peer: ServerProcess, connect: Connect
) -> None:
    """The join is acknowledged only once the joining process receives the room's
    broadcasts: a send that follows the ack at once, on another process, arrives live."""
    owner, reader = await register(http), await register(http)
    writer = await connect(owner, server.url)
    listener = await connect(reader, peer.url)
    for attempt in range(15):
        room = (await create_room(http, owner))["id"]
        await join(writer, room)
        await join(listener, room)
        sent = await send(writer, room, f"right after {attempt}")
        await listener.recorder.wait_for(
            lambda r, sent=sent: any(m["id"] == sent["id"] for m in r.of("message")),
            what=f"message {sent['id']} live on the other process",
        )


async def test_a_process_stops_hearing_a_room_its_last_socket_left(
    http: httpx.AsyncClient,
    backend: Backend,
    server: ServerProcess,
    peer: ServerProcess,
    connect: Connect,
) -> None:
    owner, reader = await register(http), await register(http)
    busy = (await create_room(http, owner))["id"]
    fence_room = (await create_room(http, owner))["id"]
    writer = await connect(owner, server.url)
    listener = await connect(reader, peer.url)
    for room in (busy, fence_room):
        await join(writer, room)
        await join(listener, room)
    await send(writer, busy, "while joined")
    await listener.recorder.wait_for(lambda r: len(r.of("message")) == 1)
    succeeded(await listener.call("leave", {"room_id": busy}))
    before = await heard(peer.url)
    for n in range(5):
        await send(writer, busy, f"after the leave {n}")
    fence = await send(writer, fence_room, "fence")
    await listener.recorder.wait_for(
        lambda r: any(m["id"] == fence["id"] for m in r.of("message")), what="the fence"
    )
    assert [m["body"] for m in listener.recorder.of("message")] == ["while joined", "fence"]
    if backend.uses_redis:
        # Only the fence came through Redis: the five sends to the room it left did not.
        assert await heard(peer.url) - before == 1


async def test_own_broadcasts_are_not_decoded_again(
    http: httpx.AsyncClient,
    backend: Backend,
    server: ServerProcess,
    user: Account,
    connect: Connect,
) -> None:
    room = (await create_room(http, user))["id"]
    client = await connect(user, server.url)
    await join(client, room)
    before = await heard(server.url)
    for n in range(5):
        await send(client, room, f"own {n}")
    await client.recorder.wait_for(lambda r: len(r.of("message")) == 5)
    assert await heard(server.url) == before
