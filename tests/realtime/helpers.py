"""Socket helpers shared by the realtime tests: acks, refused connects, resume."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio

from tests.support.clients import WAIT, SocketClient


def code(ack: Any) -> str:
    """The error code of a failed ack (and a clear failure if the ack was ok)."""
    assert isinstance(ack, dict), ack
    assert ack.get("ok") is False, ack
    assert set(ack) == {"ok", "error"}, ack
    assert set(ack["error"]) == {"code", "message"}, ack
    assert isinstance(ack["error"]["message"], str), ack
    return str(ack["error"]["code"])


def succeeded(ack: Any) -> dict[str, Any]:
    assert isinstance(ack, dict), ack
    assert ack.get("ok") is True, ack
    return ack


async def join(client: SocketClient, room_id: int, since_seq: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"room_id": room_id}
    if since_seq is not None:
        payload["since_seq"] = since_seq
    return succeeded(await client.call("join", payload))


async def send(client: SocketClient, room_id: int, body: str = "hi") -> dict[str, Any]:
    ack = succeeded(
        await client.call("send", {"room_id": room_id, "body": body, "client_id": uuid.uuid4().hex})
    )
    return dict(ack["message"])


async def resume(client: SocketClient, room_id: int, since_seq: int) -> list[dict[str, Any]]:
    """Joins with since_seq, again and again while has_more: everything above since_seq."""
    found: list[dict[str, Any]] = []
    while True:
        ack = await join(client, room_id, since_seq)
        found.extend(ack["messages"])
        if not ack["has_more"]:
            return found
        since_seq = ack["messages"][-1]["seq"]


def contiguous(seen: set[int]) -> int:
    """The seq to resume from: the highest n with 1..n all seen. Live delivery is not in
    seq order across processes (a process delivers its own sends before those it hears from
    Redis), so the highest seq seen may sit above a gap."""
    n = 0
    while n + 1 in seen:
        n += 1
    return n


def seqs(messages: list[dict[str, Any]], room_id: int) -> list[int]:
    return [m["seq"] for m in messages if m["room_id"] == room_id]


async def refusal(url: str, auth: Any) -> str:
    """Connects with this auth and returns the connect_error message (the connect must fail)."""
    client = socketio.AsyncClient(reconnection=False)
    messages: list[Any] = []
    failed = asyncio.Event()

    @client.on("connect_error")
    async def on_error(data: Any = None) -> None:
        messages.append(data)
        failed.set()

    try:
        await client.connect(
            url, auth=auth, transports=["websocket"], socketio_path="socket.io", wait_timeout=WAIT
        )
    except socketio.exceptions.ConnectionError:
        pass
    else:
        await client.disconnect()
        raise AssertionError("the connection was accepted")
    await asyncio.wait_for(failed.wait(), WAIT)
    data = messages[0]
    return str(data["message"] if isinstance(data, dict) else data)


async def wait_disconnected(client: SocketClient, timeout: float = WAIT) -> None:
    try:
        await asyncio.wait_for(client.disconnected.wait(), timeout)
    except TimeoutError:
        raise AssertionError(f"socket not disconnected within {timeout}s") from None
