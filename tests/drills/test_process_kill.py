"""Drill 3: a server process killed with SIGKILL mid-stream.

Its clients move to the other process and resume there with nothing lost and nothing
twice; its users leave `online` within PRESENCE_TTL_SECONDS (3 s here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.drills.scenario import scenario
from tests.support.cluster import Cluster
from tests.support.traffic import DrillSocket, wait_until

PRESENCE_TTL = 3.0


def online_ids(ack: Any) -> set[int]:
    return {int(user["id"]) for user in ack["online"]}


async def test_sigkill_mid_stream(cluster: Callable[..., Cluster]) -> None:
    cl = cluster()
    scen = await scenario(cl)
    a, b = cl.urls
    # A bystander only ever on A (it does not reconnect): it must drop out of `online`.
    bystander_account, watcher_account = await cl.accounts(2)
    room = scen.rooms[0]
    async with cl.http() as http:
        for account in (bystander_account, watcher_account):
            response = await http.post(f"/api/rooms/{room}/members", headers=account.headers)
            assert response.status_code in (200, 201), response.text
    bystander = DrillSocket("bystander", bystander_account, [a], rooms=[room])
    watcher = DrillSocket("watcher", watcher_account, [b], rooms=[room])
    try:
        await bystander.open()
        await watcher.open()
        outcome, ack = await watcher.call("join", {"room_id": room})
        assert outcome == "ok", ack
        assert bystander_account.id in online_ids(ack), ack["online"]

        scen.start()
        await scen.flow(60)
        on_a = [s for s in [*scen.receivers, *(x.sock for x in scen.senders)] if s.server == a]
        assert on_a

        cl.servers[0].kill()

        await scen.flow(40, timeout=20)
        for sock in on_a:
            await wait_until(lambda sock=sock: sock.server == b and sock.connected, 15, sock.name)

        async def bystander_gone() -> bool:
            outcome, ack = await watcher.call("join", {"room_id": room})
            return outcome == "ok" and bystander_account.id not in online_ids(ack)

        # The dead process's user leaves `online` within the TTL (plus heartbeat slack).
        await wait_until(bystander_gone, 3 * PRESENCE_TTL + 5, "bystander offline")
        await scen.probe_live()
        await scen.end()
    finally:
        await scen.close()
        await bystander.close()
        await watcher.close()

    for sock in on_a:
        assert sock.reconnects >= 1, sock.name
    assert set(scen.ledger.outcomes()) <= {"ok", "disconnected"}, scen.ledger.outcomes()
    cl.assert_alive(skip=[0])  # A was killed on purpose
    assert not cl.unhandled(), cl.unhandled()
