"""Drill 4: clients that join a busy room and stop reading.

A raw websocket client with a tiny receive buffer connects, joins, and never reads again:
its TCP window closes and everything the server sends it piles up somewhere. The others'
fan-out latency must stay bounded and the server's memory must not grow with what the
stalled clients were sent (behaviour, not speed: the bounds are generous)."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import Callable

import psutil  # type: ignore[import-untyped]

from tests.drills.scenario import scenario
from tests.support.cluster import Cluster
from tests.support.rawsocket import RawSocket
from tests.support.traffic import wait_until

STALLED = 5
MESSAGES = 1200
# 3,900 euro signs: JSON escapes each as \u20ac, so every copy is a ~23 KB frame and each
# stalled reader is sent ~28 MB in all.
PAD, FILL = 3900, "\u20ac"
COPY_BYTES = PAD * 6
MiB = 1024 * 1024


def rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


async def test_stalled_readers_do_not_hold_back_others_or_grow_memory(
    cluster: Callable[..., Cluster],
) -> None:
    cl = cluster()
    scen = await scenario(
        cl, rooms=1, senders_per_server=2, receivers_per_server=1, pad=PAD, fill=FILL
    )
    room = scen.rooms[0]
    server = cl.servers[0]
    assert server.process is not None
    pid = server.process.pid
    stalled: list[RawSocket] = []
    peak = 0

    def delivered(count: int) -> bool:
        return all(r.log is not None and len(r.log.seqs(room)) >= count for r in scen.receivers)

    async def sample(baseline: int) -> None:
        nonlocal peak
        while True:
            peak = max(peak, rss(pid) - baseline)
            await asyncio.sleep(0.25)

    try:
        # Warm up (pools, caches, allocator arenas) before the baseline.
        await asyncio.gather(*(sender.send_one() for sender in scen.senders for _ in range(25)))
        warm = len(scen.ledger.sent)
        await wait_until(lambda: delivered(warm), 20, "warm-up delivered")
        baseline = rss(pid)
        for receiver in scen.receivers:
            receiver.latencies.clear()

        for account in await cl.accounts(STALLED):
            raw = await RawSocket(cl.urls[0], rcvbuf=4096).open(account.token)
            ack = await raw.call("join", {"room_id": room})
            assert ack["ok"] is True, ack
            stalled.append(raw)  # and from here on, never read again

        sampler = asyncio.create_task(sample(baseline))
        per_sender = MESSAGES // len(scen.senders) // 2

        async def burst(index: int) -> None:
            for _ in range(per_sender):
                out = await scen.senders[index].send_one()
                assert out.acked, out.attempts

        # Two halves: the first fills every buffer between the server and the stalled
        # readers (kernel, transport); what grows during the second is what the server
        # keeps for them.
        await asyncio.gather(*(burst(i) for i in range(len(scen.senders))))
        middle = rss(pid)
        await asyncio.gather(*(burst(i) for i in range(len(scen.senders))))
        second_half = rss(pid) - middle
        total = len(scen.ledger.sent)
        await wait_until(lambda: delivered(total), 30, "every message at every reading receiver")
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        latencies = sorted(x for r in scen.receivers for x in r.latencies)
        await scen.end()
    finally:
        await scen.close()
        for raw in stalled:
            raw.close()

    half_bytes = per_sender * len(scen.senders) * COPY_BYTES
    p95 = latencies[int(len(latencies) * 0.95)]
    report = (
        f"RSS +{second_half / MiB:.1f} MiB during the second half, while it sent "
        f"{half_bytes / MiB:.0f} MiB to each of {STALLED} stalled readers (peak "
        f"+{peak / MiB:.1f} MiB over the warm baseline); reading receivers' latency "
        f"p50 {statistics.median(latencies):.3f}s p95 {p95:.3f}s max {latencies[-1]:.3f}s"
    )
    print(report)
    # Keeping the second half for the stalled readers costs at least one copy of it (more
    # when each reader's copy is buffered apart); a bounded server keeps about nothing more.
    # A quarter of one copy is a generous bound.
    assert second_half < half_bytes / 4, report
    assert p95 < 2.0, report
    cl.assert_alive()
    assert not cl.unhandled(), cl.unhandled()
