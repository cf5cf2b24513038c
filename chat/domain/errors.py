"""The contract's error codes, each with the HTTP status REST answers it with."""

from __future__ import annotations


class ChatError(Exception):
    code = "invalid"
    status = 400
    default_message = "invalid request"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        self.message = message or self.default_message
        self.retry_after = retry_after
        super().__init__(self.message)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidInput(ChatError):
    code = "invalid"
    status = 400
    default_message = "invalid request"


class Unauthorized(ChatError):
    code = "unauthorized"
    status = 401
    default_message = "unauthorized"


class Forbidden(ChatError):
    code = "forbidden"
    status = 403
    default_message = "forbidden"


class NotFound(ChatError):
    code = "not_found"
    status = 404
    default_message = "not found"


class Conflict(ChatError):
    code = "conflict"
    status = 409
    default_message = "conflict"


class TooLarge(ChatError):
    code = "too_large"
    status = 413
    default_message = "too large"


class RateLimited(ChatError):
    code = "rate_limited"
    status = 429
    default_message = "too many requests"


class Unavailable(ChatError):
    code = "unavailable"
    status = 503
    default_message = "service unavailable, try again"


# Every code either edge answers, written once. The socket contract names seven; REST adds
# `conflict` and the HTTP-level failures Werkzeug raises before any of our code runs.
SOCKET_CODES = frozenset(
    error.code
    for error in (
        InvalidInput,
        Unauthorized,
        Forbidden,
        NotFound,
        RateLimited,
        TooLarge,
        Unavailable,
    )
)
HTTP_CODES: dict[int, str] = {
    **{error.status: error.code for error in ChatError.__subclasses__()},
    405: "method_not_allowed",
    406: "not_acceptable",
    411: "length_required",
    414: "too_large",
    415: "unsupported_media_type",
    431: "too_large",
}
REST_CODES = tuple(dict.fromkeys(HTTP_CODES.values()))
