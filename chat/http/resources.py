"""What every Flask-RESTX resource shares: async methods, the caller, the JSON body."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import re
from collections.abc import Callable
from typing import Any, cast

import orjson
from flask import Response, current_app, make_response, request
from flask_restx import Resource
from werkzeug.exceptions import UnsupportedMediaType

from chat.domain.errors import InvalidInput, Unauthorized
from chat.http.bridge import LOOP_KEY
from chat.services.container import Services
from chat.services.tokens import Principal

_DIGITS = re.compile(r"[0-9]{1,19}")


def run_on_loop(method: Callable[..., Any]) -> Callable[..., Any]:
    """Runs an async view on uvicorn's loop, where the one engine and pool live, and waits:
    one round trip from the bridge's thread for all of the view's async work.

    run_coroutine_threadsafe copies this thread's context into the task, so the view still
    sees Flask's request and app. Without our bridge's loop in the environ (Flask's test
    client), Flask's own ensure_sync does it through asgiref. A plain method runs as it is."""
    if not inspect.iscoroutinefunction(method):
        return method

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        loop = request.environ.get(LOOP_KEY)
        if loop is None:
            return current_app.ensure_sync(method)(*args, **kwargs)
        return asyncio.run_coroutine_threadsafe(method(*args, **kwargs), loop).result()

    return run


class AsyncResource(Resource):  # type: ignore[misc]
    """Flask-RESTX does not await async methods (flask-restx #366, #600); run_on_loop does."""

    method_decorators = [run_on_loop]


def services() -> Services:
    return cast(Services, current_app.extensions["chat.services"])


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    return token.strip()


async def caller() -> Principal:
    return await services().accounts.authenticate(bearer_token())


def client_address() -> str:
    """The peer, or the client a trusted proxy names: uvicorn's proxy_headers set it."""
    return request.remote_addr or "unknown"


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object. An absent body is {} when not required.

    Parsed here rather than by request.get_json: nesting deep enough to exhaust the parser
    raises RecursionError, which Flask does not catch, and a lone surrogate escape
    ("\\ud800") parses into a str that cannot be encoded again (Argon2 would raise)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise InvalidInput("a JSON object body is required")
        return {}
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType("Content-Type must be application/json")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("body must be valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("body must be a JSON object")
    if not _encodable(data):
        raise InvalidInput("body must be valid Unicode text")
    return data


def _encodable(data: object) -> bool:
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def query_int(name: str) -> int | None:
    """A query parameter of ASCII digits (int() would take "+1", "1_0" and Arabic digits);
    more than 19 digits cannot be a 64-bit seq and is refused before it reaches SQL."""
    raw = request.args.get(name)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw):
        raise InvalidInput(f"{name} must be a non-negative integer")
    return int(raw)


def no_content() -> Response:
    # No body, but a media type all the same: the document says every answer is JSON.
    return Response(status=204, mimetype="application/json")


# Times as the contract writes them (ISO 8601, UTC, Z); a dataclass as its fields, which
# is what the domain types' as_dict gives (Page and Message are sent as they are).
_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def output_json(data: Any, code: int, headers: Any = None) -> Response:
    """Flask-RESTX's JSON representation, with orjson: several times faster than json.dumps
    on a history page, and it writes dataclasses and datetimes itself."""
    response = make_response(orjson.dumps(data, option=_JSON_OPTIONS), code)
    response.headers.extend(headers or {})
    return response
