"""/api/rooms/{room_id}/messages: keyset-paged history (GET), and sending over REST (POST)
with the socket `send`'s validation, durability, idempotency and broadcast: the same
service call."""

from __future__ import annotations

from typing import Any

from flask_restx import fields

from chat.domain import rules
from chat.domain.models import Page
from chat.http import payloads
from chat.http.resources import AsyncResource, caller, json_body, query_int, services
from chat.http.rooms import ROOM_URL
from chat.http.schemas import (
    BEARER,
    INT_MAX,
    ClientId,
    errors,
    message_model,
    page_model,
    room_id_param,
    shared_namespace,
)

ns = shared_namespace("messages", "Message history", "/rooms")

_seq = {"type": "integer", "minimum": 0, "maximum": INT_MAX}

new_message_model = ns.model(
    "NewMessage",
    {
        "body": fields.String(
            required=True,
            min_length=1,
            max_length=rules.BODY_MAX,
            # rules.body: something besides whitespace, and no NUL.
            pattern="^[^\\x00]*[^\\s\\x00][^\\x00]*$",
            description="text, kept exactly as sent; not only whitespace, no NUL",
        ),
        "client_id": ClientId(
            required=True,
            min_length=1,
            max_length=rules.CLIENT_ID_MAX,
            description="the sender's idempotency key, printable: a repeat stores nothing new",
        ),
    },
)


@ns.route(f"{ROOM_URL}/messages")
@ns.doc(params=room_id_param())
class HistoryResource(AsyncResource):
    @ns.doc(
        security=BEARER,
        params={
            "before": {**_seq, "description": "the newest page of messages below this seq"},
            "after": {**_seq, "description": "the oldest page of messages above this seq"},
            "limit": {
                "type": "integer",
                "minimum": 1,
                "maximum": rules.PAGE_LIMIT_MAX,
                "default": rules.PAGE_LIMIT_DEFAULT,
                "description": "messages per page",
            },
        },
    )
    @ns.response(200, "Messages in ascending seq; neither bound gives the newest", page_model)
    @errors(
        ns,
        400,
        401,
        403,
        404,
        503,
        e400="before, after or limit out of range",
        e403="Not a member of this private room",
        e404="No such room",
    )
    async def get(self, room_id: int) -> Page:
        """A page of a room's history: members of a private room, anyone for a public one."""
        principal = await caller()
        query = payloads.page_query(query_int("before"), query_int("after"), query_int("limit"))
        page = await services().messages.history(
            principal.user, room_id, before=query.before, after=query.after, limit=query.limit
        )
        return page  # a dataclass: output_json writes its fields

    @ns.doc(security=BEARER)
    @ns.expect(new_message_model)
    @ns.response(201, "Stored (committed) and broadcast to the room", message_model)
    @ns.response(200, "The original message: this client_id was already used here", message_model)
    @errors(
        ns,
        400,
        401,
        403,
        404,
        413,
        415,
        429,
        503,
        e403="Not a member of this room",
        e404="No such room, or a private room the caller is not in",
        e413="Body over the character limit, or request over the size limit",
    )
    async def post(self, room_id: int) -> tuple[dict[str, Any], int]:
        """Send a message, as a socket `send` does: durable before answered, idempotent."""
        principal = await caller()
        new = payloads.new_message(json_body())
        # The socket send's limit, per user: a REST send and a socket send count alike.
        await services().limits.check_user(principal.user.id, "send")
        result = await services().messages.send_message(
            principal.user, room_id, new.body, new.client_id
        )
        return result.message.as_dict(), 201 if result.created else 200
