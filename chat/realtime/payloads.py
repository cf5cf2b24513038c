"""Client event payloads, parsed into dataclasses at the edge. Anything that is not the
expected shape is InvalidInput (or TooLarge for a long body), never an exception of Python's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chat.domain import rules
from chat.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class RoomRef:
    """leave and typing: only the room."""

    room_id: int


@dataclass(frozen=True, slots=True)
class JoinRequest:
    room_id: int
    since_seq: int | None


@dataclass(frozen=True, slots=True)
class SendRequest:
    room_id: int
    body: str
    client_id: str


@dataclass(frozen=True, slots=True)
class ReadRequest:
    room_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class EditRequest:
    message_id: int
    body: str


@dataclass(frozen=True, slots=True)
class DeleteRequest:
    message_id: int


def _object(payload: object) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidInput("payload must be an object")
    return payload


def room_ref(payload: object) -> RoomRef:
    data = _object(payload)
    return RoomRef(room_id=rules.identifier(data.get("room_id"), "room_id"))


def join_request(payload: object) -> JoinRequest:
    data = _object(payload)
    since = data.get("since_seq")
    return JoinRequest(
        room_id=rules.identifier(data.get("room_id"), "room_id"),
        since_seq=None if since is None else rules.seq(since, "since_seq"),
    )


def send_request(payload: object) -> SendRequest:
    data = _object(payload)
    return SendRequest(
        room_id=rules.identifier(data.get("room_id"), "room_id"),
        body=rules.body(data.get("body")),
        client_id=rules.client_id(data.get("client_id")),
    )


def read_request(payload: object) -> ReadRequest:
    data = _object(payload)
    return ReadRequest(
        room_id=rules.identifier(data.get("room_id"), "room_id"),
        seq=rules.seq(data.get("seq")),
    )


def edit_request(payload: object) -> EditRequest:
    data = _object(payload)
    return EditRequest(
        message_id=rules.identifier(data.get("message_id"), "message_id"),
        body=rules.body(data.get("body")),
    )


def delete_request(payload: object) -> DeleteRequest:
    data = _object(payload)
    return DeleteRequest(message_id=rules.identifier(data.get("message_id"), "message_id"))
