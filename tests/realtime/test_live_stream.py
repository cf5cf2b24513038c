"""The live stream (the contract's guarantee 7): a socket gets its room's `message` events in
ascending seq, each once, with no gap, and its join page meets the live stream without
overlap or gap. A message whose broadcast never reached a process (here: committed by a
process that shares the database but not the Redis channel) still reaches that process's
sockets live, read from the database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import httpx

from tests.realtime.helpers import join, send
from tests.support.backends import Backend
from tests.support.clients import SocketClient, create_room, register
from tests.support.server import ServerProcess


def seqs(client: SocketClient) -> list[int]:
    return [int(m["seq"]) for m in client.recorder.of("message")]


async def test_a_message_never_broadcast_here_still_arrives_live_in_order(
    http: httpx.AsyncClient,
    backend: Backend,
    server: ServerProcess,
    spawn: Callable[..., ServerProcess],
    sockets: Callable[..., SocketClient],
) -> None:
    # Same database, another Redis channel (on SQLite: no Redis at all): nothing it
    # broadcasts reaches the main server.
    apart = spawn("apart", REDIS_PREFIX=f"apart{uuid.uuid4().hex[:6]}")
    alice, bob = await register(http), await register(http)
    room = await create_room(http, alice)
    watcher = await sockets(alice.token, server.url).connect()
    local = await sockets(alice.token, server.url).connect()
    remote = await sockets(bob.token, apart.url).connect()
    for client in (watcher, local, remote):
        await join(client, room["id"])
    sent = []
    for n in range(12):
        sender = remote if n % 3 else local
        sent.append(await send(sender, room["id"], f"m{n}"))
    last = max(m["seq"] for m in sent)
    await watcher.recorder.wait_for(
        lambda r: last in [m["seq"] for m in r.of("message")], 15, f"seq {last} live"
    )
    assert seqs(watcher) == list(range(1, last + 1))
    assert seqs(local) == list(range(1, last + 1))


async def test_join_page_meets_the_live_stream_without_overlap_or_gap(
    http: httpx.AsyncClient,
    server: ServerProcess,
    peer: ServerProcess,
    sockets: Callable[..., SocketClient],
) -> None:
    owner = await register(http)
    room = await create_room(http, owner)
    talker = await sockets(owner.token, peer.url).connect()
    await join(talker, room["id"])
    stop = asyncio.Event()

    async def stream() -> None:
        # At most 150: every join page (at most 200) then holds the room's whole past.
        for n in range(150):
            if stop.is_set():
                return
            await send(talker, room["id"], f"s{n}")
            await asyncio.sleep(0.01)  # a steady stream across all the joins

    joiners = [await sockets(owner.token, server.url).connect() for _ in range(8)]
    streaming = asyncio.create_task(stream())
    await talker.recorder.wait_for(lambda r: len(r.of("message")) >= 5, what="the stream")
    pages: list[list[int]] = []
    for index, joiner in enumerate(joiners):
        since = None if index % 2 else 0
        ack = await join(joiner, room["id"], since)
        pages.append([int(m["seq"]) for m in ack["messages"]])
        await asyncio.sleep(0.05)
    stop.set()
    await streaming
    fence = await send(talker, room["id"], "fence")
    for joiner in joiners:
        await joiner.recorder.wait_for(
            lambda r: fence["seq"] in [m["seq"] for m in r.of("message")], 15, "the fence"
        )
    assert any(pages) and any(seqs(j) for j in joiners)
    for page, joiner in zip(pages, joiners, strict=True):
        live = seqs(joiner)
        assert live == sorted(set(live)), "live seqs not strictly ascending"
        assert not set(page) & set(live), "a seq in both the join page and the live stream"
        both = sorted(page + live)
        assert both == list(range(1, fence["seq"] + 1)), (page[-3:], live[:3])


async def join_sources(url: str) -> dict[str, int]:
    """chat_join_pages_total by source (memory, database), from the server's /metrics."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    found = {"memory": 0, "database": 0}
    for line in text.splitlines():
        for source in found:
            if line.startswith(f'chat_join_pages_total{{source="{source}"}}'):
                found[source] = int(float(line.rsplit(" ", 1)[1]))
    return found


async def test_a_rejoin_within_the_tail_needs_no_database_read(
    http: httpx.AsyncClient,
    spawn: Callable[..., ServerProcess],
    sockets: Callable[..., SocketClient],
) -> None:
    short = spawn("short-tail", LIVE_BUFFER_MESSAGES="4")
    owner = await register(http)
    room = await create_room(http, owner)
    keeper = await sockets(owner.token, short.url).connect()
    await join(keeper, room["id"])  # the process follows the room from here on
    sent = [await send(keeper, room["id"], f"t{n}") for n in range(10)]
    await keeper.recorder.wait_for(lambda r: len(r.of("message")) == 10, what="10 live")
    before = await join_sources(short.url)
    comer = await sockets(owner.token, short.url).connect()
    ack = await join(comer, room["id"], since_seq=7)  # within the last 4: from memory
    assert [m["seq"] for m in ack["messages"]] == [8, 9, 10]
    assert ack["messages"] == [dict(m) for m in sent[7:]]
    after = await join_sources(short.url)
    assert after == {"memory": before["memory"] + 1, "database": before["database"]}
    late = await sockets(owner.token, short.url).connect()
    ack = await join(late, room["id"], since_seq=2)  # below the tail: one database read
    assert [m["seq"] for m in ack["messages"]] == list(range(3, 11))
    assert await join_sources(short.url) == {
        "memory": after["memory"],
        "database": after["database"] + 1,
    }
