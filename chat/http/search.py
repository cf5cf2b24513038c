"""GET /api/search: full-text search over the messages the caller may read."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_restx import fields

from chat.domain import search as rules
from chat.http.resources import AsyncResource, caller, query_int, services
from chat.http.schemas import BEARER, INT_MAX, errors, message_model, shared_namespace

ns = shared_namespace("search", "Full-text search of message history", "/search")

results_model = ns.model(
    "SearchResults",
    {
        "results": fields.List(
            fields.Nested(message_model),
            required=True,
            description="newest first; deleted messages never match, edited ones by their new body",
        ),
        "has_more": fields.Boolean(
            required=True, description="older matches remain: ask again with before=<last id>"
        ),
    },
)

_id = {"type": "integer", "minimum": 1, "maximum": INT_MAX}


@ns.route("")
class SearchResource(AsyncResource):
    @ns.doc(
        security=BEARER,
        params={
            "q": {
                "type": "string",
                "required": True,
                "minLength": 1,
                "maxLength": rules.QUERY_MAX,
                "description": "every word must match a whole word of the body or its start, "
                "without regard to case; words are runs of letters and digits",
            },
            "room_id": {**_id, "description": "only this room"},
            "before": {**_id, "description": "only messages older than this message id"},
            "limit": {
                "type": "integer",
                "minimum": 1,
                "maximum": rules.LIMIT_MAX,
                "default": rules.LIMIT_DEFAULT,
                "description": "results per page",
            },
        },
    )
    @ns.response(200, "Matching messages the caller may read, newest first", results_model)
    @errors(ns, 400, 401, 503, e400="q, room_id, before or limit out of range")
    async def get(self) -> dict[str, Any]:
        """Search the public rooms and the caller's private rooms."""
        principal = await caller()
        query = rules.search_query(
            request.args.get("q"),
            room_id=query_int("room_id"),
            before=query_int("before"),
            limit=query_int("limit"),
        )
        found = await services().search.search(principal.user, query)
        return found.as_dict()
