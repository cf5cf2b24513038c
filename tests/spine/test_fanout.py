"""The fan-out fast path (chat/realtime/engine/fanout.py, in the production LocalManager) on a
bare AsyncServer under a real uvicorn: every copy arrives once and in order, on websocket and
polling clients alike, and a client that stops reading is cut off instead of growing the
server's memory."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import socketio
import uvicorn

from chat.realtime.engine.managers import LocalManager
from chat.realtime.engine.transport import Backlog, websocket_text_frame
from chat.realtime.engine.websocket import install_direct_websocket
from tests.support.clients import SocketClient, create_room, register


@dataclass
class Bare:
    url: str
    backlog: Backlog
    sio: socketio.AsyncServer


@pytest.fixture
async def bare() -> AsyncIterator[Bare]:
    backlog = Backlog(max_bytes=256 * 1024)
    manager = LocalManager(backlog)
    # Short pings: a polling client's disconnect waits for its pending long-poll to end.
    sio = socketio.AsyncServer(
        async_mode="asgi", client_manager=manager, ping_interval=1, ping_timeout=2
    )
    install_direct_websocket(sio)

    @sio.event  # type: ignore[untyped-decorator]
    async def join(sid: str, data: Any) -> dict[str, bool]:
        await sio.enter_room(sid, "room")
        return {"ok": True}

    @sio.event  # type: ignore[untyped-decorator]
    async def send(sid: str, data: Any) -> dict[str, Any]:
        await sio.emit("message", data, room="room")
        return {"ok": True, "n": data}

    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(socketio.ASGIApp(sio), log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield Bare(f"http://127.0.0.1:{sock.getsockname()[1]}", backlog, sio)
    server.should_exit = True
    await asyncio.wait_for(task, 15)
    sock.close()


def test_frame_lengths_follow_rfc6455() -> None:
    assert websocket_text_frame(b"a" * 125)[:2] == bytes((0x81, 125))
    assert websocket_text_frame(b"a" * 126)[:4] == bytes((0x81, 126, 0, 126))
    assert websocket_text_frame(b"a" * 70000)[:2] == bytes((0x81, 127))
    assert websocket_text_frame(b"a" * 70000)[2:10] == (70000).to_bytes(8, "big")


async def test_every_copy_arrives_once_in_order_on_both_transports(bare: Bare) -> None:
    received: dict[int, list[Any]] = {i: [] for i in range(4)}
    clients = []
    for i in range(4):
        client = socketio.AsyncClient()
        client.on("message", lambda data, i=i: received[i].append(data))
        await client.connect(bare.url, transports=["polling"] if i == 0 else ["websocket"])
        assert await client.call("join", {}) == {"ok": True}
        clients.append(client)
    try:
        for n in range(60):
            # Acks (queued by engineio) interleave with broadcasts (written directly).
            assert await clients[n % 4].call("send", n, timeout=10) == {"ok": True, "n": n}

        async def all_arrived() -> None:
            while any(len(got) < 60 for got in received.values()):
                await asyncio.sleep(0.02)

        await asyncio.wait_for(all_arrived(), 15)
        assert all(got == list(range(60)) for got in received.values())
        assert bare.backlog.direct_copies >= 3 * 60  # the websocket clients took the fast path
        assert bare.backlog.queued_copies >= 60  # the polling client took engineio's queue
    finally:
        for client in clients:
            await client.disconnect()


async def test_a_client_that_stops_reading_is_cut_off(bare: Bare) -> None:
    host, port = bare.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await reader.readuntil(b"\r\n\r\n")

    def masked(text: str) -> bytes:
        data = text.encode()
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return bytes((0x81, 0x80 | len(data))) + mask + body

    writer.write(masked("40"))
    writer.write(masked('421["join",{}]'))
    await writer.drain()
    await asyncio.sleep(0)  # the stalled client now never reads again

    talker = socketio.AsyncClient()
    await talker.connect(bare.url, transports=["websocket"])
    await talker.call("join", {})
    big = "x" * 60000
    try:
        for _ in range(2000):
            if bare.backlog.slow_closed:
                break
            await talker.call("send", big, timeout=10)
        assert bare.backlog.slow_closed == 1
        # The server still serves everyone else.
        assert await talker.call("send", "after", timeout=10) == {"ok": True, "n": "after"}
    finally:
        await talker.disconnect()
        writer.close()


async def test_chat_server_delivers_websocket_copies_on_the_fast_path(
    http: httpx.AsyncClient, sockets: Callable[..., SocketClient]
) -> None:
    """The real server runs on uvloop, whose transports are not asyncio's classes."""

    def direct(metrics: str) -> float:
        match = re.search(r'^chat_fanout_copies_total\{path="direct"\} (\S+)$', metrics, re.M)
        assert match, metrics
        return float(match.group(1))

    before = direct((await http.get("/metrics")).text)
    owner, guest = await register(http), await register(http)
    room = await create_room(http, owner)
    one, two = await sockets(owner.token).connect(), await sockets(guest.token).connect()
    for client in (one, two):
        assert (await client.call("join", {"room_id": room["id"]}))["ok"]
    for n in range(5):
        ack = await one.call("send", {"room_id": room["id"], "body": f"m{n}", "client_id": f"c{n}"})
        assert ack["ok"], ack
    await two.recorder.wait_for(lambda rec: len(rec.of("message")) == 5, what="5 messages")
    assert [m["seq"] for m in two.recorder.of("message")] == [1, 2, 3, 4, 5]
    # The guest's copies at least (the sender's own copy may queue behind its ack).
    assert direct((await http.get("/metrics")).text) >= before + 5
