"""What this process knows about each of its sockets, by Socket.IO sid."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from chat.domain.models import User
from chat.services.tokens import Principal


@dataclass(eq=False, slots=True)
class Connection:
    sid: str
    principal: Principal
    rooms: set[int] = field(default_factory=set)
    """Chat rooms this socket follows (joined on this socket, not left since)."""
    closed: bool = False
    """Set first thing on disconnect, so a join racing the disconnect adds nothing."""
    expiry: asyncio.TimerHandle | None = None

    @property
    def user(self) -> User:
        return self.principal.user


class Connections:
    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}

    def add(self, connection: Connection) -> None:
        self._by_sid[connection.sid] = connection

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def pop(self, sid: str) -> Connection | None:
        return self._by_sid.pop(sid, None)
