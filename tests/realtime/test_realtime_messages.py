"""send, edit and delete: acks after commit, broadcasts to the room, every error code."""

from __future__ import annotations

import asyncio

import httpx

from tests.realtime.conftest import Connect
from tests.realtime.helpers import code, join, resume, send, succeeded
from tests.support.clients import Account, create_room, register


async def test_send_acks_the_stored_message_and_the_room_gets_it(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    sender = await connect(user)
    listener = await connect(other)
    await join(sender, room["id"])
    await join(listener, room["id"])
    body = "  exactly <b>as</b> sent \u00e9\U0001f600  "
    ack = succeeded(
        await sender.call("send", {"room_id": room["id"], "body": body, "client_id": "c-1"})
    )
    assert set(ack) == {"ok", "message"}
    message = ack["message"]
    assert message["seq"] == 1
    assert message["body"] == body
    assert message["client_id"] == "c-1"
    assert message["sender"] == {"id": user.id, "username": user.username}
    assert message["deleted"] is False
    assert message["edited_at"] is None
    assert message["created_at"].endswith("Z")
    for client in (sender, listener):
        await client.recorder.wait_for(lambda r: message in r.of("message"), what="broadcast")
    # Durable: REST history has it.
    page = (await http.get(f"/api/rooms/{room['id']}/messages", headers=user.headers)).json()
    assert page["messages"] == [message]


async def test_send_refusals(http: httpx.AsyncClient, user: Account, connect: Connect) -> None:
    outsider = await register(http)
    room = await create_room(http, user)
    private = await create_room(http, user, private=True)
    client = await connect(outsider)
    ok_payload = {"room_id": room["id"], "body": "hi", "client_id": "c"}
    assert code(await client.call("send", ok_payload)) == "forbidden"
    assert code(await client.call("send", {**ok_payload, "room_id": private["id"]})) == "not_found"
    assert code(await client.call("send", {**ok_payload, "room_id": 2**40})) == "not_found"
    member = await connect(user)
    assert code(await member.call("send", {**ok_payload, "body": "x" * 4001})) == "too_large"
    for payload in (
        None,
        "hi",
        [ok_payload],
        {**ok_payload, "body": ""},
        {**ok_payload, "body": "   "},
        {**ok_payload, "body": 5},
        {**ok_payload, "body": None},
        {**ok_payload, "body": ["hi"]},
        {**ok_payload, "client_id": ""},
        {**ok_payload, "client_id": "x" * 65},
        {**ok_payload, "client_id": 3},
        {"room_id": room["id"], "body": "hi"},
        {**ok_payload, "room_id": None},
    ):
        assert code(await member.call("send", payload)) == "invalid", payload
    # 4000 characters is allowed, whatever their width.
    ack = await member.call("send", {**ok_payload, "body": "\U0001f600" * 4000})
    assert len(succeeded(ack)["message"]["body"]) == 4000


async def test_same_client_id_twice_concurrently_is_stored_once(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    first = await connect(user)
    second = await connect(user)
    await join(first, room["id"])
    payload = {"room_id": room["id"], "body": "once", "client_id": "dup-1"}
    acks = await asyncio.gather(
        first.call("send", payload), second.call("send", payload), first.call("send", payload)
    )
    messages = [succeeded(ack)["message"] for ack in acks]
    assert messages[0] == messages[1] == messages[2]
    # Later, too, and with another body: the original comes back.
    again = succeeded(await second.call("send", {**payload, "body": "changed"}))["message"]
    assert again == messages[0]
    ack = await join(first, room["id"], since_seq=0)
    assert [m["client_id"] for m in ack["messages"]] == ["dup-1"]
    fence = await send(first, room["id"], "fence")
    await first.recorder.wait_for(lambda r: any(m["id"] == fence["id"] for m in r.of("message")))
    assert [m["seq"] for m in first.recorder.of("message")] == [1, 2]


async def test_a_burst_of_sends_with_repeats_and_refusals_numbers_gap_free(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    """Sends that arrive together are stored together (one transaction for the group on
    SQLite's write lane); a repeated client_id or a non-member among them undoes only
    itself, so the stored ones are numbered 1..n without a gap, each client_id once."""
    room = await create_room(http, user)
    senders = [await connect(user) for _ in range(4)]
    outsider = await connect(other)
    await join(senders[0], room["id"])
    payloads = [
        {"room_id": room["id"], "body": f"m{i}", "client_id": f"burst-{i % 30}"} for i in range(60)
    ]
    acks = await asyncio.gather(
        *(senders[i % 4].call("send", p) for i, p in enumerate(payloads)),
        *(outsider.call("send", {**p, "client_id": f"x-{i}"}) for i, p in enumerate(payloads[:10])),
    )
    stored = [succeeded(ack)["message"] for ack in acks[:60]]
    assert all(code(ack) == "forbidden" for ack in acks[60:])
    by_client: dict[str, set[int]] = {}
    for message in stored:
        by_client.setdefault(message["client_id"], set()).add(message["seq"])
    assert all(len(seqs) == 1 for seqs in by_client.values()), by_client
    assert sorted(s for seqs in by_client.values() for s in seqs) == list(range(1, 31))
    # The next one follows on: no seq was used up by a repeat or a refusal.
    assert (await send(senders[1], room["id"], "after"))["seq"] == 31
    history = await resume(senders[0], room["id"], 0)
    assert [m["seq"] for m in history] == list(range(1, 32))
    assert sorted(m["client_id"] for m in history[:30]) == sorted(by_client)


async def test_concurrent_sends_reach_a_listener_in_seq_order(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    """Bursts of concurrent sends to one room, on one process: the listener gets them in
    seq order (on PostgreSQL they return from the database in any order; RoomOrder holds
    a broadcast until the sends that may precede it have returned)."""
    room = await create_room(http, user)
    senders = [await connect(user) for _ in range(8)]
    listener = await connect(user)
    await join(listener, room["id"])
    for burst in range(5):
        acks = await asyncio.gather(
            *(
                senders[i % 8].call(
                    "send", {"room_id": room["id"], "body": f"m{i}", "client_id": f"b{burst}-{i}"}
                )
                for i in range(80)
            )
        )
        last = max(succeeded(ack)["message"]["seq"] for ack in acks)
        await listener.recorder.wait_for(
            lambda r, last=last: any(m["seq"] == last for m in r.of("message")),
            what=f"burst {burst}",
        )
    seqs = [m["seq"] for m in listener.recorder.of("message")]
    assert seqs == list(range(1, 401))


async def test_edit_by_the_sender_only(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    author = await connect(other)
    owner = await connect(user)
    await join(author, room["id"])
    await join(owner, room["id"])
    message = await send(author, room["id"], "draft")
    ack = succeeded(await author.call("edit", {"message_id": message["id"], "body": "final"}))
    edited = ack["message"]
    assert edited["body"] == "final"
    assert edited["seq"] == message["seq"]
    assert edited["edited_at"] is not None
    await owner.recorder.wait_for(lambda r: edited in r.of("message_updated"), what="update")
    assert code(await owner.call("edit", {"message_id": message["id"], "body": "x"})) == "forbidden"
    assert code(await author.call("edit", {"message_id": 2**40, "body": "x"})) == "not_found"
    too_long = {"message_id": message["id"], "body": "x" * 4001}
    assert code(await author.call("edit", too_long)) == "too_large"
    for payload in (None, {"message_id": message["id"]}, {"message_id": "1", "body": "x"}):
        assert code(await author.call("edit", payload)) == "invalid", payload


async def test_delete_by_the_sender_or_the_room_owner(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    bystander = await register(http)
    author = await connect(other)
    owner = await connect(user)
    third = await connect(bystander)
    for client in (author, owner, third):
        await join(client, room["id"])
    mine = await send(author, room["id"], "mine")
    theirs = await send(author, room["id"], "theirs")
    assert code(await third.call("delete", {"message_id": mine["id"]})) == "forbidden"
    deleted = succeeded(await author.call("delete", {"message_id": mine["id"]}))["message"]
    assert deleted["deleted"] is True
    assert deleted["body"] == ""
    assert deleted["seq"] == mine["seq"]
    by_owner = succeeded(await owner.call("delete", {"message_id": theirs["id"]}))["message"]
    assert by_owner["deleted"] is True
    for client in (author, owner, third):
        await client.recorder.wait_for(
            lambda r: {m["id"] for m in r.of("message_updated")} == {mine["id"], theirs["id"]},
            what="both deletions",
        )
    assert code(await author.call("edit", {"message_id": mine["id"], "body": "x"})) == "not_found"
    assert code(await author.call("delete", {"message_id": 2**40})) == "not_found"
    assert code(await author.call("delete", {"message_id": -1})) == "invalid"
    # An outsider of a private room cannot learn its messages exist.
    private = await create_room(http, user, private=True)
    secret = await send(owner, private["id"], "secret")
    assert code(await third.call("delete", {"message_id": secret["id"]})) == "not_found"
    assert code(await third.call("edit", {"message_id": secret["id"], "body": "x"})) == "not_found"
