"""join, leave, typing and read, with every error code they answer."""

from __future__ import annotations

import httpx

from tests.realtime.conftest import Connect
from tests.realtime.helpers import code, join, send, seqs, succeeded
from tests.support.clients import Account, create_room, register
from tests.support.contract import MESSAGE_KEYS


async def test_join_public_room_makes_a_member_and_answers_the_contract(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    owner = await connect(user)
    for n in range(3):
        await send(owner, room["id"], f"m{n}")
    client = await connect(other)
    ack = await join(client, room["id"])
    assert set(ack) == {"ok", "room", "messages", "has_more", "online"}
    assert ack["room"]["id"] == room["id"]
    assert ack["room"]["last_seq"] == 3
    assert [m["seq"] for m in ack["messages"]] == [1, 2, 3]
    assert all(set(m) == MESSAGE_KEYS for m in ack["messages"])
    assert ack["has_more"] is False
    assert {"id": other.id, "username": other.username} in ack["online"]
    # A member now: REST lists the room with unread counts for it.
    listed = (await http.get("/api/rooms", headers=other.headers)).json()
    assert any(r["id"] == room["id"] and "unread" in r for r in listed)


async def test_join_with_since_seq_returns_only_later_messages(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    client = await connect(user)
    for n in range(5):
        await send(client, room["id"], f"m{n}")
    ack = await join(client, room["id"], since_seq=3)
    assert seqs(ack["messages"], room["id"]) == [4, 5]
    ack = await join(client, room["id"], since_seq=5)
    assert ack["messages"] == []
    assert ack["has_more"] is False


async def test_join_pages_at_200_and_has_more_tells(
    http: httpx.AsyncClient, user: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    client = await connect(user)
    await join(client, room["id"])
    for n in range(205):
        await send(client, room["id"], f"m{n}")
    resumed = await join(client, room["id"], since_seq=0)
    assert seqs(resumed["messages"], room["id"]) == list(range(1, 201))
    assert resumed["has_more"] is True
    # Without since_seq: the newest page.
    newest = await join(client, room["id"])
    assert seqs(newest["messages"], room["id"]) == list(range(6, 206))
    assert newest["has_more"] is True


async def test_join_refusals(http: httpx.AsyncClient, user: Account, connect: Connect) -> None:
    outsider = await register(http)
    private = await create_room(http, user, private=True)
    client = await connect(outsider)
    assert code(await client.call("join", {"room_id": private["id"]})) == "not_found"
    assert code(await client.call("join", {"room_id": 2**40})) == "not_found"
    for payload in (
        None,
        [],
        "room",
        7,
        {},
        {"room_id": "1"},
        {"room_id": 0},
        {"room_id": -3},
        {"room_id": 1.5},
        {"room_id": True},
        {"room_id": 2**70},
        {"room_id": private["id"], "since_seq": -1},
        {"room_id": private["id"], "since_seq": "0"},
    ):
        assert code(await client.call("join", payload)) == "invalid", payload


async def test_private_room_member_joins_after_the_owner_adds_them(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    private = await create_room(http, user, private=True)
    response = await http.post(
        f"/api/rooms/{private['id']}/members",
        json={"username": other.username},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    client = await connect(other)
    ack = await join(client, private["id"])
    assert ack["room"]["private"] is True


async def test_leave_stops_this_socket_getting_the_room(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    sender = await connect(user)
    listener = await connect(other)
    await join(sender, room["id"])
    await join(listener, room["id"])
    first = await send(sender, room["id"], "before")
    await listener.recorder.wait_for(lambda r: len(r.of("message")) == 1, what="first message")
    assert succeeded(await listener.call("leave", {"room_id": room["id"]})) == {"ok": True}
    # Leaving again, or a room never joined, is still ok.
    assert succeeded(await listener.call("leave", {"room_id": room["id"]})) == {"ok": True}
    await send(sender, room["id"], "after")
    # A fence: the sender's own copy of a third message arrives after the second's would have.
    fence = await send(sender, room["id"], "fence")
    await sender.recorder.wait_for(lambda r: any(m["id"] == fence["id"] for m in r.of("message")))
    assert [m["id"] for m in listener.recorder.of("message")] == [first["id"]]
    assert code(await listener.call("leave", {"room_id": "x"})) == "invalid"
    # Still a member: it can join again and resume.
    ack = await join(listener, room["id"], since_seq=first["seq"])
    assert [m["body"] for m in ack["messages"]] == ["after", "fence"]


async def test_typing_reaches_the_room_except_the_typist(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    typist = await connect(user)
    typist_second = await connect(user)
    watcher = await connect(other)
    for client in (typist, typist_second, watcher):
        await join(client, room["id"])
    assert succeeded(await typist.call("typing", {"room_id": room["id"]})) == {"ok": True}
    expected = {"room_id": room["id"], "user": {"id": user.id, "username": user.username}}
    await watcher.recorder.wait_for(lambda r: expected in r.of("typing"), what="typing")
    await typist_second.recorder.wait_for(lambda r: expected in r.of("typing"), what="typing")
    await send(typist, room["id"], "fence")
    await typist.recorder.wait_for(lambda r: len(r.of("message")) == 1)
    assert typist.recorder.of("typing") == []


async def test_typing_and_read_need_membership(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    private = await create_room(http, user, private=True)
    client = await connect(other)
    assert code(await client.call("typing", {"room_id": room["id"]})) == "forbidden"
    assert code(await client.call("typing", {"room_id": private["id"]})) == "not_found"
    assert code(await client.call("read", {"room_id": room["id"], "seq": 1})) == "forbidden"
    assert code(await client.call("read", {"room_id": private["id"], "seq": 1})) == "not_found"
    for payload in (None, {"room_id": room["id"]}, {"room_id": room["id"], "seq": -1}, ["x"]):
        assert code(await client.call("read", payload)) == "invalid", payload
    assert code(await client.call("typing", {"room": room["id"]})) == "invalid"


async def test_read_moves_the_marker_forward_only(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    joined = await http.post(f"/api/rooms/{room['id']}/members", headers=other.headers)
    assert joined.status_code == 201
    client = await connect(user)
    # Another member's messages: one's own are never unread to oneself.
    sender = await connect(other)
    for n in range(4):
        await send(sender, room["id"], f"m{n}")

    async def unread() -> int:
        listed = (await http.get("/api/rooms", headers=user.headers)).json()
        return int(next(r for r in listed if r["id"] == room["id"])["unread"])

    assert succeeded(await client.call("read", {"room_id": room["id"], "seq": 3})) == {"ok": True}
    assert await unread() == 1
    succeeded(await client.call("read", {"room_id": room["id"], "seq": 1}))
    assert await unread() == 1
    succeeded(await client.call("read", {"room_id": room["id"], "seq": 99}))
    assert await unread() == 0


async def test_leaving_over_rest_stops_the_room_on_every_socket(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect
) -> None:
    room = await create_room(http, user)
    sender = await connect(user)
    leaver = await connect(other)
    await join(sender, room["id"])
    await join(leaver, room["id"])
    response = await http.delete(f"/api/rooms/{room['id']}/members/me", headers=other.headers)
    assert response.status_code == 204, response.text
    await leaver.recorder.wait_for(
        lambda r: {"room_id": room["id"]} in r.of("room_left"), what="room_left"
    )
    fence = await send(sender, room["id"], "after the leave")
    await sender.recorder.wait_for(lambda r: any(m["id"] == fence["id"] for m in r.of("message")))
    assert leaver.recorder.of("message") == []
    # The socket is still open, and every event checks membership again.
    assert code(await leaver.call("typing", {"room_id": room["id"]})) == "forbidden"
    assert code(await leaver.call("read", {"room_id": room["id"], "seq": 1})) == "forbidden"
    ack = await leaver.call(
        "send", {"room_id": room["id"], "body": "still here?", "client_id": "c1"}
    )
    assert code(ack) == "forbidden"
