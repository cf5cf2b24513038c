"""Drill: a reconnect storm. Hundreds of sockets in rooms of 20 on two processes; one process
is killed with SIGKILL while messages stream, and every socket it held rejoins the survivor
at once with `since_seq`.

Asserted: every moved socket rejoins, and every receiver ends holding every acknowledged
message of its room exactly once, with each connection's live stream strictly ascending and
its join page meeting the live stream without overlap or gap. Reported, not asserted (a
figure, not a test): recovery time per moved socket (from the kill to its join's answer)
p50/p99/max, and the rows PostgreSQL read from `messages` during the storm against an
equally long window of the plain stream before it.

CHAT_STORM_SOCKETS sets the size (default 600, rooms of 20)."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable

import asyncpg
import httpx
import pytest

from tests.support.cluster import Cluster
from tests.support.ledger import Ledger, assert_balanced, fetch_history
from tests.support.storm import StormSocket
from tests.support.traffic import DrillSocket, Sender, finish, wait_until

ROOM_SIZE = 20
SOCKETS = max(int(os.environ.get("CHAT_STORM_SOCKETS", "600")), 2 * ROOM_SIZE)
PACE = 0.5  # seconds between one room's messages
WINDOW = 6.0  # seconds of each rows-read window


async def live_rows(url: str) -> int:
    """The survivor's own count of message rows its live stream and join pages read."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        text = (await http.get("/metrics")).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("chat_live_rows_read_total")
    )


async def rows_read(cl: Cluster) -> int:
    """Rows PostgreSQL has read from `messages` (index fetches plus sequential reads)."""
    conn = await asyncpg.connect(
        host="127.0.0.1", port=cl.pg.port, user="postgres", database=cl.database
    )
    try:
        value = await conn.fetchval(
            "SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) "
            "FROM pg_stat_user_tables WHERE relname = 'messages'"
        )
    finally:
        await conn.close()
    return int(value or 0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def note(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] storm drill: {what}", flush=True)


@pytest.mark.timeout(600)
async def test_reconnect_storm_after_sigkill(cluster: Callable[..., Cluster]) -> None:
    cl = cluster()
    a, b = cl.urls
    rooms_count = SOCKETS // ROOM_SIZE
    accounts = await cl.accounts(ROOM_SIZE + rooms_count)
    members, talkers = accounts[:ROOM_SIZE], accounts[ROOM_SIZE:]
    owner = members[0]
    rooms = [await cl.room(owner, []) for _ in range(rooms_count)]
    ledger = Ledger()
    receivers: list[StormSocket] = []
    senders: list[Sender] = []
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    gate = asyncio.Semaphore(50)
    # Every wait below has its own timeout; this bounds the whole storm all the same.
    async with asyncio.timeout(180):
        try:
            # Even rooms wholly on A; odd rooms half on A, half on B.
            for i, room in enumerate(rooms):
                for k, member in enumerate(members):
                    first = a if i % 2 == 0 or k < ROOM_SIZE // 2 else b
                    name = f"r{room}-{k}"
                    urls = [first, b if first == a else a]
                    receivers.append(
                        StormSocket(name, member.token, urls, room, ledger.receiver(name))
                    )

            async def opened(sock: StormSocket) -> None:
                async with gate:
                    await sock.open()

            note(f"{len(accounts)} accounts, {rooms_count} rooms")
            await asyncio.gather(*(opened(s) for s in receivers))
            note(f"{len(receivers)} receivers joined")
            for room, talker in zip(rooms, talkers, strict=True):
                sock = DrillSocket(f"send-{room}", talker, [b], rooms=[room])
                await sock.open()
                senders.append(Sender(sock, ledger, room, pace=PACE))
            tasks = [asyncio.create_task(s.run(stop)) for s in senders]

            def acked() -> int:
                return sum(out.acked for out in ledger.sent.values())

            await wait_until(lambda: acked() >= 3 * rooms_count, 30, "the stream to flow")
            note("stream flowing")
            before = await rows_read(cl)
            await asyncio.sleep(WINDOW)  # a measurement window, not a wait for an event
            steady = await rows_read(cl) - before

            moved = [s for s in receivers if s.server == a]
            start_rows = await rows_read(cl)
            start_live = await live_rows(b)
            cl.servers[0].kill()
            killed = time.monotonic()
            await wait_until(
                lambda: all(s.recovered_at is not None for s in moved),
                60,
                "every moved socket to rejoin the survivor",
            )
            recovered = time.monotonic() - killed
            note(f"{len(moved)} moved sockets rejoined in {recovered:.1f} s")
            await asyncio.sleep(max(WINDOW - recovered, 0))  # the same window length as above
            storm = await rows_read(cl) - start_rows
            storm_live = await live_rows(b) - start_live

            target = acked() + 2 * rooms_count
            await wait_until(lambda: acked() >= target, 30, "the stream to flow on")
            await finish(tasks, stop, 45)
            async with cl.http(1) as http:
                history = {room: await fetch_history(http, owner.headers, room) for room in rooms}
            ends = {room: len(history[room]) for room in rooms}
            await wait_until(
                lambda: all(len(s.log.seqs(s.room_id)) >= ends[s.room_id] for s in receivers),
                20,
                "every receiver to hold every message of its room",
            )
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            closing = [
                *tasks,
                *(asyncio.create_task(s.sock.close()) for s in senders),
                *(asyncio.create_task(s.close()) for s in receivers),
            ]
            _, stuck = await asyncio.wait(closing, timeout=30)
            for task in stuck:
                task.print_stack()
            assert not stuck, f"{len(stuck)} senders or sockets did not close within 30 s"

    paged = sum(len(page) for s in moved for epoch, _, page in s.joins if epoch == 1)
    times = [s.recovered_at - killed for s in moved if s.recovered_at is not None]
    dropped = [s.dropped_at - killed for s in moved if s.dropped_at is not None]
    connected = [s.connected_at - killed for s in moved if s.connected_at is not None]
    note(
        f"dropped p50 {statistics.median(dropped):.2f} max {max(dropped):.2f}; "
        f"connected p50 {statistics.median(connected):.2f} max {max(connected):.2f}"
    )
    print(
        f"\nreconnect storm: {len(receivers)} sockets in {rooms_count} rooms of {ROOM_SIZE}, "
        f"{len(moved)} moved; {sum(ends.values())} messages; "
        f"{sum(s.unavailable for s in moved)} rejoins answered `unavailable` (retried)\n"
        f"  recovery after SIGKILL: p50 {statistics.median(times):.2f} s, "
        f"p99 {percentile(times, 0.99):.2f} s, max {max(times):.2f} s\n"
        f"  rows read from messages: {storm} in the {WINDOW:.0f} s from the kill, "
        f"{steady} in {WINDOW:.0f} s of the plain stream before it (PostgreSQL's count); "
        f"{storm_live} by the survivor's own count, against {paged} in the moved sockets' "
        "join pages (one read each without the tail)"
    )
    assert_balanced(ledger, history)
    problems = [p for s in receivers for p in s.live_in_order()]
    assert not problems, "\n".join(problems[:20])
    assert all(s.server == b and s.epoch == 1 for s in moved)
    cl.assert_alive(skip=[0])
    assert not cl.unhandled(), cl.unhandled()
