"""Drill 2: PostgreSQL restarted mid-stream (asyncpg reconnects; docs/library-facts.md).

Sends during the outage are answered `unavailable` (never silence, never `ok` for what was
not stored); the servers recover by themselves; nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import struct
import time
from collections import Counter
from collections.abc import Callable

import httpx

from tests.drills.scenario import ready_status, scenario, wait_ready
from tests.support.cluster import Cluster
from tests.support.traffic import ACK_TIMEOUT, wait_until


async def test_postgres_restart_mid_stream(cluster: Callable[..., Cluster]) -> None:
    cl = cluster()
    scen = await scenario(cl)
    try:
        scen.start()
        await scen.flow(40)

        await cl.pg.astop("fast")
        down = time.monotonic()
        await wait_ready(cl, 503, timeout=10)
        await wait_until(
            lambda: any(a.outcome == "unavailable" for a in scen.ledger.attempts(since=down)),
            10,
            "a send answered `unavailable` while PostgreSQL is down",
        )
        await wait_until(lambda: time.monotonic() - down > 4, 6, "4 s of outage")
        await cl.pg.astart()
        up = time.monotonic()

        await wait_ready(cl, 200, timeout=20)
        await scen.flow(40, timeout=20)
        await scen.probe_live()
        await scen.end()
    finally:
        await scen.close()

    during = scen.ledger.attempts(since=down, until=up)
    outcomes = Counter(a.outcome for a in during)
    assert outcomes["unavailable"] > 0, outcomes
    # Every emit got an answer, and only the contract's: ok (stored: the ledger proves it)
    # or unavailable.
    assert set(scen.ledger.outcomes()) <= {"ok", "unavailable"}, scen.ledger.outcomes()
    slowest = max(a.took for a in scen.ledger.attempts())
    assert slowest < ACK_TIMEOUT, slowest
    cl.assert_alive()
    assert not cl.unhandled(), cl.unhandled()


async def starting_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers like a PostgreSQL still in recovery: FATAL 57P03 to every startup packet
    (after declining SSL/GSS encryption, as a server without it does)."""
    while True:
        (length,) = struct.unpack("!I", await reader.readexactly(4))
        body = await reader.readexactly(length - 4)
        (code,) = struct.unpack("!I", body[:4])
        if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest
            writer.write(b"N")
            await writer.drain()
            continue
        fields = b"".join(
            key + value.encode() + b"\0"
            for key, value in (
                (b"S", "FATAL"),
                (b"V", "FATAL"),
                (b"C", "57P03"),
                (b"M", "the database system is starting up"),
            )
        )
        payload = fields + b"\0"
        writer.write(b"E" + struct.pack("!I", len(payload) + 4) + payload)
        await writer.drain()
        return


async def test_database_starting_up_is_unavailable_not_an_error(
    cluster: Callable[..., Cluster],
) -> None:
    """While PostgreSQL refuses connections because it is starting up or shutting down
    (SQLSTATE 57P03, as in every restart's first and last moments), a send is answered
    `unavailable` and REST with 503: an expected outage, not an unexpected error (no 500,
    no traceback in the log)."""
    cl = cluster(proxied=True)
    assert cl.pg_proxy is not None
    scen = await scenario(cl, senders_per_server=1, receivers_per_server=1, rooms=1)
    room = scen.rooms[0]
    try:
        cl.pg_proxy.impersonate(starting_up)
        rest: list[tuple[int, str]] = []
        for url in cl.urls:
            async with httpx.AsyncClient(base_url=url, timeout=15) as http:
                response = await http.get(
                    f"/api/rooms/{room}/messages", headers=scen.reader.headers
                )
                rest.append((response.status_code, response.json().get("code")))
        outcomes = []
        for sender in scen.senders:
            outcome, _ = await sender.sock.call(
                "send", {"room_id": room, "body": "while starting up", "client_id": "s-1"}
            )
            outcomes.append(outcome)
        ready = await ready_status(cl.urls[0])
        cl.pg_proxy.heal()
        await wait_ready(cl, 200, timeout=20)
    finally:
        await scen.close()
    unhandled = cl.unhandled()
    assert (rest, outcomes, ready, unhandled) == (
        [(503, "unavailable")] * len(cl.urls),
        ["unavailable"] * len(scen.senders),
        503,
        {},
    ), f"REST {rest}, send {outcomes}, ready {ready}, log: {unhandled}"
