"""Rooms and membership: /api/rooms, /api/rooms/{room_id}, and its members."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_restx import fields

from chat.domain import rules
from chat.http import payloads
from chat.http.resources import AsyncResource, caller, json_body, no_content, services
from chat.http.schemas import (
    BEARER,
    INT_MAX,
    USERNAME_PATTERN,
    NullableString,
    RoomName,
    errors,
    listed_room_model,
    room_id_param,
    room_model,
    shared_namespace,
)

ns = shared_namespace("rooms", "Rooms and membership", "/rooms")

ROOM_URL = f"/<int(min=1, max={INT_MAX}):room_id>"

new_room_model = ns.model(
    "NewRoom",
    {
        "name": RoomName(
            required=True,
            description=f"1-{rules.ROOM_NAME_MAX} printable characters once surrounding "
            "whitespace is trimmed; unique without regard to case",
            example="general",
        ),
        "private": fields.Boolean(
            default=False, description="private rooms are seen and joined by members only"
        ),
    },
)

room_change_model = ns.model(
    "RoomChange",
    {
        "owner": fields.String(
            required=True,
            pattern=USERNAME_PATTERN,
            description="the member who becomes the room's owner",
            example="ada",
        ),
    },
)

new_member_model = ns.model(
    "NewMember",
    {
        "username": NullableString(
            pattern=USERNAME_PATTERN,
            description="whom the owner of a private room adds; omitted or null, the caller "
            "joins (a public room, or one it already belongs to)",
        ),
    },
)


@ns.route("")
class RoomsResource(AsyncResource):
    @ns.doc(security=BEARER)
    @ns.response(200, "Every public room and the caller's private rooms", [listed_room_model])
    @errors(ns, 401, 503)
    async def get(self) -> list[dict[str, Any]]:
        """The rooms the caller can see, with `unread` where the caller is a member."""
        principal = await caller()
        views = await services().rooms.list_rooms(principal.user)
        return [view.as_dict() for view in views]

    @ns.doc(security=BEARER)
    @ns.expect(new_room_model)
    @ns.response(
        201,
        "Created; the caller is its owner and first member",
        room_model,
        headers={"Location": {"type": "string", "description": "the new room's URL"}},
    )
    @errors(ns, 400, 401, 409, 413, 415, 429, 503, e409="Room name taken (case does not matter)")
    async def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a room."""
        principal = await caller()
        new = payloads.new_room(json_body())
        room = await services().rooms.create_room(principal.user, new.name, new.private)
        return room.as_dict(), 201, {"Location": f"/api/rooms/{room.id}"}


@ns.route(ROOM_URL)
@ns.doc(params=room_id_param())
class RoomResource(AsyncResource):
    @ns.doc(security=BEARER)
    @ns.response(200, "The room", room_model)
    @errors(ns, 401, 404, 503, e404="No such room, or a private room the caller is not in")
    async def get(self, room_id: int) -> dict[str, Any]:
        """One room."""
        principal = await caller()
        room = await services().rooms.get_room(principal.user, room_id)
        return room.as_dict()

    @ns.doc(security=BEARER)
    @ns.expect(room_change_model)
    @ns.response(200, "The room, with its new owner", room_model)
    @errors(
        ns,
        400,
        401,
        403,
        404,
        413,
        415,
        503,
        e400="Invalid username, or the new owner is not a member of the room",
        e403="The caller does not own the room",
        e404="No such room or user, or a private room the caller is not in",
    )
    async def patch(self, room_id: int) -> dict[str, Any]:
        """Hand the room over: its owner makes another member the owner."""
        principal = await caller()
        heir = payloads.new_owner(json_body())
        room = await services().rooms.hand_over(principal.user, room_id, heir)
        return room.as_dict()


@ns.route(f"{ROOM_URL}/members")
@ns.doc(params=room_id_param())
class MembersResource(AsyncResource):
    @ns.doc(
        security=BEARER,
        params={
            "payload": {
                "in": "body",
                "required": False,
                "schema": {"$ref": "#/definitions/NewMember"},
            }
        },
    )
    @ns.response(201, "The caller joined, or the owner added `username`", room_model)
    @errors(
        ns,
        400,
        401,
        403,
        404,
        413,
        415,
        503,
        e400="Invalid username",
        e403="A private room's non-owner adds, or someone else is named for a public room",
        e404="No such room or user, or a private room the caller is not in",
    )
    async def post(self, room_id: int) -> tuple[dict[str, Any], int]:
        """Join a public room (no body), or, as a private room's owner, add `username`.

        Joining a room one already belongs to changes nothing and answers 201 too."""
        principal = await caller()
        username = payloads.new_member(json_body(required=False))
        if username is None:
            room, _ = await services().rooms.join_room(principal.user, room_id)
        else:
            room = await services().rooms.add_member(principal.user, room_id, username)
        return room.as_dict(), 201


@ns.route(f"{ROOM_URL}/members/me")
@ns.doc(params=room_id_param())
class MembershipResource(AsyncResource):
    @ns.doc(security=BEARER)
    @ns.response(204, "Left the room")
    @errors(
        ns,
        401,
        404,
        409,
        503,
        e404="Not a member of this room (or no such room)",
        e409="The owner of a room with other members hands it over first",
    )
    async def delete(self, room_id: int) -> Response:
        """Leave a room. The owner of a room with other members hands it over first."""
        principal = await caller()
        await services().rooms.leave_room(principal.user, room_id)
        return no_content()


@ns.route(f"{ROOM_URL}/members/<int(min=1, max={INT_MAX}):user_id>")
@ns.doc(
    params={
        **room_id_param(),
        "user_id": {
            "description": "the member's user id",
            "type": "integer",
            "minimum": 1,
            "maximum": INT_MAX,
        },
    }
)
class MemberResource(AsyncResource):
    @ns.doc(security=BEARER)
    @ns.response(204, "Removed; the member's sockets left the room")
    @errors(
        ns,
        401,
        403,
        404,
        409,
        503,
        e403="Only the room's owner removes members",
        e404="No such room or member, or a private room the caller is not in",
        e409="The owner removing itself from a room with other members: hand it over first",
    )
    async def delete(self, room_id: int, user_id: int) -> Response:
        """The owner removes a member from the room."""
        principal = await caller()
        await services().rooms.remove_member(principal.user, room_id, user_id)
        return no_content()
