"""kill -9 of a server while messages flow: its clients reconnect elsewhere with since_seq
and end with every acknowledged message, none twice; its users who do not come back drop
out of `online`, and with Redis the others get them offline within the presence TTL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.realtime.helpers import contiguous, join, resume, wait_disconnected
from tests.support.backends import Backend
from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.server import ServerProcess

TTL = "3"


class Sender:
    """Sends one message after another until told to stop or its server is gone."""

    def __init__(self, client: SocketClient, room_id: int, acked: list[dict[str, Any]]) -> None:
        self.client = client
        self.room_id = room_id
        self.acked = acked
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self.stop.is_set() and self.client.sio.connected:
            payload = {"room_id": self.room_id, "body": "tick", "client_id": uuid.uuid4().hex}
            try:
                ack = await self.client.call("send", payload, timeout=3)
            except Exception:  # the server died under it: nothing was acknowledged
                return
            if ack.get("ok"):
                self.acked.append(ack["message"])
            await asyncio.sleep(0.01)  # pacing, so the kill lands mid-flow

    async def finish(self) -> None:
        self.stop.set()
        await self.task


def live_seqs(client: SocketClient, room_id: int) -> list[int]:
    seqs = [m["seq"] for m in client.recorder.of("message") if m["room_id"] == room_id]
    assert len(seqs) == len(set(seqs)), f"a message arrived twice: {sorted(seqs)}"
    return seqs


async def test_kill_9_loses_nothing_and_its_users_go_offline(
    backend: Backend,
    http: httpx.AsyncClient,
    server: ServerProcess,
    spawn: Callable[..., ServerProcess],
    sockets: Callable[..., SocketClient],
) -> None:
    victim = spawn("victim", PRESENCE_TTL_SECONDS=TTL)
    # With Redis another process serves the same room all along; without it, one takes
    # over the database after the crash.
    survivor = spawn("survivor", PRESENCE_TTL_SECONDS=TTL) if backend.uses_redis else None
    owner = await register(http)
    room = await create_room(http, owner)
    room_id = room["id"]
    movers: list[Account] = [await register(http) for _ in range(3)]
    ghost = await register(http)
    watchers: list[Account] = [await register(http) for _ in range(2)] if survivor else []
    # With Redis, a user on the main server, whose PRESENCE_TTL_SECONDS is the default (15):
    # the 3-second processes must not take it for dead.
    resident = await register(http)
    if survivor:
        await join(await sockets(resident.token, server.url).connect(), room_id)
    moving = [await sockets(a.token, victim.url).connect() for a in movers]
    ghost_socket = await sockets(ghost.token, victim.url).connect()
    watching = (
        [await sockets(a.token, survivor.url).connect() for a in watchers] if survivor else []
    )
    for client in (*moving, ghost_socket, *watching):
        await join(client, room_id)

    acked: list[dict[str, Any]] = []
    senders = [Sender(c, room_id, acked) for c in (*moving, *watching)]
    await moving[0].recorder.wait_for(lambda r: len(r.of("message")) >= 40, what="40 messages")
    victim.kill()

    # The victim's clients notice, reconnect to the survivor and resume from what they saw.
    survivor = survivor or spawn("survivor", PRESENCE_TTL_SECONDS=TTL)
    moved: list[SocketClient] = []
    seen: list[set[int]] = []
    for old in moving:
        await wait_disconnected(old)
        before = set(live_seqs(old, room_id))
        new = await sockets(old.token, survivor.url).connect()
        missed = await resume(new, room_id, contiguous(before))
        moved.append(new)
        seen.append(before | {m["seq"] for m in missed})
    senders += [Sender(c, room_id, acked) for c in moved]
    await moved[0].recorder.wait_for(lambda r: len(r.of("message")) >= 20, what="flow resumed")
    for sender in senders:
        await sender.finish()

    last_seq = (await join(moved[0], room_id, since_seq=0))["room"]["last_seq"]
    everything = set(range(1, last_seq + 1))
    acked_seqs = {m["seq"] for m in acked}
    assert len(acked_seqs) == len(acked), "two acks carried one seq"
    assert acked_seqs <= everything
    for client, before in zip(moved, seen, strict=True):
        view = before | set(live_seqs(client, room_id))
        # Whatever was committed after the last live message it got: one more resume.
        view |= {m["seq"] for m in await resume(client, room_id, contiguous(view))}
        assert acked_seqs <= view
        assert view == everything
    for client in watching:
        view = set(live_seqs(client, room_id))
        view |= {m["seq"] for m in await resume(client, room_id, contiguous(view))}
        assert view == everything

    # The ghost never came back: offline for everyone, on every process.
    ghost_user = {"id": ghost.id, "username": ghost.username}
    for client in watching:
        await client.recorder.wait_for(
            lambda r: {"room_id": room_id, "user": ghost_user, "online": False} in r.of("presence"),
            timeout=15,
            what="the ghost offline",
        )
    online = (await join(moved[0], room_id, since_seq=last_seq))["online"]
    assert ghost_user not in online
    assert {u["id"] for u in online} >= {a.id for a in (*movers, *watchers)}
    if watchers:
        assert {"id": resident.id, "username": resident.username} in online
