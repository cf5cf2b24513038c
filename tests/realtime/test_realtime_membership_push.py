"""Pushed membership (second edition): `room_added` to every socket of a user who becomes a
member, `room_removed` to every socket of one who leaves, `room_created` to every socket
when a public room is created — on every process (the user's sockets are spread over the
main server and its peer, which share only Redis and the database)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.realtime.conftest import Connect
from tests.realtime.helpers import join
from tests.support.clients import Account, SocketClient, create_room
from tests.support.server import ServerProcess


def heard(event: str, room_id: int) -> Any:
    def predicate(recorder: Any) -> bool:
        return any(data.get("room_id", data.get("id")) == room_id for data in recorder.of(event))

    return predicate


async def everywhere(
    connect: Connect, account: Account, peer: ServerProcess
) -> tuple[SocketClient, SocketClient]:
    return await connect(account), await connect(account, peer.url)


async def test_creating_a_room_adds_it_to_the_creator_and_announces_public_ones(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect, peer: ServerProcess
) -> None:
    mine = await everywhere(connect, user, peer)
    theirs = await connect(other, peer.url)

    private = await create_room(http, user, private=True)
    public = await create_room(http, user)
    for socket in mine:
        await socket.recorder.wait_for(heard("room_added", private["id"]), what="room_added")
        await socket.recorder.wait_for(heard("room_added", public["id"]), what="room_added")
        added = {r["id"]: r for r in socket.recorder.of("room_added")}
        assert added[public["id"]] == public
    await theirs.recorder.wait_for(heard("room_created", public["id"]), what="room_created")
    assert theirs.recorder.of("room_created") == [public], "a private room is never announced"
    assert theirs.recorder.of("room_added") == [], "the others did not become members"


async def test_joining_or_being_added_pushes_room_added_once(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect, peer: ServerProcess
) -> None:
    sockets = await everywhere(connect, other, peer)
    public = await create_room(http, user)
    private = await create_room(http, user, private=True)

    response = await http.post(f"/api/rooms/{public['id']}/members", headers=other.headers)
    assert response.status_code == 201, response.text
    again = await http.post(f"/api/rooms/{public['id']}/members", headers=other.headers)
    assert again.status_code == 201, again.text
    response = await http.post(
        f"/api/rooms/{private['id']}/members",
        json={"username": other.username},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text

    for socket in sockets:
        await socket.recorder.wait_for(heard("room_added", private["id"]), what="room_added")
        ids = [r["id"] for r in socket.recorder.of("room_added")]
        # The private room's push came after both joins; a repeated join pushed nothing.
        assert ids == [public["id"], private["id"]]


async def test_a_socket_join_of_a_public_room_pushes_room_added_to_the_users_other_sockets(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect, peer: ServerProcess
) -> None:
    joiner, elsewhere = await everywhere(connect, other, peer)
    room = await create_room(http, user)
    await join(joiner, room["id"])
    await elsewhere.recorder.wait_for(heard("room_added", room["id"]), what="room_added")


async def test_leaving_pushes_room_removed_to_every_socket_of_the_leaver(
    http: httpx.AsyncClient, user: Account, other: Account, connect: Connect, peer: ServerProcess
) -> None:
    room = await create_room(http, user)
    sockets = await everywhere(connect, other, peer)
    for socket in sockets:
        await join(socket, room["id"])
    response = await http.delete(f"/api/rooms/{room['id']}/members/me", headers=other.headers)
    assert response.status_code == 204, response.text
    for socket in sockets:
        await socket.recorder.wait_for(heard("room_removed", room["id"]), what="room_removed")
        assert socket.recorder.of("room_removed") == [{"room_id": room["id"]}]
