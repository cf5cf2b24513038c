"""REST request bodies and queries, parsed into typed values at the edge with the
contract's rules (domain/rules.py); services take only what passed. Anything else is
InvalidInput (400) or TooLarge, never an exception of Python's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chat.domain import rules
from chat.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Registration:
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class Login:
    """Not checked against the username and password rules: a login that breaks them is a
    failed login (401, counted by the login limits), not a 400."""

    username: str
    password: str


@dataclass(frozen=True, slots=True)
class NewRoom:
    name: str
    private: bool


@dataclass(frozen=True, slots=True)
class NewMessage:
    body: str
    client_id: str


@dataclass(frozen=True, slots=True)
class PageQuery:
    before: int | None
    after: int | None
    limit: int


def registration(body: dict[str, Any]) -> Registration:
    return Registration(
        username=rules.username(body.get("username")),
        password=rules.password(body.get("password")),
    )


def login(body: dict[str, Any]) -> Login:
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidInput("username and password must be strings")
    return Login(username=username, password=password)


def new_room(body: dict[str, Any]) -> NewRoom:
    private = body.get("private", False)
    if not isinstance(private, bool):
        raise InvalidInput("private must be true or false")
    return NewRoom(name=rules.room_name(body.get("name")), private=private)


def new_member(body: dict[str, Any]) -> str | None:
    """Whom the owner adds; None (absent or null) for the caller joining."""
    username = body.get("username")
    return None if username is None else rules.username(username)


def new_owner(body: dict[str, Any]) -> str:
    """PATCH /api/rooms/{id}: the member who becomes the owner."""
    return rules.username(body.get("owner"))


def new_message(body: dict[str, Any]) -> NewMessage:
    return NewMessage(
        body=rules.body(body.get("body")), client_id=rules.client_id(body.get("client_id"))
    )


def page_query(before: int | None, after: int | None, limit: int | None) -> PageQuery:
    """The history query's integers (query_int parsed their digits)."""
    return PageQuery(
        before=None if before is None else rules.seq(before, "before"),
        after=None if after is None else rules.seq(after, "after"),
        limit=rules.page_limit(limit),
    )
