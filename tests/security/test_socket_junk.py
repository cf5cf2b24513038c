"""Junk on the socket, authenticated or not: it ends the connection (or gets an `invalid`
ack), leaves no ghost behind, and cannot fill the log: a line per kind, not per frame."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.security.process_probe import websocket_ends
from tests.support.clients import SocketClient, create_room, register
from tests.support.rawsocket import Closed, RawSocket
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


def log_grew(server: ServerProcess, since: int) -> str:
    return server.log_text()[since:]


async def test_unknown_engineio_packets_close_the_connection_with_one_line(
    server: ServerProcess,
) -> None:
    """Unauthenticated: a websocket that never connected to the namespace sends Engine.IO
    packets of no known type. engineio logged a traceback (~900 bytes) for each 1-byte
    frame and kept reading."""
    since = len(server.log_text())
    for junk in ("9", "x", "0"):
        raw = await RawSocket(server.url).open(None, connect=False)
        try:
            for _ in range(200):
                await raw.send_text(junk)
            assert await websocket_ends(raw), f"{junk!r} frames did not end the websocket"
        finally:
            raw.close()
    grown = log_grew(server, since)
    assert "Traceback" not in grown, grown[-2000:]
    ours = [line for line in grown.splitlines() if "WARNING" in line or "ERROR" in line]
    assert len(ours) <= 3, "\n".join(ours[-10:])


async def test_a_refused_connect_retried_on_one_websocket_closes_it(
    server: ServerProcess,
) -> None:
    since = len(server.log_text())
    raw = await RawSocket(server.url).open(None, connect=False)
    refused = 0
    try:
        for _ in range(50):
            await raw.send_text('40{"token":"not-a-token"}')
            reply = await raw.recv_until(lambda p: p.startswith(("40", "44")))
            assert reply.startswith("44"), reply
            refused += 1
    except Closed:
        pass
    finally:
        ended = await websocket_ends(raw, timeout=5)
        raw.close()
    assert refused < 50 and ended, f"{refused} refused connects answered; ended={ended}"
    refusals = [line for line in log_grew(server, since).splitlines() if "refused" in line]
    assert len(refusals) <= 5, "\n".join(refusals)


async def test_an_event_name_that_is_not_a_string_gets_invalid(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    account = await register(http)
    since = len(server.log_text())
    raw = await RawSocket(server.url).open(account.token)
    answers = {}
    try:
        for frame in ("[[1],{}]", '[{"a":1},{}]', "[1,{}]", "[null]", "[]"):
            ack_id = await raw.emit_raw(frame)
            answers[frame] = await raw.ack(ack_id, timeout=5)
    finally:
        await raw.aclose()
    for frame, ack in answers.items():
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", (frame, ack)
    assert "Traceback" not in log_grew(server, since)
