"""The server the benchmark measures: ChatApp itself, plus one pure-ASGI endpoint.

GET /bench/history/{room_id} does what GET /api/rooms/{room_id}/messages does - the same
authenticate and messages.history calls on the same services, engine and loop, and the same
JSON writer (orjson, as http/resources.py) - without the guard, the asgiref bridge, Flask or
Flask-RESTX. The two side by side
price the bridge. Started by the benchmark as `uvicorn --factory loadtests.rest_bench.app:create`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import orjson

from chat.asgi import ChatApp, create_app
from chat.domain.errors import ChatError, InvalidInput
from chat.settings import Settings

PREFIX = "/bench/history/"
_JSON = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


class BenchApp:
    def __init__(self, chat: ChatApp) -> None:
        self.chat = chat

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await self.history(scope, send)
        else:
            await self.chat(scope, receive, send)

    async def history(self, scope: Any, send: Any) -> None:
        services = self.chat.services
        try:
            token = _bearer(scope)
            principal = await services.accounts.authenticate(token)
            query = parse_qs(scope["query_string"].decode("latin-1"))
            page = await services.messages.history(
                principal.user,
                _int(scope["path"][len(PREFIX) :]),
                before=_query_int(query, "before"),
                after=_query_int(query, "after"),
                limit=_query_int(query, "limit"),
            )
            status, body = 200, orjson.dumps(page, option=_JSON)
        except ChatError as error:
            status, body = error.status, orjson.dumps(error.as_dict())
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _bearer(scope: Any) -> str:
    for key, value in scope["headers"]:
        if key == b"authorization":
            scheme, _, token = bytes(value).decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


def _int(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise InvalidInput("not an integer")
    return int(raw)


def _query_int(query: dict[str, list[str]], name: str) -> int | None:
    values = query.get(name)
    return None if not values else _int(values[0])


def create() -> BenchApp:
    return BenchApp(create_app(Settings.from_env()))
