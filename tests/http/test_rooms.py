"""Rooms and membership over REST: list, create, get, join or add, leave."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.http.conftest import Cast, RoomMaker, Seeder, assert_error
from tests.support.clients import Account, create_room, register, unique


def listed(rooms: list[dict[str, Any]], room_id: int) -> dict[str, Any] | None:
    return next((room for room in rooms if room["id"] == room_id), None)


async def list_rooms(http: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    response = await http.get("/api/rooms", headers=account.headers)
    assert response.status_code == 200
    rooms = response.json()
    assert isinstance(rooms, list)
    return rooms


async def test_create_answers_the_room_with_the_caller_as_owner(
    http: httpx.AsyncClient, user: Account
) -> None:
    name = unique("Room")
    response = await http.post("/api/rooms", json={"name": name}, headers=user.headers)
    assert response.status_code == 201
    room = response.json()
    assert set(room) == {"id", "name", "private", "owner", "created_at", "last_seq"}
    assert room["name"] == name
    assert room["private"] is False
    assert room["owner"] == {"id": user.id, "username": user.username}
    assert room["last_seq"] == 0
    assert room["created_at"].endswith("Z")
    assert response.headers["location"] == f"/api/rooms/{room['id']}"
    fetched = await http.get(response.headers["location"], headers=user.headers)
    assert fetched.json() == room
    mine = listed(await list_rooms(http, user), room["id"])
    assert mine is not None and mine["member"] is True and mine["unread"] == 0


async def test_create_trims_the_name_and_keeps_private(
    http: httpx.AsyncClient, user: Account
) -> None:
    name = unique("Private")
    response = await http.post(
        "/api/rooms", json={"name": f"  {name}\t", "private": True}, headers=user.headers
    )
    assert response.status_code == 201
    assert response.json()["name"] == name
    assert response.json()["private"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 65},
        {"name": "line\nbreak"},
        {"name": 42},
        {"name": ["general"]},
        {"name": "fine", "private": "yes"},
        {"name": "fine", "private": 1},
        {"name": "fine", "private": None},
    ],
)
async def test_create_refuses_invalid_input_with_400(
    http: httpx.AsyncClient, cast: Cast, payload: dict[str, Any]
) -> None:
    response = await http.post("/api/rooms", json=payload, headers=cast.owner.headers)
    assert_error(response, 400, "invalid")


async def test_create_accepts_a_64_character_name(http: httpx.AsyncClient, cast: Cast) -> None:
    name = unique("n").ljust(64, "n")
    response = await http.post("/api/rooms", json={"name": name}, headers=cast.owner.headers)
    assert response.status_code == 201


async def test_create_refuses_a_taken_name_in_any_case(http: httpx.AsyncClient, cast: Cast) -> None:
    room = await create_room(http, cast.owner, name=unique("Taken"))
    for name in (room["name"], room["name"].upper(), room["name"].lower()):
        for creator in (cast.owner, cast.member):
            response = await http.post(
                "/api/rooms", json={"name": name, "private": True}, headers=creator.headers
            )
            assert_error(response, 409, "conflict")


async def test_list_shows_public_rooms_and_own_private_rooms_only(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker
) -> None:
    public = await room_with_member(private=False)
    private = await room_with_member(private=True)
    for account in (cast.owner, cast.member):
        rooms = await list_rooms(http, account)
        for room in (public, private):
            entry = listed(rooms, room["id"])
            assert entry is not None
            assert entry["member"] is True
            assert entry["unread"] == 0
            assert entry["name"] == room["name"]
    rooms = await list_rooms(http, cast.outsider)
    assert listed(rooms, private["id"]) is None
    entry = listed(rooms, public["id"])
    assert entry is not None
    assert entry["member"] is False
    assert "unread" not in entry
    assert [room["id"] for room in rooms] == sorted(room["id"] for room in rooms)


async def test_list_counts_unread_messages_for_members(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker, seed: Seeder
) -> None:
    room = await room_with_member(private=False)
    await seed(cast.owner, room["id"], 5)
    entry = listed(await list_rooms(http, cast.member), room["id"])
    assert entry is not None
    assert entry["last_seq"] == 5
    assert entry["unread"] == 5


async def test_unread_leaves_out_the_callers_own_messages(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker, seed: Seeder
) -> None:
    """A message one sent (from another tab, say) is not unread to its sender."""
    room = await room_with_member(private=True)
    await seed(cast.owner, room["id"], 4)
    await seed(cast.member, room["id"], 3)
    await seed(cast.owner, room["id"], 2)
    for account, unread in ((cast.member, 6), (cast.owner, 3)):
        entry = listed(await list_rooms(http, account), room["id"])
        assert entry is not None
        assert entry["last_seq"] == 9
        assert entry["unread"] == unread


async def test_get_answers_404_for_unknown_rooms(http: httpx.AsyncClient, cast: Cast) -> None:
    for room_id in ("999999999", "9223372036854775807", "9223372036854775808", "9" * 40):
        response = await http.get(f"/api/rooms/{room_id}", headers=cast.owner.headers)
        assert_error(response, 404, "not_found")


async def test_joining_a_public_room_makes_the_caller_a_member(
    http: httpx.AsyncClient, cast: Cast
) -> None:
    room = await create_room(http, cast.owner)
    joiner = await register(http)
    path = f"/api/rooms/{room['id']}/members"
    response = await http.post(path, headers=joiner.headers)
    assert response.status_code == 201
    assert response.json()["id"] == room["id"]
    entry = listed(await list_rooms(http, joiner), room["id"])
    assert entry is not None and entry["member"] is True
    # Joining again, or with an empty object or one's own name, changes nothing and says so.
    for body in (None, {}, {"username": joiner.username}):
        again = await http.post(path, json=body, headers=joiner.headers)
        assert again.status_code == 201, again.text


async def test_the_owner_adds_a_user_to_a_private_room(http: httpx.AsyncClient, cast: Cast) -> None:
    room = await create_room(http, cast.owner, private=True)
    invitee = await register(http)
    assert_error(
        await http.get(f"/api/rooms/{room['id']}", headers=invitee.headers), 404, "not_found"
    )
    response = await http.post(
        f"/api/rooms/{room['id']}/members",
        json={"username": invitee.username.upper()},
        headers=cast.owner.headers,
    )
    assert response.status_code == 201
    assert response.json()["id"] == room["id"]
    fetched = await http.get(f"/api/rooms/{room['id']}", headers=invitee.headers)
    assert fetched.status_code == 200
    entry = listed(await list_rooms(http, invitee), room["id"])
    assert entry is not None and entry["member"] is True


async def test_adding_to_a_private_room_refuses_bad_requests(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker
) -> None:
    room = await room_with_member(private=True)
    path = f"/api/rooms/{room['id']}/members"
    owner = cast.owner.headers
    assert_error(
        await http.post(path, json={"username": unique()}, headers=owner), 404, "not_found"
    )
    assert_error(
        await http.post(path, json={"username": "no spaces"}, headers=owner), 400, "invalid"
    )
    assert_error(await http.post(path, json={"username": 7}, headers=owner), 400, "invalid")
    assert_error(await http.post(path, json={"username": ""}, headers=owner), 400, "invalid")


async def test_only_members_join_a_private_room_and_only_as_a_no_op(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker
) -> None:
    room = await room_with_member(private=True)
    path = f"/api/rooms/{room['id']}/members"
    for account in (cast.owner, cast.member):
        for body in (None, {}, {"username": None}):
            response = await http.post(path, json=body, headers=account.headers)
            assert response.status_code == 201, response.text
    assert_error(await http.post(path, headers=cast.outsider.headers), 404, "not_found")
    assert_error(
        await http.post(path, json={"username": cast.third.username}, headers=cast.member.headers),
        403,
        "forbidden",
    )
    assert_error(
        await http.get(f"/api/rooms/{room['id']}", headers=cast.third.headers), 404, "not_found"
    )


async def test_nobody_adds_others_to_a_public_room(http: httpx.AsyncClient, cast: Cast) -> None:
    room = await create_room(http, cast.owner)
    response = await http.post(
        f"/api/rooms/{room['id']}/members",
        json={"username": cast.third.username},
        headers=cast.owner.headers,
    )
    assert_error(response, 403, "forbidden")
    entry = listed(await list_rooms(http, cast.third), room["id"])
    assert entry is not None and entry["member"] is False


async def test_members_of_unknown_rooms_are_404(http: httpx.AsyncClient, cast: Cast) -> None:
    headers = cast.owner.headers
    assert_error(await http.post("/api/rooms/999999999/members", headers=headers), 404, "not_found")
    assert_error(
        await http.delete("/api/rooms/999999999/members/me", headers=headers), 404, "not_found"
    )


async def test_leaving_ends_membership(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker
) -> None:
    room = await room_with_member(private=True)
    path = f"/api/rooms/{room['id']}/members/me"
    response = await http.delete(path, headers=cast.member.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert listed(await list_rooms(http, cast.member), room["id"]) is None
    assert_error(
        await http.get(f"/api/rooms/{room['id']}", headers=cast.member.headers), 404, "not_found"
    )
    assert_error(await http.delete(path, headers=cast.member.headers), 404, "not_found")
