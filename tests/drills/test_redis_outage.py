"""Drill 1: Redis stopped and restarted mid-stream (python-socketio drops emits meanwhile).

Local delivery goes on, nothing crashes, /api/ready says 503 and recovers, cross-process
delivery returns on its own, and what the broadcasts missed is delivered live from the
database (the contract's guarantee 7), with nothing left for resume to fill."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tests.drills.scenario import scenario, wait_ready
from tests.support.cluster import Cluster
from tests.support.traffic import wait_until


async def filled(cl: Cluster) -> int:
    """Messages the servers delivered live from the database rather than a broadcast."""
    total = 0
    for url in cl.urls:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            for line in (await http.get("/metrics")).text.splitlines():
                if line.startswith("chat_live_filled_total"):
                    total += int(float(line.rsplit(" ", 1)[1]))
    return total


async def test_redis_restart_mid_stream(cluster: Callable[..., Cluster]) -> None:
    cl = cluster()
    scen = await scenario(cl)
    try:
        scen.start()
        await scen.flow(40)

        await cl.redis.astop()
        down = time.monotonic()
        await wait_ready(cl, 503, timeout=10)

        # Local delivery goes on: each process's own receivers get its senders' messages.
        for index, url in enumerate(cl.urls):
            sender = next(s for s in scen.senders if s.sock.server == url)
            out = await sender.send_one()
            assert out.acked, f"send on {url} during the Redis outage: {out.attempts}"
            seq = int(out.acks[-1]["seq"])
            local = [
                r
                for r in scen.receivers
                if r.server == url and r.log is not None and sender.room_id in r.log.rooms
            ]
            assert local, f"no receiver on server {index}"
            for receiver in local:
                assert receiver.log is not None
                log = receiver.log
                await wait_until(
                    lambda log=log, seq=seq, room=sender.room_id: any(
                        d.live and int(d.message["seq"]) == seq for d in log.deliveries[room]
                    ),
                    5,
                    f"{receiver.name} to get seq {seq} live during the outage",
                )
        await scen.flow(20)
        await wait_until(lambda: time.monotonic() - down > 3, 5, "3 s of outage")

        await cl.redis.astart()
        await wait_ready(cl, 200, timeout=15)
        # Cross-process delivery comes back without anyone restarting anything.
        await scen.probe_live(timeout=20)
        await scen.flow(20)
        await scen.end()
    finally:
        await scen.close()
    # Broadcasts across processes were lost while Redis was down; each process read them
    # from the database and delivered them live (guarantee 7): nothing waited for a resume.
    assert await filled(cl) > 0, "the outage cost no broadcast: the drill proved little"
    assert scen.resumed() == 0, f"{scen.resumed()} messages reached a receiver only by resume"
    cl.assert_alive()
    assert not cl.unhandled(), cl.unhandled()
