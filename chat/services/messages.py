"""Send, edit, delete and read messages. Durable before acknowledged: every method returns
only after the database committed, and announces to sockets only what was committed."""

from __future__ import annotations

import logging

from chat.domain import rules
from chat.domain.errors import Forbidden, NotFound
from chat.domain.models import Message, Page, SendResult, User
from chat.services.events import Publisher
from chat.services.room_order import RoomOrder
from chat.services.rooms import Rooms
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

    async def send_message(
        self, user: User, room_id: object, body: object, client_id: object
    ) -> SendResult:
        room = rules.identifier(room_id, "room_id")
        text = rules.body(body)
        key = rules.client_id(client_id)
        ticket = self._order.started(room)
        result = None
        try:
            result = await messages.append_message(self._db, room, user, text, key)
        finally:
            stored = result.message if result is not None and result.created else None
            await self._order.finished(room, ticket, stored)
        if result is None:
            # Not stored: find out why, to answer with the right code.
            await self._rooms.require_member(user, room)
            raise NotFound("room not found")
        return result

    async def edit_message(self, user: User, message_id: object, body: object) -> Message:
        ident = rules.identifier(message_id, "message_id")
        text = rules.body(body)
        message = await self._own_message(user, ident)
        if message.sender.id != user.id:
            raise Forbidden("only the sender edits a message")
        if message.deleted:
            raise NotFound("message was deleted")
        edited = await messages.edit_message(self._db, ident, text)
        if edited is None:
            raise NotFound("message was deleted")
        await self._publisher.message_updated(edited)
        return edited

    async def delete_message(self, user: User, message_id: object) -> Message:
        ident = rules.identifier(message_id, "message_id")
        message = await self._own_message(user, ident)
        if message.sender.id != user.id:
            room, _ = await self._rooms.require_member(user, message.room_id)
            if room.owner.id != user.id:
                raise Forbidden("only the sender or the room owner deletes a message")
        if message.deleted:
            return message
        deleted = await messages.delete_message(self._db, ident)
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
            await self._rooms.require_member(user, message.room_id)
        except NotFound:
            raise NotFound("message not found") from None
        return message

    async def history(
        self, user: User, room_id: int, *, before: object, after: object, limit: object
    ) -> Page:
        size = rules.page_limit(limit)
        below = None if before is None else rules.seq(before, "before")
        above = None if after is None else rules.seq(after, "after")
        room, membership = await self._rooms.room_and_membership(user, room_id)
        if room.private and membership is None:
            log.warning("refused: user_id=%s history of private room_id=%s", user.id, room_id)
            raise Forbidden("not a member of this room")
        return await messages.page(self._db, room_id, before=below, after=above, limit=size)

    async def since(self, room_id: int, since_seq: int) -> Page:
        """What a (re)joining member missed: up to RESUME_LIMIT messages above since_seq."""
        return await messages.page(self._db, room_id, after=since_seq, limit=RESUME_LIMIT)
