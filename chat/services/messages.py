"""Send, edit, delete and read messages. Durable before acknowledged: every method returns
only after the database committed, and announces to sockets only what was committed."""

from __future__ import annotations

import logging

from chat.domain.errors import Forbidden, NotFound
from chat.domain.models import Message, Page, SendResult, User
from chat.services.events import Publisher
from chat.services.room_order import RoomOrder
from chat.services.rooms import Need, Rooms
from chat.storage import messages
from chat.storage.database import Database

log = logging.getLogger("chat.security")

RESUME_LIMIT = 200


class Messages:
    def __init__(self, db: Database, rooms: Rooms, publisher: Publisher) -> None:
        self._db = db
        self._rooms = rooms
        self._publisher = publisher
        self._order = RoomOrder(publisher.message_created)

    async def send_message(self, user: User, room_id: int, body: str, client_id: str) -> SendResult:
        """`body` and `client_id` as the edge parsed them with domain.rules."""
        ticket = self._order.started(room_id)
        result = None
        try:
            result = await messages.append_message(self._db, room_id, user, body, client_id)
        finally:
            stored = result.message if result is not None and result.created else None
            await self._order.finished(room_id, ticket, stored)
        if result is None:
            # Not stored: find out why, to answer with the right code.
            await self._rooms.access(user, room_id, Need.MEMBER_ELSE_403)
            raise NotFound("room not found")
        return result

    async def edit_message(self, user: User, message_id: int, body: str) -> Message:
        message = await self._own_message(user, message_id)
        if message.sender.id != user.id:
            raise Forbidden("only the sender edits a message")
        if message.deleted:
            raise NotFound("message was deleted")
        edited = await messages.edit_message(self._db, message_id, body)
        if edited is None:
            raise NotFound("message was deleted")
        await self._publisher.message_updated(edited)
        return edited

    async def delete_message(self, user: User, message_id: int) -> Message:
        message = await self._own_message(user, message_id)
        if message.sender.id != user.id:
            room, _ = await self._rooms.access(user, message.room_id, Need.MEMBER_ELSE_403)
            if room.owner.id != user.id:
                raise Forbidden("only the sender or the room owner deletes a message")
        if message.deleted:
            return message
        deleted = await messages.delete_message(self._db, message_id)
        if deleted is None:
            raise NotFound("message not found")
        await self._publisher.message_updated(deleted)
        return deleted

    async def _own_message(self, user: User, message_id: int) -> Message:
        """The message, if the user is (still) a member of its room."""
        message = await messages.get_message(self._db, message_id)
        if message is None:
            raise NotFound("message not found")
        try:
            await self._rooms.access(user, message.room_id, Need.MEMBER_ELSE_403)
        except NotFound:
            raise NotFound("message not found") from None
        return message

    async def history(
        self, user: User, room_id: int, *, before: int | None, after: int | None, limit: int
    ) -> Page:
        """A page for a reader of the room: 404 for no such room, 403 for an outsider of a
        private one (Need.READ_ELSE_403), answered with the page in one statement."""
        found = await self._db.history.readable_page(room_id, user.id, before, after, limit)
        if found is None:
            raise NotFound("room not found")
        if not found.allowed:
            log.warning("refused: user_id=%s history of private room_id=%s", user.id, room_id)
            raise Forbidden("not a member of this room")
        return found.page

    async def since(self, room_id: int, since_seq: int) -> Page:
        """What a (re)joining member missed: up to RESUME_LIMIT messages above since_seq."""
        return await messages.page(self._db, room_id, after=since_seq, limit=RESUME_LIMIT)
