"""Per-room routing, measured from outside: three processes on one Redis, every busy room's
sockets on process A, a steady stream of sends (200 a second for 10 s). The processes that
hold none of those rooms neither receive their broadcasts (/metrics) nor pay for them: each
burns at most 10% of A's CPU time (utime + stime from /proc/<pid>/stat, which is accounting,
not a clock: it holds on a loaded machine too).

With one channel for every broadcast (python-socketio's AsyncRedisManager), each idle
process burned 21-25% of the busy one's CPU on this load."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.realtime.helpers import join, succeeded
from tests.realtime.test_realtime_metrics import sample
from tests.support.clients import Account, SocketClient
from tests.support.cluster import Cluster

ROOMS = 4
RECEIVERS_PER_ROOM = 5
RATE = 200  # sends per second, all rooms together
SECONDS = 10
TICK = 0.05


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def heard(url: str) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        text = (await http.get("/metrics")).text
    return sample(text, "chat_pubsub_heard_total", channel="room")


async def test_idle_processes_do_not_pay_for_busy_rooms(cluster: Callable[..., Cluster]) -> None:
    cl = cluster(size=3)
    a, b, c = cl.urls
    accounts = await cl.accounts(ROOMS * (RECEIVERS_PER_ROOM + 1) + 2)
    senders: list[Account] = accounts[:ROOMS]
    receivers = accounts[ROOMS:-2]
    rooms = [
        await cl.room(senders[i], receivers[i * RECEIVERS_PER_ROOM : (i + 1) * RECEIVERS_PER_ROOM])
        for i in range(ROOMS)
    ]
    quiet_owner, quiet_guest = accounts[-2:]
    quiet = await cl.room(quiet_owner, [quiet_guest])
    clients: list[SocketClient] = []
    try:
        # B and C each hold a socket of their own, in a room nobody writes to.
        for account, url in ((quiet_owner, b), (quiet_guest, c)):
            client = await SocketClient(url, account.token).connect()
            clients.append(client)
            await join(client, quiet)
        sending = []
        for i, room in enumerate(rooms):
            sender = await SocketClient(a, senders[i].token).connect()
            clients.append(sender)
            sending.append(sender)
            await join(sender, room)
        listening = []
        for i, account in enumerate(receivers):
            client = await SocketClient(a, account.token).connect()
            clients.append(client)
            listening.append(client)
            await join(client, rooms[i // RECEIVERS_PER_ROOM])

        pids = [server.process.pid for server in cl.servers if server.process is not None]
        assert len(pids) == 3
        heard_before = [await heard(url) for url in (a, b, c)]
        cpu_before = [cpu_seconds(pid) for pid in pids]

        per_tick = int(RATE * TICK)
        pending: list[asyncio.Future[object]] = []
        for tick in range(int(SECONDS / TICK)):
            for k in range(per_tick):
                n = tick * per_tick + k
                sender = sending[n % ROOMS]
                payload = {
                    "room_id": rooms[n % ROOMS],
                    "body": f"m{n}",
                    "client_id": uuid.uuid4().hex,
                }
                pending.append(asyncio.ensure_future(sender.call("send", payload, timeout=60)))
            await asyncio.sleep(TICK)
        acks = await asyncio.gather(*pending)
        for ack in acks:
            succeeded(ack)
        total = len(acks)
        expected = total // ROOMS
        for client in listening:
            await client.recorder.wait_for(
                lambda r: len(r.of("message")) >= expected, timeout=60, what="every broadcast"
            )

        cpu = [cpu_seconds(pid) - was for pid, was in zip(pids, cpu_before, strict=True)]
        heard_after = [await heard(url) for url in (a, b, c)]
    finally:
        for client in clients:
            await client.close()

    busy, idle = cpu[0], cpu[1:]
    report = f"CPU seconds A={cpu[0]:.2f} B={cpu[1]:.2f} C={cpu[2]:.2f} for {total} sends"
    assert all(seconds <= 0.10 * busy for seconds in idle), report
    grew = [after - before for after, before in zip(heard_after, heard_before, strict=True)]
    # Nobody decoded a room broadcast: B and C do not hold the rooms, A skips its own.
    assert grew == [0, 0, 0], (grew, report)
    cl.assert_alive()
    assert not cl.unhandled(), cl.unhandled()
