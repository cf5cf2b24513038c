"""What services announce to connected clients. realtime/ implements Publisher; services
call it after the database has committed, so nothing is announced that was not stored."""

from __future__ import annotations

from typing import Protocol

from chat.domain.models import Message, Room


class Publisher(Protocol):
    async def message_created(self, message: Message) -> None: ...

    async def message_updated(self, message: Message) -> None: ...

    async def membership_ended(self, room_id: int, user_id: int) -> None:
        """The user's sockets, on every process, leave the room and hear `room_removed`."""
        ...

    async def room_added(self, user_id: int, room: Room) -> None:
        """The user became a member: its sockets hear `room_added`."""
        ...

    async def room_created(self, room: Room) -> None:
        """A public room was created: every connected socket hears `room_created`."""
        ...

    async def token_revoked(self, jti: str) -> None: ...
