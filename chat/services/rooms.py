"""Rooms and membership: who may see, join, and leave what."""

from __future__ import annotations

import logging

from chat.domain import rules
from chat.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chat.domain.models import Membership, Room, RoomView, User
from chat.services.events import Publisher
from chat.services.limits import RateLimiter
from chat.storage import rooms, users
from chat.storage.database import Database

log = logging.getLogger("chat.security")


class Rooms:
    def __init__(
        self, db: Database, publisher: Publisher, limiter: RateLimiter | None = None
    ) -> None:
        """Without a limiter (a test seeding data in-process) room creation is unlimited."""
        self._db = db
        self._publisher = publisher
        self._limiter = limiter

    async def list_rooms(self, user: User) -> list[RoomView]:
        return await rooms.list_visible_rooms(self._db, user.id)

    async def create_room(self, user: User, name: object, private: object = False) -> Room:
        if not isinstance(private, bool):
            raise InvalidInput("private must be true or false")
        name = rules.room_name(name)
        if self._limiter is not None:
            await self._limiter.check_user(user.id, "create_room")
        return await rooms.create_room(self._db, name, private, user)

    async def get_room(self, user: User, room_id: int) -> Room:
        """The room if the user may see it; a private room is not found for outsiders."""
        room, _ = await self.visible_room(user, room_id)
        return room

    async def visible_room(self, user: User, room_id: int) -> tuple[Room, Membership | None]:
        rules.identifier(room_id, "room_id")
        room = await rooms.get_room(self._db, room_id)
        if room is None:
            raise NotFound("room not found")
        membership = await rooms.get_membership(self._db, room_id, user.id)
        if room.private and membership is None:
            log.warning("refused: user_id=%s private room_id=%s", user.id, room_id)
            raise NotFound("room not found")
        return room, membership

    async def room_and_membership(self, user: User, room_id: int) -> tuple[Room, Membership | None]:
        """The room and the user's membership, for a private room too: for callers that answer
        an outsider of a private room with 403 rather than hide the room (REST history)."""
        rules.identifier(room_id, "room_id")
        room = await rooms.get_room(self._db, room_id)
        if room is None:
            raise NotFound("room not found")
        return room, await rooms.get_membership(self._db, room_id, user.id)

    async def require_member(self, user: User, room_id: int) -> tuple[Room, Membership]:
        room, membership = await self.visible_room(user, room_id)
        if membership is None:
            log.warning("refused: user_id=%s not a member of room_id=%s", user.id, room_id)
            raise Forbidden("not a member of this room")
        return room, membership

    async def join_room(self, user: User, room_id: int) -> tuple[Room, bool]:
        """Joins a public room (idempotent); returns the room and whether it was new."""
        room, membership = await self.visible_room(user, room_id)
        if membership is not None:
            return room, False
        if room.private:
            raise Forbidden("a private room needs an invitation from its owner")
        return room, await rooms.add_member(self._db, room_id, user.id)

    async def add_member(self, owner: User, room_id: int, username: object) -> Room:
        room, membership = await self.visible_room(owner, room_id)
        if not room.private:
            if username is None or (isinstance(username, str) and username == owner.username):
                await self.join_room(owner, room_id)
                return room
            raise Forbidden("members join a public room themselves")
        if membership is None or room.owner.id != owner.id:
            log.warning("refused: user_id=%s adds to room_id=%s", owner.id, room_id)
            raise Forbidden("only the owner adds members to a private room")
        if username is None:
            raise InvalidInput("username is required to add a member to a private room")
        invitee = await users.find_user(self._db, rules.username(username))
        if invitee is None:
            raise NotFound("user not found")
        await rooms.add_member(self._db, room_id, invitee.id)
        return room

    async def leave_room(self, user: User, room_id: int) -> None:
        """The owner of a room with other members hands it over before leaving."""
        rules.identifier(room_id, "room_id")
        outcome = await rooms.remove_member_unless_owner(self._db, room_id, user.id)
        if outcome == "owner":
            raise Conflict("the owner hands the room over (PATCH owner) before leaving")
        if outcome != "left":
            raise NotFound("not a member of this room")
        await self._publisher.membership_ended(room_id, user.id)

    async def hand_over(self, owner: User, room_id: int, username: object) -> Room:
        """The owner makes another member the room's owner."""
        room, _ = await self.visible_room(owner, room_id)
        if room.owner.id != owner.id:
            log.warning("refused: user_id=%s hands over room_id=%s", owner.id, room_id)
            raise Forbidden("only the owner hands the room over")
        heir = await users.find_user(self._db, rules.username(username))
        if heir is None:
            raise NotFound("user not found")
        if heir.id != owner.id:
            outcome = await rooms.hand_over(self._db, room_id, owner.id, heir.id)
            if outcome == "not_member":
                raise NotFound("the new owner must be a member of the room")
            if outcome == "not_owner":
                raise Forbidden("only the owner hands the room over")
        return await self.get_room(owner, room_id)

    async def mark_read(self, user: User, room_id: int, seq: object) -> None:
        position = rules.seq(seq)
        await self.require_member(user, room_id)
        await rooms.advance_read_marker(self._db, room_id, user.id, position)
