"""What the REST tests share: a cast of users, fresh rooms, forged tokens and a fast seeder."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from chat.domain.models import Message, Room, User
from chat.services.messages import Messages
from chat.services.rooms import Rooms
from chat.storage.database import Database, create_engine
from tests.support.backends import Backend
from tests.support.clients import Account, create_room, register
from tests.support.server import ServerProcess

PROTECTED = [
    ("POST", "/api/auth/logout"),
    ("GET", "/api/users/me"),
    ("GET", "/api/rooms"),
    ("POST", "/api/rooms"),
    ("GET", "/api/rooms/{room_id}"),
    ("POST", "/api/rooms/{room_id}/members"),
    ("DELETE", "/api/rooms/{room_id}/members/me"),
    ("DELETE", "/api/rooms/{room_id}/members/{user_id}"),
    ("GET", "/api/rooms/{room_id}/messages"),
    ("POST", "/api/rooms/{room_id}/messages"),
    ("GET", "/api/search"),
]


@dataclass
class Cast:
    """Users that outlive one test; each test makes its own rooms, so they never collide."""

    owner: Account
    member: Account
    outsider: Account
    third: Account

    def role(self, name: str) -> Account:
        return {"owner": self.owner, "member": self.member, "outsider": self.outsider}[name]


@pytest.fixture(scope="session")
async def cast(server: ServerProcess) -> Cast:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        owner, member, outsider, third = [await register(client) for _ in range(4)]
    return Cast(owner=owner, member=member, outsider=outsider, third=third)


RoomMaker = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def room_with_member(http: httpx.AsyncClient, cast: Cast) -> RoomMaker:
    """A fresh room owned by cast.owner with cast.member in it (added or joined)."""

    async def make(*, private: bool) -> dict[str, Any]:
        room = await create_room(http, cast.owner, private=private)
        path = f"/api/rooms/{room['id']}/members"
        if private:
            response = await http.post(
                path, json={"username": cast.member.username}, headers=cast.owner.headers
            )
        else:
            response = await http.post(path, headers=cast.member.headers)
        assert response.status_code == 201, response.text
        return room

    return make


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    """The contract's error shape: JSON {"message", "code"}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "code"}, body
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], claims: dict[str, Any], signature: str = "") -> str:
    return ".".join(
        [_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), signature]
    )


def claims_for(account: Account, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(account.id),
        "name": account.username,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


Seeder = Callable[[Account, int, int], Awaitable[None]]


class NullPublisher:
    """Announces nothing: the seeder runs in the test process, which has no sockets."""

    async def message_created(self, message: Message) -> None:
        return None

    async def message_updated(self, message: Message) -> None:
        return None

    async def membership_ended(self, room_id: int, user_id: int) -> None:
        return None

    async def room_added(self, user_id: int, room: Room) -> None:
        return None

    async def room_created(self, room: Room) -> None:
        return None

    async def token_revoked(self, jti: str) -> None:
        return None


@pytest.fixture(scope="session")
async def seed(backend: Backend) -> AsyncIterator[Seeder]:
    """Sends messages through the messages service in this process, on the servers' database.

    The same use case a socket `send` runs (membership check, gap-free seq, idempotent
    client_id, one transaction each) without a socket round trip per message; only the
    announcement to sockets is left out (NullPublisher), which history does not read."""
    db = Database(create_engine(backend.database_url, pool_size=2))
    publisher = NullPublisher()
    service = Messages(db, Rooms(db, publisher), publisher)

    async def send(sender: Account, room_id: int, count: int) -> None:
        user = User(id=sender.id, username=sender.username)
        for n in range(count):
            result = await service.send_message(user, room_id, f"message {n}", uuid.uuid4().hex)
            assert result.created

    yield send
    await db.dispose()


@pytest.fixture(scope="session")
def limits_server(spawn: Callable[..., ServerProcess]) -> ServerProcess:
    """A second process on the same database (and Redis) with tight login limits."""
    return spawn("limits", LOGIN_RATE_PER_USER="3", LOGIN_RATE_PER_ADDRESS="5")
