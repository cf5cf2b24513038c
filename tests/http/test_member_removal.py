"""DELETE /api/rooms/{room_id}/members/{user_id} (second edition): the owner removes a
member, whose sockets leave the room at once — on every process — and hear room_removed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.http.conftest import Cast, assert_error
from tests.support.backends import Backend
from tests.support.clients import SocketClient, create_room
from tests.support.server import ServerProcess


async def add(http: httpx.AsyncClient, cast: Cast, room: dict[str, Any], username: str) -> None:
    response = await http.post(
        f"/api/rooms/{room['id']}/members", json={"username": username}, headers=cast.owner.headers
    )
    assert response.status_code == 201, response.text


async def test_the_owner_removes_a_member_whose_sockets_leave_at_once(
    http: httpx.AsyncClient,
    cast: Cast,
    sockets: Callable[..., SocketClient],
    spawn: Callable[..., Any],
    backend: Backend,
    server: ServerProcess,
) -> None:
    room = await create_room(http, cast.owner, private=True)
    await add(http, cast, room, cast.member.username)
    # With Redis a second process shares the room; without it, the one server is both.
    other_process = spawn("removal") if backend.uses_redis else server
    socket = await sockets(cast.member.token).connect()
    elsewhere = await sockets(cast.member.token, other_process.url).connect()
    for s in (socket, elsewhere):
        ack = await s.call("join", {"room_id": room["id"]})
        assert ack["ok"], ack

    response = await http.delete(
        f"/api/rooms/{room['id']}/members/{cast.member.id}", headers=cast.owner.headers
    )
    assert response.status_code == 204, response.text

    def removed(recorder: Any) -> bool:
        return {"room_id": room["id"]} in recorder.of("room_removed")

    for s in (socket, elsewhere):
        await s.recorder.wait_for(removed, what="room_removed")
        ack = await s.call(
            "send", {"room_id": room["id"], "body": "still here?", "client_id": uuid.uuid4().hex}
        )
        assert ack["ok"] is False and ack["error"]["code"] == "not_found", ack
    listed = await http.get("/api/rooms", headers=cast.member.headers)
    assert room["id"] not in [r["id"] for r in listed.json()]
    history = await http.get(f"/api/rooms/{room['id']}/messages", headers=cast.member.headers)
    assert_error(history, 403, "forbidden")


async def test_only_the_owner_removes_and_only_members(http: httpx.AsyncClient, cast: Cast) -> None:
    room = await create_room(http, cast.owner, private=True)
    await add(http, cast, room, cast.member.username)
    await add(http, cast, room, cast.third.username)
    path = f"/api/rooms/{room['id']}/members"
    assert_error(
        await http.delete(f"{path}/{cast.third.id}", headers=cast.member.headers),
        403,
        "forbidden",
    )
    assert_error(
        await http.delete(f"{path}/{cast.outsider.id}", headers=cast.owner.headers),
        404,
        "not_found",
    )
    assert_error(
        await http.delete(f"{path}/{cast.member.id}", headers=cast.outsider.headers),
        404,
        "not_found",
    )
    assert_error(
        await http.delete(f"{path}/{cast.owner.id}", headers=cast.owner.headers),
        409,
        "conflict",
    )
    assert_error(await http.delete(f"{path}/{cast.member.id}"), 401, "unauthorized")
    gone = await http.delete(f"{path}/{cast.member.id}", headers=cast.owner.headers)
    assert gone.status_code == 204, gone.text
    again = await http.delete(f"{path}/{cast.member.id}", headers=cast.owner.headers)
    assert_error(again, 404, "not_found")
