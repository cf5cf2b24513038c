"""permessage-deflate: not offered by default (WS_COMPRESSION=false, as in Node socket.io:
its zlib state costs ~49 KiB per connection); when turned on, a client that negotiated it
still gets broadcasts, which the fan-out fast path writes as uncompressed frames (valid
under RFC 7692 section 6)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.realtime.helpers import join, send
from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.server import ServerProcess

WAIT = 10.0


def _ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


async def _next(ws: ClientConnection, prefix: str) -> str:
    """The next Engine.IO text packet starting with prefix (answering pings meanwhile)."""
    while True:
        packet = await asyncio.wait_for(ws.recv(), WAIT)
        assert isinstance(packet, str), packet
        if packet == "2":
            await ws.send("3")
        elif packet.startswith(prefix):
            return packet


async def _joined(ws: ClientConnection, account: Account, room_id: int) -> None:
    await _next(ws, "0")
    await ws.send("40" + json.dumps({"token": account.token}))
    await _next(ws, "40")
    await ws.send("421" + json.dumps(["join", {"room_id": room_id}]))
    ack = json.loads((await _next(ws, "431"))[3:])
    assert ack[0]["ok"] is True, ack


async def _deflate_offer_answered(
    server: ServerProcess, sockets: Callable[..., SocketClient]
) -> str | None:
    """Opens a websocket offering permessage-deflate, joins a room, checks that a message
    another client sends there arrives whole, and returns the server's answer to the offer."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        owner = await register(http)
        listener = await register(http)
        room = await create_room(http, owner)
    async with connect(_ws_url(server.url), compression="deflate") as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions")
        await _joined(ws, listener, room["id"])
        sender = await sockets(owner.token, server.url).connect()
        await join(sender, room["id"])
        message = await send(sender, room["id"], "compressed or not " * 20)
        event = json.loads((await _next(ws, '42["message"'))[2:])
        assert event == ["message", message]
    return extensions


async def test_compression_is_not_offered_by_default(
    server: ServerProcess, sockets: Callable[..., SocketClient]
) -> None:
    assert await _deflate_offer_answered(server, sockets) is None


async def test_with_compression_on_broadcasts_still_arrive(
    spawn: Callable[..., ServerProcess], sockets: Callable[..., SocketClient]
) -> None:
    deflating = spawn("deflate", WS_COMPRESSION="true")
    extensions = await _deflate_offer_answered(deflating, sockets)
    assert extensions is not None and extensions.startswith("permessage-deflate")
