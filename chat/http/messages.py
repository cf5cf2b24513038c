"""GET /api/rooms/{room_id}/messages: keyset-paged history."""

from __future__ import annotations

from chat.domain import rules
from chat.domain.models import Page
from chat.http import payloads
from chat.http.resources import AsyncResource, caller, query_int, services
from chat.http.rooms import ROOM_URL
from chat.http.schemas import BEARER, INT_MAX, errors, page_model, room_id_param, shared_namespace

ns = shared_namespace("messages", "Message history", "/rooms")

_seq = {"type": "integer", "minimum": 0, "maximum": INT_MAX}


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
