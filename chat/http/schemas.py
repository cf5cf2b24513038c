"""The OpenAPI models every namespace shares, and the error responses each may declare.

Flask-RESTX answers statuses it was not told about without documenting them (flask-restx 1.3),
so every resource method declares each status it can return, with its body."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from flask_restx import Model, Namespace, fields

from chat.domain import rules
from chat.domain.errors import REST_CODES

INT_MAX = rules.INT_MAX
BEARER = "bearer"
USERNAME_PATTERN = "^[A-Za-z0-9_.\\-]{3,32}$"


class NullableDateTime(fields.DateTime):  # type: ignore[misc]
    """A date-time that may be null (Swagger 2.0 spells it x-nullable)."""

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = super().schema()
        schema["x-nullable"] = True
        return schema


class NullableString(fields.String):  # type: ignore[misc]
    """A string that may be null, which means the same as leaving it out."""

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = super().schema()
        schema["x-nullable"] = True
        return schema


class RoomName(fields.String):  # type: ignore[misc]
    """rules.room_name as a pattern, so fuzzers and clients know exactly what passes."""

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = super().schema()
        schema["pattern"] = room_name_pattern()
        return schema


@cache
def room_name_pattern() -> str:
    """rules.room_name: after str.strip(), 1-64 characters that are all str.isprintable().

    Built from this Python's own Unicode tables (once per process, ~0.4 s, on the first
    request for the document): whitespace, a first and last character that is printable and
    not a space, printable characters between, whitespace."""
    visible = "".join(_class_item(a, b) for a, b in _runs(lambda c: c.isprintable() and c != " "))
    space = "".join(_class_item(a, b) for a, b in _runs(str.isspace))
    inner = rules.ROOM_NAME_MAX - 2
    return f"^[{space}]*[{visible}](?:[ {visible}]{{0,{inner}}}[{visible}])?[{space}]*$"


@cache
def client_id_pattern() -> str:
    """rules.client_id: 1-64 characters that are all str.isprintable(), built like
    room_name_pattern."""
    printable = "".join(_class_item(a, b) for a, b in _runs(str.isprintable))
    return f"^[{printable}]{{1,{rules.CLIENT_ID_MAX}}}$"


class ClientId(fields.String):  # type: ignore[misc]
    """rules.client_id as a pattern."""

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = super().schema()
        schema["pattern"] = client_id_pattern()
        return schema


def _runs(test: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    start = None
    for code in range(0x110000):
        if test(chr(code)):
            if start is None:
                start = code
        elif start is not None:
            yield start, code - 1
            start = None
    if start is not None:
        yield start, 0x10FFFF


def _class_char(code: int) -> str:
    # \uXXXX means the same in ECMA 262, Python and Rust regexes; beyond the BMP only the
    # character itself does.
    return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)


def _class_item(first: int, last: int) -> str:
    if first == last:
        return _class_char(first)
    return f"{_class_char(first)}-{_class_char(last)}"


error_model = Model(
    "Error",
    {
        "message": fields.String(required=True, example="room not found"),
        "code": fields.String(
            required=True,
            example="not_found",
            description=", ".join(REST_CODES),
        ),
    },
)

user_model = Model(
    "User",
    {
        "id": fields.Integer(required=True, min=1, example=1),
        "username": fields.String(required=True, example="ada"),
    },
)

room_model = Model(
    "Room",
    {
        "id": fields.Integer(required=True, min=1, example=7),
        "name": fields.String(required=True, example="general"),
        "private": fields.Boolean(required=True, example=False),
        "owner": fields.Nested(user_model, required=True),
        "created_at": fields.DateTime(required=True, example="2026-01-01T12:00:00Z"),
        "last_seq": fields.Integer(
            required=True, min=0, example=42, description="the seq of the room's newest message"
        ),
    },
)

listed_room_model = room_model.inherit(
    "ListedRoom",
    {
        "member": fields.Boolean(required=True, description="the caller belongs to the room"),
        "unread": fields.Integer(
            min=0,
            description="messages above the caller's read marker; present for members only",
        ),
    },
)

message_model = Model(
    "Message",
    {
        "id": fields.Integer(required=True, min=1),
        "room_id": fields.Integer(required=True, min=1),
        "seq": fields.Integer(required=True, min=1, description="1, 2, 3, ... per room"),
        "sender": fields.Nested(user_model, required=True),
        "body": fields.String(required=True, description="empty once deleted"),
        "client_id": fields.String(required=True),
        "created_at": fields.DateTime(required=True),
        "edited_at": NullableDateTime(required=True),
        "deleted": fields.Boolean(required=True),
    },
)

page_model = Model(
    "MessagePage",
    {
        "messages": fields.List(
            fields.Nested(message_model), required=True, description="ascending seq"
        ),
        "has_more": fields.Boolean(
            required=True, description="more messages lie beyond this page in its direction"
        ),
    },
)

SHARED_MODELS = (
    error_model,
    user_model,
    room_model,
    listed_room_model,
    message_model,
    page_model,
)

_DESCRIPTIONS = {
    400: "Invalid input",
    401: "Missing, invalid, expired or revoked bearer token",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    415: "Content-Type is not application/json",
    429: "Too many attempts; Retry-After says when to try again",
    503: "The database (or Redis) is unavailable; try again",
}

_RETRY_AFTER = {"Retry-After": {"type": "integer", "description": "seconds to wait"}}


def errors(
    ns: Namespace, *codes: int, **descriptions: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares each status in `codes` with the Error body; descriptions by `e404=...`."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        for code in codes:
            description = descriptions.get(f"e{code}", _DESCRIPTIONS[code])
            extra = {"headers": _RETRY_AFTER} if code == 429 else {}
            method = ns.response(code, description, error_model, **extra)(method)
        return method

    return decorate


def shared_namespace(name: str, description: str, path: str) -> Namespace:
    """A namespace that knows the shared models (Flask-RESTX refuses to document a model
    that no namespace registered)."""
    ns = Namespace(name, description=description, path=path)
    for model in SHARED_MODELS:
        ns.add_model(model.name, model)
    return ns


def room_id_param() -> dict[str, Any]:
    return {
        "room_id": {
            "description": "the room's id",
            "type": "integer",
            "minimum": 1,
            "maximum": INT_MAX,
        }
    }
