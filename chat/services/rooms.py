"""Rooms and membership: who may see, join, and leave what."""

from __future__ import annotations

import logging
from enum import Enum

from chat.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chat.domain.models import Membership, Room, RoomView, User
from chat.services.events import Publisher
from chat.services.limits import RateLimiter
from chat.storage import rooms, users
from chat.storage.database import Database

log = logging.getLogger("chat.security")


class Need(Enum):
    """What a caller needs of a room, and how a refusal reads. A private room stays hidden
    from outsiders (404) except where the contract answers them 403 (REST history)."""

    SEE_ELSE_404 = "see"  # public, or private and a member; else 404
    READ_ELSE_403 = "read"  # public, or private and a member; no such room 404, else 403
    MEMBER_ELSE_403 = "member"  # a member; a hidden private room 404, a public one 403


class Rooms:
    def __init__(
        self, db: Database, publisher: Publisher, limiter: RateLimiter | None = None
    ) -> None:
        """Without a limiter (a test seeding data in-process) room creation is unlimited."""
        self._db = db
        self._publisher = publisher
        self._limiter = limiter

    async def access(self, user: User, room_id: int, need: Need) -> tuple[Room, Membership | None]:
        """The room and the user's membership (one statement), or the refusal `need` names."""
        found = await rooms.room_and_membership(self._db, room_id, user.id)
        if found is None:
            raise NotFound("room not found")
        room, membership = found
        if membership is None:
            if room.private and need is not Need.READ_ELSE_403:
                log.warning("refused: user_id=%s private room_id=%s", user.id, room_id)
                raise NotFound("room not found")
            if room.private or need is Need.MEMBER_ELSE_403:
                log.warning("refused: user_id=%s not a member of room_id=%s", user.id, room_id)
                raise Forbidden("not a member of this room")
        return room, membership

    async def list_rooms(self, user: User) -> list[RoomView]:
        return await rooms.list_visible_rooms(self._db, user.id)

    async def create_room(self, user: User, name: str, private: bool) -> Room:
        if self._limiter is not None:
            await self._limiter.check_user(user.id, "create_room")
        room = await rooms.create_room(self._db, name, private, user)
        await self._publisher.room_added(user.id, room)
        if not room.private:
            await self._publisher.room_created(room)
        return room

    async def get_room(self, user: User, room_id: int) -> Room:
        room, _ = await self.access(user, room_id, Need.SEE_ELSE_404)
        return room

    async def join_room(self, user: User, room_id: int) -> tuple[Room, bool]:
        """Joins a public room (idempotent); returns the room and whether it was new."""
        room, membership = await self.access(user, room_id, Need.SEE_ELSE_404)
        if membership is not None:
            return room, False
        if room.private:
            raise Forbidden("a private room needs an invitation from its owner")
        added = await rooms.add_member(self._db, room_id, user.id)
        if added:
            await self._publisher.room_added(user.id, room)
        return room, added

    async def add_member(self, owner: User, room_id: int, username: str | None) -> Room:
        """`username` None (or the caller's own) joins the caller to a public room."""
        room, membership = await self.access(owner, room_id, Need.SEE_ELSE_404)
        if not room.private:
            if username is None or username == owner.username:
                await self.join_room(owner, room_id)
                return room
            raise Forbidden("members join a public room themselves")
        if membership is None or room.owner.id != owner.id:
            log.warning("refused: user_id=%s adds to room_id=%s", owner.id, room_id)
            raise Forbidden("only the owner adds members to a private room")
        if username is None:
            raise InvalidInput("username is required to add a member to a private room")
        invitee = await users.find_user(self._db, username)
        if invitee is None:
            raise NotFound("user not found")
        if await rooms.add_member(self._db, room_id, invitee.id):
            await self._publisher.room_added(invitee.id, room)
        return room

    async def leave_room(self, user: User, room_id: int) -> None:
        """The owner of a room with other members hands it over before leaving."""
        outcome = await rooms.remove_member_unless_owner(self._db, room_id, user.id)
        if outcome == "owner":
            raise Conflict("the owner hands the room over (PATCH owner) before leaving")
        if outcome != "left":
            raise NotFound("not a member of this room")
        await self._publisher.membership_ended(room_id, user.id)

    async def remove_member(self, owner: User, room_id: int, user_id: int) -> None:
        """The owner removes a member, whose sockets leave the room at once on every
        process. Removing oneself is leaving (refused while others are members)."""
        if user_id == owner.id:
            await self.leave_room(owner, room_id)
            return
        room, _ = await self.access(owner, room_id, Need.SEE_ELSE_404)
        if room.owner.id != owner.id:
            log.warning("refused: user_id=%s removes from room_id=%s", owner.id, room_id)
            raise Forbidden("only the owner removes members")
        if not await rooms.remove_member(self._db, room_id, user_id):
            raise NotFound("not a member of this room")
        await self._publisher.membership_ended(room_id, user_id)

    async def hand_over(self, owner: User, room_id: int, username: str) -> Room:
        """The owner makes another member the room's owner."""
        room, _ = await self.access(owner, room_id, Need.SEE_ELSE_404)
        if room.owner.id != owner.id:
            log.warning("refused: user_id=%s hands over room_id=%s", owner.id, room_id)
            raise Forbidden("only the owner hands the room over")
        heir = await users.find_user(self._db, username)
        if heir is None:
            raise NotFound("user not found")
        if heir.id != owner.id:
            outcome = await rooms.hand_over(self._db, room_id, owner.id, heir.id)
            if outcome == "not_member":
                raise NotFound("the new owner must be a member of the room")
            if outcome == "not_owner":
                raise Forbidden("only the owner hands the room over")
        return await self.get_room(owner, room_id)

    async def mark_read(self, user: User, room_id: int, seq: int) -> None:
        await self.access(user, room_id, Need.MEMBER_ELSE_403)
        await rooms.advance_read_marker(self._db, room_id, user.id, seq)
