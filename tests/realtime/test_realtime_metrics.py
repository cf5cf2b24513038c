"""/metrics counts the realtime core: sockets, events by outcome, stored messages, fan-out
and database latency, Redis publish failures."""

from __future__ import annotations

import re

import httpx

from tests.realtime.conftest import Connect
from tests.realtime.helpers import code, join, send
from tests.support.clients import Account, create_room


def sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = ",".join(sorted((match.group(2) or "").split(","))) if match.group(2) else ""
        if found == wanted:
            return float(match.group(3))
    return 0.0


async def test_metrics_count_sockets_events_and_latencies(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    before = (await http.get("/metrics")).text
    room = await create_room(http, user)
    client = await connect(user)
    await join(client, room["id"])
    await send(client, room["id"], "counted")
    assert code(await client.call("send", {"room_id": room["id"]})) == "invalid"
    await client.recorder.wait_for(lambda r: len(r.of("message")) == 1)
    after = (await http.get("/metrics")).text
    assert sample(after, "chat_connected_sockets") >= 1
    for event, outcome in (("join", "ok"), ("send", "ok"), ("send", "invalid")):
        grew = sample(after, "chat_socket_events_total", event=event, outcome=outcome)
        was = sample(before, "chat_socket_events_total", event=event, outcome=outcome)
        assert grew >= was + 1, (event, outcome)
    assert (
        sample(after, "chat_messages_stored_total")
        >= sample(before, "chat_messages_stored_total") + 1
    )
    assert sample(after, "chat_fanout_seconds_count") >= 1
    assert sample(after, "chat_db_seconds_count", event="send") >= 1
    assert "chat_redis_publish_failures_total" in after
