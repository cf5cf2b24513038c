"""What services announce to connected clients. realtime/ implements Publisher; services
call it after the database has committed, so nothing is announced that was not stored."""

from __future__ import annotations

from typing import Protocol

from chat.domain.models import Message


class Publisher(Protocol):
    async def message_created(self, message: Message) -> None: ...

    async def message_updated(self, message: Message) -> None: ...

    async def membership_ended(self, room_id: int, user_id: int) -> None: ...

    async def token_revoked(self, jti: str) -> None: ...
