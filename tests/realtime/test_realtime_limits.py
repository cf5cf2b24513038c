"""Limits and hostile input: rate limits per user, unknown events, malformed packets and
oversized frames. No input stops the server serving everyone else."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets

from tests.realtime.conftest import Connect
from tests.realtime.helpers import code, join, send, succeeded, wait_disconnected
from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def limited(spawn: Callable[..., ServerProcess]) -> ServerProcess:
    return spawn(
        "limited",
        SEND_RATE_PER_SECOND="0.5",
        SEND_RATE_BURST="3",
        TYPING_RATE_PER_SECOND="0.5",
        TYPING_RATE_BURST="2",
    )


async def test_send_and_typing_are_rate_limited_per_user(
    limited: ServerProcess, sockets: Callable[..., SocketClient]
) -> None:
    async with httpx.AsyncClient(base_url=limited.url, timeout=30) as http:
        account = await register(http)
        neighbour = await register(http)
        room = await create_room(http, account)
    first = await sockets(account.token, limited.url).connect()
    second = await sockets(account.token, limited.url).connect()
    third = await sockets(neighbour.token, limited.url).connect()
    await join(first, room["id"])
    await join(third, room["id"])

    def payload() -> dict[str, Any]:
        return {"room_id": room["id"], "body": "hi", "client_id": uuid.uuid4().hex}

    acks = [await first.call("send", payload()) for _ in range(5)]
    assert [a["ok"] for a in acks] == [True, True, True, False, False]
    assert code(acks[3]) == "rate_limited"
    typing = [await first.call("typing", {"room_id": room["id"]}) for _ in range(3)]
    assert [a["ok"] for a in typing] == [True, True, False]
    assert code(typing[2]) == "rate_limited"
    # The user's other socket draws on the same buckets; another user has buckets of its own.
    assert code(await second.call("send", payload())) == "rate_limited"
    assert code(await second.call("typing", {"room_id": room["id"]})) == "rate_limited"
    succeeded(await third.call("send", payload()))
    succeeded(await third.call("typing", {"room_id": room["id"]}))


async def test_unknown_events_and_wrong_arity_are_invalid(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    client = await connect(user)
    assert code(await client.call("no_such_event", {"room_id": room["id"]})) == "invalid"
    assert code(await client.call("no_such_event")) == "invalid"
    await client.sio.emit("no_such_event", {"x": 1})  # no ack asked: nothing answers
    assert code(await client.call("join")) == "invalid"
    assert code(await client.call("join", ({"room_id": room["id"]}, 2))) == "invalid"
    assert code(await client.call("send", ({"room_id": room["id"]}, "b", "c"))) == "invalid"
    await join(client, room["id"])


async def _raw_socket(url: str, token: str) -> websockets.ClientConnection:
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    ws = await websockets.connect(ws_url, max_size=None)
    opened = await asyncio.wait_for(ws.recv(), 10)
    assert str(opened).startswith("0")
    await ws.send("40" + json.dumps({"token": token}))
    connected = await asyncio.wait_for(ws.recv(), 10)
    assert str(connected).startswith("40"), connected
    return ws


async def test_malformed_packets_do_not_disturb_the_server(
    http: httpx.AsyncClient, server: ServerProcess, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    witness = await connect(user)
    await join(witness, room["id"])
    log_before = len(server.log_text())
    socketio_garbage: list[str | bytes] = [
        "42",
        "42[",
        "42{}",
        '42["send"',
        "42[1,2,3]",
        "42[null]",
        '421["send",{"room_id":"x"}]',
        '422["join",{"room_id":{"$gt":1}}]',
        '423["send",{"room_id":1,"body":{"a":[1,2,{"b":null}]},"client_id":"z"}]',
        '424["leave",[[[[[[[[]]]]]]]]]',
        "45-",
        "4x",
    ]
    for frame in socketio_garbage:
        await _send_raw(server, user, frame)
        # Whatever it answers (or closes), the witness keeps being served.
        await succeeded_soon(witness, room["id"])
    # Socket.IO packets it cannot parse close that connection with a warning, no traceback.
    assert "Traceback" not in server.log_text()[log_before:]
    # Engine.IO-level garbage is engineio's to log, but it disturbs no one else either.
    for frame in ("9", "", "\x00\xff", b"\x01\x02binary"):
        await _send_raw(server, user, frame)
        await succeeded_soon(witness, room["id"])


async def _send_raw(server: ServerProcess, user: Account, frame: str | bytes) -> None:
    ws = await _raw_socket(server.url, user.token)
    try:
        await ws.send(frame)
    finally:
        await ws.close()


async def succeeded_soon(client: SocketClient, room_id: int) -> None:
    message = await send(client, room_id, "still served")
    await client.recorder.wait_for(
        lambda r: any(m["id"] == message["id"] for m in r.of("message")), what="own message"
    )


async def test_acks_for_malformed_payloads_over_a_raw_socket(
    http: httpx.AsyncClient, server: ServerProcess, user: Account
) -> None:
    room = await create_room(http, user)
    ws = await _raw_socket(server.url, user.token)
    try:
        await ws.send('421["send",{"room_id":"x"}]')
        joining = json.dumps(["join", {"room_id": room["id"], "since_seq": -4}])
        await ws.send(f"422{joining}")
        await ws.send(f"423{json.dumps(['typing', str(room['id'])])}")
        acks: dict[str, Any] = {}
        while len(acks) < 3:
            frame = str(await asyncio.wait_for(ws.recv(), 10))
            if frame == "2":  # Engine.IO ping
                await ws.send("3")
            elif frame.startswith("43"):
                ack_id = frame[2]
                acks[ack_id] = json.loads(frame[3:])[0]
        assert {ack["error"]["code"] for ack in acks.values()} == {"invalid"}
    finally:
        await ws.close()


async def test_a_frame_over_the_buffer_size_closes_only_that_socket(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    witness = await connect(user)
    big = await connect(user)
    await join(witness, room["id"])
    await big.sio.emit("send", {"room_id": room["id"], "body": "x" * 70_000, "client_id": "big"})
    await wait_disconnected(big)
    await succeeded_soon(witness, room["id"])
    ack = await join(witness, room["id"], since_seq=0)
    assert all(m["client_id"] != "big" for m in ack["messages"])


async def test_many_bad_events_at_once_leave_the_socket_usable(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    client = await connect(user)
    bad: list[Any] = [None, 1, "x", [], {}, {"room_id": None}, {"message_id": []}]
    calls = [client.call(event, payload) for event in ("join", "send", "edit") for payload in bad]
    for ack in await asyncio.gather(*calls):
        assert code(ack) == "invalid"
    await join(client, room["id"])
    await succeeded_soon(client, room["id"])
