"""What bounds one client's cost, declared once like every setting (chat/settings.py's
Settings inherits these): per-user rate limits, sockets per user, login limits, and what
one connection may hold or take.

Every rate limit counts per user across all of the user's sockets and processes (in Redis
where REDIS_URL is set); docs/security.md, "Rate limits" and "Resource bounds"."""

from __future__ import annotations

from dataclasses import dataclass

from chat.setting_spec import Spec, setting


def per_second(default: float, prefix: str, what: str, per: str = "user") -> float:
    """A rate limit's refill (a token bucket): `{prefix}_RATE_PER_SECOND`."""
    return setting(
        default, Spec(f"{prefix}_RATE_PER_SECOND", f"{what} per {per}: refill per second")
    )


def burst(default: int, prefix: str, what: str, per: str = "user") -> int:
    """A rate limit's burst (the bucket's size): `{prefix}_RATE_BURST`."""
    return setting(default, Spec(f"{prefix}_RATE_BURST", f"{what} per {per}: burst"))


@dataclass(frozen=True)
class LimitSettings:
    send_rate_per_second: float = per_second(10.0, "SEND", "`send` (socket and REST)")
    send_rate_burst: int = burst(20, "SEND", "`send` (socket and REST)")
    typing_rate_per_second: float = per_second(2.0, "TYPING", "`typing`")
    typing_rate_burst: int = burst(5, "TYPING", "`typing`")
    edit_rate_per_second: float = per_second(5.0, "EDIT", "`edit`")
    edit_rate_burst: int = burst(20, "EDIT", "`edit`")
    delete_rate_per_second: float = per_second(5.0, "DELETE", "`delete`")
    delete_rate_burst: int = burst(20, "DELETE", "`delete`")
    join_rate_per_second: float = per_second(10.0, "JOIN", "`join`")
    join_rate_burst: int = burst(60, "JOIN", "`join`")
    leave_rate_per_second: float = per_second(10.0, "LEAVE", "`leave`")
    leave_rate_burst: int = burst(60, "LEAVE", "`leave`")
    read_rate_per_second: float = per_second(10.0, "READ", "`read`")
    read_rate_burst: int = burst(60, "READ", "`read`")
    room_create_rate_per_second: float = per_second(0.1, "ROOM_CREATE", "rooms created")
    room_create_rate_burst: int = burst(20, "ROOM_CREATE", "rooms created")
    register_rate_per_second: float = per_second(0.1, "REGISTER", "registrations", "address")
    register_rate_burst: int = burst(30, "REGISTER", "registrations", "address")
    max_sockets_per_user: int = setting(
        50,
        Spec(
            "MAX_SOCKETS_PER_USER",
            "sockets one user may hold open (all processes); more: `connect_error` `rate_limited`",
        ),
    )
    login_rate_per_user: int = setting(
        10,
        Spec(
            "LOGIN_RATE_PER_USER",
            "login attempts per username and client address in each window (a successful "
            "login clears them)",
        ),
    )
    login_rate_per_account: int = setting(
        100,
        Spec(
            "LOGIN_RATE_PER_ACCOUNT",
            "login attempts per username from all addresses in each window; past it only "
            "addresses that logged in as that user lately are let through",
        ),
    )
    login_rate_per_address: int = setting(
        100,
        Spec(
            "LOGIN_RATE_PER_ADDRESS",
            "login attempts per client address in each window",
            advice=("Raise it and the *_RATE_* limits for load tests from one address.",),
        ),
    )
    login_rate_window_seconds: int = setting(
        60, Spec("LOGIN_RATE_WINDOW_SECONDS", "the login limits' window, seconds")
    )
    socket_connect_attempts: int = setting(
        3,
        Spec(
            "SOCKET_CONNECT_ATTEMPTS",
            "refused namespace connects (bad token) one connection may make before it is closed",
        ),
    )
    socket_connect_timeout_seconds: int = setting(
        10,
        Spec(
            "SOCKET_CONNECT_TIMEOUT_SECONDS",
            "an Engine.IO session that has not connected to the namespace by then is closed",
        ),
    )
    http_keepalive_seconds: int = setting(
        5,
        Spec(
            "HTTP_KEEPALIVE_SECONDS",
            "an idle keep-alive HTTP connection is closed after this (uvicorn "
            "`timeout_keep_alive`)",
        ),
    )
    max_connections: int = setting(
        10000,
        Spec(
            "MAX_CONNECTIONS",
            "connections plus HTTP requests in progress per process; past it HTTP requests "
            "get 503 (uvicorn `limit_concurrency`)",
            minimum=10,
        ),
    )
    socket_max_buffered_bytes: int = setting(
        512 * 1024,
        Spec(
            "SOCKET_MAX_BUFFERED_BYTES",
            "what one socket may hold for a client that does not read (queued packets, acks "
            "included, and its transport's buffer) before it is closed",
            minimum=65536,
        ),
    )
    join_page_max_bytes: int = setting(
        256 * 1024,
        Spec(
            "JOIN_PAGE_MAX_BYTES",
            "the largest `join` ack page of messages, as JSON (at least one message; "
            "`has_more` sends the client to REST history)",
            minimum=1024,
        ),
    )
    socket_event_concurrency: int = setting(
        4, Spec("SOCKET_EVENT_CONCURRENCY", "events of one socket handled at once")
    )
    socket_event_backlog: int = setting(
        64,
        Spec(
            "SOCKET_EVENT_BACKLOG",
            "events of one socket in all (running or waiting); past it an event is answered "
            "`rate_limited`",
        ),
    )
