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
_ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
_ALLOWED_HEADERS = "Authorization, Content-Type"
# asgiref's WSGI environ builder raises (a 500) past 100 fields of one name.
_MAX_REPEATED_HEADER = 100


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


# Built once: every API answer carries them. Tokens and private rooms' history: no shared
# or browser cache keeps them.
_API_HEADERS = [*security_headers(API_CSP), (b"cache-control", b"no-store")]
_DOCS_HEADERS = security_headers(DOCS_CSP)


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
        refusal: tuple[int, str, str] | None = None
        too_large = (413, "too_large", f"request body must be at most {limit} bytes")
        if _most_repeated_header(scope) > _MAX_REPEATED_HEADER:
            refusal = (431, "too_large", "too many repeated header fields")
        elif length is None:
            body = await _read_body(receive, limit)
            if body is None:
                refusal = too_large
            else:
                receive = _replay(body, receive)
        elif not length.isdigit():
            refusal = (400, "invalid", "malformed Content-Length")
        elif int(length) > limit:
            refusal = too_large
        if refusal is not None:
            status, code, message = refusal
            if status == 413:
                await _drain(receive, 16 * limit)
            await send_json(
                send, status, {"message": message, "code": code}, [(b"connection", b"close")]
            )
            return
        docs = scope.get("path", "").startswith(("/api/docs", "/api/swaggerui"))
        extra = _DOCS_HEADERS if docs else _API_HEADERS
        await self.app(scope, receive, with_headers(send, [*cors, *extra] if cors else extra))


def _most_repeated_header(scope: Scope) -> int:
    if len(scope.get("headers", ())) <= _MAX_REPEATED_HEADER:
        return 0  # too few to repeat one past the limit: not worth counting
    counts: dict[bytes, int] = {}
    for key, _ in scope.get("headers", []):
        counts[key] = counts.get(key, 0) + 1
    return max(counts.values(), default=0)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body of a request without Content-Length (chunked), or None past the limit.

    The bridge buffers every body before Flask runs, so reading it here costs nothing more;
    Werkzeug itself would silently truncate a chunked body at MAX_CONTENT_LENGTH."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b""  # the client went away; nothing will be answered
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _drain(receive: Receive, cap: int) -> None:
    """Reads and drops what the client is still sending (up to `cap` bytes), so that closing
    the connection does not reset it before the client has read the 413."""
    size = 0
    while size <= cap:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return
        size += len(message.get("body", b""))


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return wrapped
