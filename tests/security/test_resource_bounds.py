"""Guarantee 8 ("Bounded") against attacks on one process, measured from outside (/proc).

Each attack runs against a server process of its own, and its resident memory is sampled
while it runs: the growth must stay under BUDGET, and a normal client must be served at once
afterwards. docs/security.md ("Resource bounds") records the figures measured."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Callable

import httpx

from tests.security.process_probe import MiB, descriptors, peak_rss, pid_of, websocket_ends
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


async def slow_readers_closed(
    server: ServerProcess, more_than: float | None = None, timeout: float = 0
) -> float:
    """The server's count of connections closed for not reading (/metrics); with more_than,
    waits (up to timeout) until it passes that and returns 0 if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        while True:
            text = (await http.get("/metrics")).text
            match = re.search(r"^chat_slow_consumers_closed_total (\S+)$", text, re.M)
            assert match, "no chat_slow_consumers_closed_total in /metrics"
            value = float(match.group(1))
            if more_than is None or value > more_than:
                return value
            if loop.time() > deadline:
                return 0
            await asyncio.sleep(0.1)


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


EMOJI_BODY = "\U0001f600" * 4000  # 16 KB of UTF-8, 48 KB of escaped JSON
JOIN_PAGE_MAX_BYTES = 256 * 1024  # the default


async def fill_room(server: ServerProcess, owner: Account, room_id: int, count: int) -> None:
    raw = await RawSocket(server.url).open(owner.token)
    try:
        for n in range(count):
            ack = await raw.call(
                "send", {"room_id": room_id, "body": EMOJI_BODY, "client_id": f"fill-{n}"}
            )
            assert ack["ok"], ack
    finally:
        await raw.aclose()


async def test_join_acks_are_cut_by_bytes_and_bounded_for_a_reader_that_stalls(
    isolated: Spawn, http: httpx.AsyncClient
) -> None:
    """A room of 200 long emoji messages made each 29-byte `join` answer ~9.6 MB, and a
    client that sent joins and never read made the server hold every answer."""
    server = isolated("joins")
    owner, attacker = await register(http), await register(http)
    room = await create_room(http, owner)
    await fill_room(server, owner, room["id"], 200)

    reader = await RawSocket(server.url).open(owner.token)
    try:
        ack_id = await reader.emit_raw(json.dumps(["join", {"room_id": room["id"]}]))
        text = await reader.recv_until(lambda p: p.startswith(f"43{ack_id}["), timeout=30)
        page = json.loads(text[len(f"43{ack_id}") :])[0]
        resumed = await reader.call("join", {"room_id": room["id"], "since_seq": 0}, timeout=30)
    finally:
        await reader.aclose()
    assert page["ok"] and page["has_more"] is True, {k: page[k] for k in ("ok", "has_more")}
    assert len(text) < JOIN_PAGE_MAX_BYTES + 4096, f"a join ack of {len(text)} bytes"
    assert [m["seq"] for m in page["messages"]][-1] == 200  # the newest page
    assert resumed["has_more"] is True and resumed["messages"][0]["seq"] == 1

    joins = 100
    before = await slow_readers_closed(server)
    raw = await RawSocket(server.url, rcvbuf=4096).open(attacker.token)
    async with peak_rss(pid_of(server)) as peak:
        try:
            for _ in range(joins):
                await raw.emit_raw(json.dumps(["join", {"room_id": room["id"]}]))
        except Closed:
            pass
        # Reading would drain what the server holds: watch its counter instead.
        closed = await slow_readers_closed(server, more_than=before, timeout=30)
        raw.close()
    print(f"join flood: {joins} joins unread, RSS +{peak.mib()}")
    assert closed, "the server kept the stalled reader's connection"
    assert peak.growth < BUDGET, f"RSS grew {peak.mib()} (budget {BUDGET // MiB} MiB)"
    await served_at_once(server, owner, room["id"])


async def test_sessions_that_never_connect_are_closed(
    isolated: Spawn, http: httpx.AsyncClient
) -> None:
    """Engine.IO sessions (websocket and long-polling) that never connect to the namespace
    lived forever: 500 of them held +21 MiB and 500 descriptors. Here the timeout is 2 s
    (the default is 10 s)."""
    server = isolated("idle", SOCKET_CONNECT_TIMEOUT_SECONDS="2")
    user = await register(http)
    room = await create_room(http, user)
    pid = pid_of(server)
    fds_before = descriptors(pid)
    websockets, polls = 300, 200
    opened: list[RawSocket] = []
    async with peak_rss(pid) as peak:
        try:
            for _ in range(websockets):
                opened.append(await RawSocket(server.url).open(None, connect=False))
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                for _ in range(polls):
                    reply = await client.get(
                        "/socket.io/", params={"EIO": "4", "transport": "polling"}
                    )
                    assert reply.status_code == 200, reply.text
            held = descriptors(pid) - fds_before
            ended = await asyncio.gather(*(websocket_ends(raw, timeout=15) for raw in opened))
        finally:
            for raw in opened:
                raw.close()
    print(
        f"idle sessions: {websockets} websockets + {polls} polling sessions, RSS +{peak.mib()},"
        f" {held} descriptors while open"
    )
    assert all(ended), f"{ended.count(False)} of {websockets} idle websockets left open"
    assert peak.growth < BUDGET, f"RSS grew {peak.mib()} (budget {BUDGET // MiB} MiB)"
    assert await settles(lambda: descriptors(pid) - fds_before < 20, timeout=15), (
        f"{descriptors(pid) - fds_before} descriptors still held"
    )
    await served_at_once(server, user, room["id"])


async def settles(check: Callable[[], bool], timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True
