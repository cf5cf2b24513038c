"""What services hand across the layers: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the contract's times are."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)  # no slots: orjson writes a __dict__ dataclass 5x faster
class User:
    id: int
    username: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username}


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user with its stored hash: never leaves services/."""

    user: User
    password_hash: str


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    name: str
    private: bool
    owner: User
    created_at: datetime
    last_seq: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "private": self.private,
            "owner": self.owner.as_dict(),
            "created_at": iso(self.created_at),
            "last_seq": self.last_seq,
        }


@dataclass(frozen=True, slots=True)
class RoomView:
    """A room as one user sees it in a listing: `unread` is set for members only."""

    room: Room
    member: bool
    unread: int | None

    def as_dict(self) -> dict[str, Any]:
        data = self.room.as_dict()
        data["member"] = self.member
        if self.unread is not None:
            data["unread"] = self.unread
        return data


@dataclass(frozen=True, slots=True)
class Membership:
    room_id: int
    user_id: int
    role: str
    last_read_seq: int


@dataclass(frozen=True)  # no slots: orjson writes a __dict__ dataclass 5x faster
class Message:
    id: int
    room_id: int
    seq: int
    sender: User
    body: str
    client_id: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "room_id": self.room_id,
            "seq": self.seq,
            "sender": self.sender.as_dict(),
            "body": self.body,
            "client_id": self.client_id,
            "created_at": iso(self.created_at),
            "edited_at": iso(self.edited_at),
            "deleted": self.deleted,
        }


@dataclass(frozen=True)  # no slots: orjson writes a __dict__ dataclass 5x faster
class Page:
    messages: list[Message]
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"messages": [m.as_dict() for m in self.messages], "has_more": self.has_more}


@dataclass(frozen=True, slots=True)
class SendResult:
    message: Message
    created: bool
