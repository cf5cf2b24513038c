"""Junk on the socket, authenticated or not: it ends the connection (or gets an `invalid`
ack), leaves no ghost behind, and cannot fill the log: a line per kind, not per frame."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.security.process_probe import websocket_ends
from tests.support.clients import SocketClient, create_room, register
from tests.support.rawsocket import RawSocket
from tests.support.server import ServerProcess


async def test_an_empty_frame_ends_the_session_at_once(
    server: ServerProcess, http: httpx.AsyncClient, sockets: Callable[..., SocketClient]
) -> None:
    """The user must not stay `online` until the ping timeout (~45 s)."""
    ghost, watcher = await register(http), await register(http)
    room = await create_room(http, watcher)
    observer = await sockets(watcher.token).connect()
    assert (await observer.call("join", {"room_id": room["id"]}))["ok"]
    since = len(server.log_text())
    raw = await RawSocket(server.url).open(ghost.token)
    try:
        assert (await raw.call("join", {"room_id": room["id"]}))["ok"]
        await raw.send_text("")
        assert await websocket_ends(raw)
    finally:
        raw.close()

    def offline(rec: object) -> bool:
        return any(
            p["user"]["id"] == ghost.id and p["online"] is False
            for p in observer.recorder.of("presence")
        )

    await observer.recorder.wait_for(offline, what="the user who sent an empty frame offline")
    assert "Traceback" not in server.log_text()[since:]
