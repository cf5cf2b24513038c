"""One frozen Settings object, built from the environment; the only reader of os.environ."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

Role = Literal["all", "api", "socket"]
Environment = Literal["development", "test", "production"]

REPO_ROOT = Path(__file__).resolve().parent.parent

# Every variable Settings reads; docker-compose and .env.example are checked against it.
ENV_VARS: tuple[str, ...] = (
    "CHAT_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_PREFIX",
    "CORS_ORIGINS",
    "ACCESS_TOKEN_TTL_SECONDS",
    "MAX_HTTP_BUFFER_SIZE",
    "MAX_REQUEST_BYTES",
    "WS_COMPRESSION",
    "SEND_RATE_PER_SECOND",
    "SEND_RATE_BURST",
    "TYPING_RATE_PER_SECOND",
    "TYPING_RATE_BURST",
    "EDIT_RATE_PER_SECOND",
    "EDIT_RATE_BURST",
    "DELETE_RATE_PER_SECOND",
    "DELETE_RATE_BURST",
    "JOIN_RATE_PER_SECOND",
    "JOIN_RATE_BURST",
    "LEAVE_RATE_PER_SECOND",
    "LEAVE_RATE_BURST",
    "READ_RATE_PER_SECOND",
    "READ_RATE_BURST",
    "ROOM_CREATE_RATE_PER_SECOND",
    "ROOM_CREATE_RATE_BURST",
    "REGISTER_RATE_PER_SECOND",
    "REGISTER_RATE_BURST",
    "MAX_SOCKETS_PER_USER",
    "LOGIN_RATE_PER_USER",
    "LOGIN_RATE_PER_ACCOUNT",
    "LOGIN_RATE_PER_ADDRESS",
    "LOGIN_RATE_WINDOW_SECONDS",
    "CHAT_ROLE",
    "WEBCLIENT_DIR",
    "AUTO_MIGRATE",
    "DB_POOL_SIZE",
    "DB_APPEND_POOL_SIZE",
    "REDIS_POOL_SIZE",
    "BRIDGE_THREADS",
    "PRESENCE_TTL_SECONDS",
    "LOG_LEVEL",
    "FORWARDED_ALLOW_IPS",
    "METRICS_ENABLED",
    "METRICS_TOKEN",
)


class SettingsError(ValueError):
    """A variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    env: Environment = "development"
    secret_key: str = field(default="", repr=False)
    database_url: str = "sqlite+aiosqlite:///./var/chat.db"
    redis_url: str | None = None
    redis_prefix: str = "chat"
    cors_origins: tuple[str, ...] = ()
    access_token_ttl_seconds: int = 3600
    max_http_buffer_size: int = 65536
    # permessage-deflate on websockets: ~49 KiB of zlib state per browser connection.
    ws_compression: bool = False
    max_request_bytes: int = 65536
    send_rate_per_second: float = 10.0
    send_rate_burst: int = 20
    typing_rate_per_second: float = 2.0
    typing_rate_burst: int = 5
    # Every limit below counts per user across all of the user's sockets and processes
    # (registration: per client address); chat/services/limits.py names the actions.
    edit_rate_per_second: float = 5.0
    edit_rate_burst: int = 20
    delete_rate_per_second: float = 5.0
    delete_rate_burst: int = 20
    join_rate_per_second: float = 10.0
    join_rate_burst: int = 60
    leave_rate_per_second: float = 10.0
    leave_rate_burst: int = 60
    read_rate_per_second: float = 10.0
    read_rate_burst: int = 60
    room_create_rate_per_second: float = 0.1
    room_create_rate_burst: int = 20
    register_rate_per_second: float = 0.1
    register_rate_burst: int = 30
    max_sockets_per_user: int = 50
    # Login attempts per (username, client address); a successful login clears them.
    login_rate_per_user: int = 10
    # Attempts per username from every address together; past it, only addresses that
    # logged in as that user before still get their own per-address allowance.
    login_rate_per_account: int = 100
    login_rate_per_address: int = 100
    login_rate_window_seconds: int = 60
    role: Role = "all"
    webclient_dir: Path = REPO_ROOT / "webclient" / "dist"
    auto_migrate: bool = True
    db_pool_size: int = 20
    db_append_pool_size: int = 8
    redis_pool_size: int = 50
    bridge_threads: int = 32
    presence_ttl_seconds: int = 15
    log_level: str = "info"
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (the reverse proxy):
    # the client address that login rate limits and logs see comes from there.
    forwarded_allow_ips: str = "127.0.0.1"
    # /metrics: off unless enabled; with a token, only `Authorization: Bearer <token>`.
    metrics_enabled: bool = False
    metrics_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.secret_key:
            if self.env == "production":
                raise SettingsError("SECRET_KEY is required when CHAT_ENV=production")
            object.__setattr__(self, "secret_key", secrets.token_urlsafe(48))
            log.warning(
                "SECRET_KEY is not set: using a random key, so tokens die with this "
                "process and processes cannot share them. Set SECRET_KEY."
            )
        if self.env == "production" and len(self.secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters in production")
        url = self.database_url.lower()
        if url.startswith("sqlite") and (url.endswith(":memory:") or url.rstrip("/").endswith(":")):
            # The SQLite write lane opens a connection of its own: it would see another,
            # empty database.
            raise SettingsError("DATABASE_URL must name a SQLite database file, not :memory:")

    def origin_allowed(self, origin: str, own_origin: str) -> bool:
        """CORS_ORIGINS is the allow-list; unset, only the server's own origin passes."""
        origin = origin.rstrip("/")
        return origin == own_origin or origin in self.cors_origins

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        reader = _Reader(env)
        chat_env = reader.choice("CHAT_ENV", ("development", "test", "production"), "development")
        role = reader.choice("CHAT_ROLE", ("all", "api", "socket"), "all")
        return cls(
            env=chat_env,  # type: ignore[arg-type]
            secret_key=reader.text("SECRET_KEY", ""),
            database_url=reader.text("DATABASE_URL", cls.database_url),
            redis_url=reader.text("REDIS_URL", "") or None,
            redis_prefix=reader.text("REDIS_PREFIX", cls.redis_prefix),
            cors_origins=reader.csv("CORS_ORIGINS"),
            access_token_ttl_seconds=reader.integer("ACCESS_TOKEN_TTL_SECONDS", 3600, minimum=1),
            max_http_buffer_size=reader.integer("MAX_HTTP_BUFFER_SIZE", 65536, minimum=1024),
            ws_compression=reader.boolean("WS_COMPRESSION", False),
            max_request_bytes=reader.integer("MAX_REQUEST_BYTES", 65536, minimum=1024),
            send_rate_per_second=reader.number("SEND_RATE_PER_SECOND", 10.0),
            send_rate_burst=reader.integer("SEND_RATE_BURST", 20, minimum=1),
            typing_rate_per_second=reader.number("TYPING_RATE_PER_SECOND", 2.0),
            typing_rate_burst=reader.integer("TYPING_RATE_BURST", 5, minimum=1),
            edit_rate_per_second=reader.number("EDIT_RATE_PER_SECOND", 5.0),
            edit_rate_burst=reader.integer("EDIT_RATE_BURST", 20, minimum=1),
            delete_rate_per_second=reader.number("DELETE_RATE_PER_SECOND", 5.0),
            delete_rate_burst=reader.integer("DELETE_RATE_BURST", 20, minimum=1),
            join_rate_per_second=reader.number("JOIN_RATE_PER_SECOND", 10.0),
            join_rate_burst=reader.integer("JOIN_RATE_BURST", 60, minimum=1),
            leave_rate_per_second=reader.number("LEAVE_RATE_PER_SECOND", 10.0),
            leave_rate_burst=reader.integer("LEAVE_RATE_BURST", 60, minimum=1),
            read_rate_per_second=reader.number("READ_RATE_PER_SECOND", 10.0),
            read_rate_burst=reader.integer("READ_RATE_BURST", 60, minimum=1),
            room_create_rate_per_second=reader.number("ROOM_CREATE_RATE_PER_SECOND", 0.1),
            room_create_rate_burst=reader.integer("ROOM_CREATE_RATE_BURST", 20, minimum=1),
            register_rate_per_second=reader.number("REGISTER_RATE_PER_SECOND", 0.1),
            register_rate_burst=reader.integer("REGISTER_RATE_BURST", 30, minimum=1),
            max_sockets_per_user=reader.integer("MAX_SOCKETS_PER_USER", 50, minimum=1),
            login_rate_per_user=reader.integer("LOGIN_RATE_PER_USER", 10, minimum=1),
            login_rate_per_account=reader.integer("LOGIN_RATE_PER_ACCOUNT", 100, minimum=1),
            login_rate_per_address=reader.integer("LOGIN_RATE_PER_ADDRESS", 100, minimum=1),
            login_rate_window_seconds=reader.integer("LOGIN_RATE_WINDOW_SECONDS", 60, minimum=1),
            role=role,  # type: ignore[arg-type]
            webclient_dir=Path(reader.text("WEBCLIENT_DIR", str(cls.webclient_dir))),
            auto_migrate=reader.boolean("AUTO_MIGRATE", True),
            db_pool_size=reader.integer("DB_POOL_SIZE", 20, minimum=1),
            db_append_pool_size=reader.integer("DB_APPEND_POOL_SIZE", 8, minimum=1),
            redis_pool_size=reader.integer("REDIS_POOL_SIZE", 50, minimum=1),
            bridge_threads=reader.integer("BRIDGE_THREADS", 32, minimum=1),
            presence_ttl_seconds=reader.integer("PRESENCE_TTL_SECONDS", 15, minimum=2),
            log_level=reader.text("LOG_LEVEL", "info").lower(),
            forwarded_allow_ips=reader.text("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            metrics_enabled=reader.boolean("METRICS_ENABLED", False),
            metrics_token=reader.text("METRICS_TOKEN", "") or None,
        )


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str, default: str) -> str:
        value = self._env.get(name)
        return default if value is None or value.strip() == "" else value.strip()

    def csv(self, name: str) -> tuple[str, ...]:
        raw = self._env.get(name, "")
        return tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        raw = self.text(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, default: float) -> float:
        raw = self.text(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
        if not value > 0:
            raise SettingsError(f"{name} must be positive, got {raw!r}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.text(name, "true" if default else "false").lower()
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be true or false, got {raw!r}")

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(name, default).lower()
        if value not in options:
            raise SettingsError(f"{name} must be one of {', '.join(options)}, got {value!r}")
        return value
