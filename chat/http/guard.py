"""Pure-ASGI checks in front of the bridge: origin allow-list with CORS, body size, and
security headers. They answer without a thread hop, in the contract's error shape."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from chat.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The Swagger UI page runs an inline bootstrap script and loads its own assets.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
CLIENT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
_ALLOWED_HEADERS = "Authorization, Content-Type"


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def own_origin(scope: Scope) -> str:
    return f"{scope.get('scheme', 'http')}://{header(scope, b'host') or ''}"


async def send_json(
    send: Send, status: int, body: dict[str, str], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *security_headers(API_CSP),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def security_headers(csp: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", csp.encode()),
    ]


def with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {key.lower() for key, _ in message.get("headers", [])}
            message["headers"] = [
                *message.get("headers", []),
                *((k, v) for k, v in extra if k not in present),
            ]
        await send(message)

    return wrapped


class ApiGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = header(scope, b"origin")
        cors: list[tuple[bytes, bytes]] = []
        if origin is not None and origin != "null":
            if not self.settings.origin_allowed(origin, own_origin(scope)):
                await send_json(send, 403, {"message": "origin not allowed", "code": "forbidden"})
                return
            cors = [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"vary", b"Origin"),
                (b"access-control-expose-headers", b"Retry-After"),
            ]
            if scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method"):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": [
                            *cors,
                            (b"access-control-allow-methods", _ALLOWED_METHODS.encode()),
                            (b"access-control-allow-headers", _ALLOWED_HEADERS.encode()),
                            (b"access-control-max-age", b"600"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        length = header(scope, b"content-length")
        limit = self.settings.max_request_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            status = 413 if length.isdigit() else 400
            await send_json(
                send,
                status,
                {
                    "message": f"request body must be at most {limit} bytes",
                    "code": "too_large" if status == 413 else "invalid",
                },
                [(b"connection", b"close")],
            )
            return
        path = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(("/api/docs", "/api/swaggerui")) else API_CSP
        await self.app(
            scope, _limited(receive, limit), with_headers(send, [*cors, *security_headers(csp)])
        )


def _limited(receive: Receive, limit: int) -> Receive:
    """Stops a chunked body at the limit; Werkzeug then answers 413 for the oversize read."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit + 1:
                message = {"type": "http.request", "body": b"", "more_body": False}
        return message

    return wrapped
