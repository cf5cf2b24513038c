"""Guarantee 8 ("Bounded") against attacks on one process, measured from outside (/proc).

Each attack runs against a server process of its own, and its resident memory is sampled
while it runs: the growth must stay under BUDGET, and a normal client must be served at once
afterwards. docs/security.md ("Resource bounds") records the figures measured."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from tests.security.process_probe import MiB, peak_rss, pid_of, websocket_ends
from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.rawsocket import Closed, RawSocket
from tests.support.server import ServerProcess

Spawn = Callable[..., ServerProcess]

BUDGET = 64 * MiB


async def served_at_once(server: ServerProcess, account: Account, room_id: int) -> None:
    """A normal client connects, joins and sends, each answered within the usual wait."""
    client = SocketClient(server.url, account.token)
    try:
        await client.connect()
        assert (await client.call("join", {"room_id": room_id}))["ok"]
        ack = await client.call(
            "send", {"room_id": room_id, "body": "still here", "client_id": uuid.uuid4().hex}
        )
        assert ack["ok"], ack
    finally:
        await client.close()


def assert_quiet_log(server: ServerProcess, since: int, most_lines: int) -> None:
    tail = server.log_text()[since:]
    assert "Traceback" not in tail, tail[-3000:]
    warnings = [line for line in tail.splitlines() if "WARNING" in line or "ERROR" in line]
    assert len(warnings) <= most_lines, "\n".join(warnings[-20:])


async def test_binary_attachments_are_refused_at_once(
    isolated: Spawn, http: httpx.AsyncClient
) -> None:
    """A BINARY_EVENT header that promises a billion attachments, then 60 KB binary frames:
    the connection is closed before any attachment is kept."""
    server = isolated("binary")
    attacker, user = await register(http), await register(http)
    room = await create_room(http, user)
    since = len(server.log_text())
    frame, frames = b"\x00" * 60_000, 2200  # ~126 MiB offered
    raw = await RawSocket(server.url).open(attacker.token)
    async with peak_rss(pid_of(server)) as peak:
        try:
            await raw.send_text('45999999999-["send",{"_placeholder":true,"num":0}]')
            for _ in range(frames):
                await raw.send_frame(frame, opcode=0x2)
        except Closed:
            pass
        ended = await websocket_ends(raw)
        raw.close()
    print(f"binary attachments: {frames} frames of 60 KB offered, RSS +{peak.mib()}")
    assert ended, "the server kept the websocket open"
    assert peak.growth < BUDGET, f"RSS grew {peak.mib()} (budget {BUDGET // MiB} MiB)"
    await served_at_once(server, user, room["id"])
    assert_quiet_log(server, since, most_lines=2)


async def test_a_binary_frame_ends_the_websocket(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    account = await register(http)
    raw = await RawSocket(server.url).open(account.token)
    try:
        await raw.send_frame(b"\x04\x00binary", opcode=0x2)
        assert await websocket_ends(raw)
    finally:
        raw.close()
