"""POST /api/rooms/{room_id}/messages: a socket `send` over REST — the same validation,
durability, idempotency and broadcast, through the same service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.http.conftest import Cast, RoomMaker, assert_error
from tests.support.clients import SocketClient, create_room, register
from tests.support.contract import MESSAGE_KEYS


def payload(**changes: Any) -> dict[str, Any]:
    return {"body": "hello over REST", "client_id": uuid.uuid4().hex, **changes}


async def post(
    http: httpx.AsyncClient, room_id: int, headers: dict[str, str], body: Any
) -> httpx.Response:
    return await http.post(f"/api/rooms/{room_id}/messages", json=body, headers=headers)


async def test_a_member_sends_it_is_stored_numbered_and_broadcast_to_sockets(
    http: httpx.AsyncClient,
    cast: Cast,
    room_with_member: RoomMaker,
    sockets: Callable[..., SocketClient],
) -> None:
    room = await room_with_member(private=False)
    listener = await sockets(cast.owner.token).connect()
    ack = await listener.call("join", {"room_id": room["id"]})
    assert ack["ok"], ack
    by_socket = await listener.call(
        "send", {"room_id": room["id"], "body": "by socket", "client_id": uuid.uuid4().hex}
    )
    assert by_socket["ok"], by_socket

    response = await post(http, room["id"], cast.member.headers, payload(body=" kept  as sent "))
    assert response.status_code == 201, response.text
    message = response.json()
    assert set(message) >= MESSAGE_KEYS
    assert message["seq"] == by_socket["message"]["seq"] + 1, "one gap-free numbering"
    assert message["body"] == " kept  as sent "
    assert message["sender"] == {"id": cast.member.id, "username": cast.member.username}

    def heard(recorder: Any) -> bool:
        return any(m["id"] == message["id"] for m in recorder.of("message"))

    await listener.recorder.wait_for(heard, what="the REST message broadcast")
    assert [m for m in listener.recorder.of("message") if m["id"] == message["id"]] == [message]

    history = await http.get(f"/api/rooms/{room['id']}/messages", headers=cast.owner.headers)
    assert history.json()["messages"][-1] == message, "committed before answered"


async def test_a_repeated_client_id_answers_200_with_the_original(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker
) -> None:
    room = await room_with_member(private=True)
    first = payload()
    created = await post(http, room["id"], cast.member.headers, first)
    assert created.status_code == 201, created.text
    again = await post(http, room["id"], cast.member.headers, {**first, "body": "changed"})
    assert again.status_code == 200, again.text
    assert again.json() == created.json()
    history = await http.get(f"/api/rooms/{room['id']}/messages", headers=cast.owner.headers)
    assert [m["id"] for m in history.json()["messages"]] == [created.json()["id"]]


async def test_who_may_not_send(http: httpx.AsyncClient, cast: Cast) -> None:
    public = await create_room(http, cast.owner)
    private = await create_room(http, cast.owner, private=True)
    assert_error(await post(http, public["id"], cast.outsider.headers, payload()), 403, "forbidden")
    assert_error(
        await post(http, private["id"], cast.outsider.headers, payload()), 404, "not_found"
    )
    assert_error(await post(http, 2**62, cast.member.headers, payload()), 404, "not_found")
    assert_error(await post(http, public["id"], {}, payload()), 401, "unauthorized")


async def test_bad_bodies_get_the_contracts_errors(http: httpx.AsyncClient, cast: Cast) -> None:
    room = await create_room(http, cast.owner)
    headers = cast.owner.headers
    assert_error(await post(http, room["id"], headers, payload(body="x" * 4001)), 413, "too_large")
    for bad in (
        payload(body=""),
        payload(body="   "),
        payload(body=None),
        payload(body=["list"]),
        payload(client_id=""),
        payload(client_id=7),
        payload(client_id="x" * 65),
        {"body": "no client id"},
        ["not", "an", "object"],
    ):
        assert_error(await post(http, room["id"], headers, bad), 400, "invalid")
    raw = await http.post(f"/api/rooms/{room['id']}/messages", content=b"body=x", headers=headers)
    assert raw.status_code == 415, raw.text
    history = await http.get(f"/api/rooms/{room['id']}/messages", headers=headers)
    assert history.json()["messages"] == [], "nothing refused was stored"


async def test_4000_characters_of_emoji_are_one_message(
    http: httpx.AsyncClient, cast: Cast
) -> None:
    room = await create_room(http, cast.owner)
    body = "\U0001f600" * 4000
    response = await post(http, room["id"], cast.owner.headers, payload(body=body))
    assert response.status_code == 201, response.text
    assert response.json()["body"] == body


async def test_rest_and_socket_sends_share_one_per_user_limit(
    spawn: Callable[..., Any], sockets: Callable[..., SocketClient]
) -> None:
    tight = spawn("restsend", SEND_RATE_BURST="3", SEND_RATE_PER_SECOND="0.01")
    async with httpx.AsyncClient(base_url=tight.url, timeout=30) as http:
        owner = await register(http)
        room = await create_room(http, owner)
        socket = await sockets(owner.token, tight.url).connect()
        ack = await socket.call(
            "send", {"room_id": room["id"], "body": "one", "client_id": uuid.uuid4().hex}
        )
        assert ack["ok"], ack
        for _ in range(2):
            response = await post(http, room["id"], owner.headers, payload())
            assert response.status_code == 201, response.text
        over = await post(http, room["id"], owner.headers, payload())
        assert_error(over, 429, "rate_limited")
        assert int(over.headers["Retry-After"]) >= 1
        ack = await socket.call(
            "send", {"room_id": room["id"], "body": "four", "client_id": uuid.uuid4().hex}
        )
        assert (
            ack == {"ok": False, "error": ack["error"]} and ack["error"]["code"] == "rate_limited"
        )
        history = await http.get(f"/api/rooms/{room['id']}/messages", headers=owner.headers)
        assert len(history.json()["messages"]) == 3
