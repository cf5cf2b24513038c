"""What every Flask-RESTX resource shares: async methods, the caller, the JSON body."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app, request
from flask_restx import Resource

from chat.domain.errors import InvalidInput, Unauthorized
from chat.services.container import Services
from chat.services.tokens import Principal


class AsyncResource(Resource):  # type: ignore[misc]
    """Flask-RESTX does not await async methods (flask-restx #366, #600): ensure_sync runs
    them through asgiref on uvicorn's main loop, where the one engine lives (FIELD-NOTES 4-5)."""

    method_decorators = [lambda f: current_app.ensure_sync(f)]


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
    return request.remote_addr or "unknown"


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object. An absent body is {} when not required."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise InvalidInput("a JSON object body is required")
        return {}
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise InvalidInput("Content-Type must be application/json")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body must be a JSON object")
    return data


def query_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return int(raw, 10)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer") from None
