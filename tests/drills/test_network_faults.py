"""Drill 5: the network between the servers and PostgreSQL/Redis fails, then heals.

Both processes reach PostgreSQL and Redis through our fault proxy (tests/support/
faultproxy.py). Mid-stream it resets every connection, then blackholes traffic for a few
seconds (a partition TCP rides out), for PostgreSQL and then Redis. Every send is answered
(ok or `unavailable`, within the ack timeout), the servers recover on their own, and the
ledger balances."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.drills.scenario import scenario, wait_ready
from tests.support.cluster import Cluster
from tests.support.faultproxy import FaultProxy
from tests.support.traffic import ACK_TIMEOUT, wait_until


async def hold(seconds: float) -> None:
    start = time.monotonic()
    await wait_until(lambda: time.monotonic() - start >= seconds, seconds + 1, "fault window")


async def test_reset_and_blackhole_between_servers_and_backends(
    cluster: Callable[..., Cluster],
) -> None:
    cl = cluster(proxied=True)
    pg, redis = cl.pg_proxy, cl.redis_proxy
    assert isinstance(pg, FaultProxy) and isinstance(redis, FaultProxy)
    scen = await scenario(cl)
    windows: dict[str, tuple[float, float]] = {}
    try:
        scen.start()
        await scen.flow(30)
        assert pg.stats.accepted > 0 and redis.stats.accepted > 0

        for name, proxy, fault, seconds in (
            ("postgres reset", pg, pg.reset, 2.0),
            ("postgres blackhole", pg, pg.blackhole, 3.0),
            ("redis reset", redis, redis.reset, 2.0),
            ("redis blackhole", redis, redis.blackhole, 3.0),
        ):
            start = time.monotonic()
            fault()
            await hold(seconds)
            proxy.heal()
            windows[name] = (start, time.monotonic())
            await wait_ready(cl, 200, timeout=20)
            await scen.flow(20, timeout=20)

        await scen.probe_live()
        await scen.end()
    finally:
        await scen.close()

    slow = [a for a in scen.ledger.attempts() if a.outcome == "timeout"]
    assert not slow, f"{len(slow)} sends met silence: {slow[:5]}; windows {windows}"
    assert set(scen.ledger.outcomes()) <= {"ok", "unavailable"}, scen.ledger.outcomes()
    assert max(a.took for a in scen.ledger.attempts()) < ACK_TIMEOUT
    cl.assert_alive()
    assert not cl.unhandled(), cl.unhandled()
