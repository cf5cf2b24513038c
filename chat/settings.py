"""One frozen Settings object, built from the environment; the only reader of os.environ.

Each setting is declared once, below: attribute, default, variable and meaning (a Spec,
chat/setting_spec.py). The README's table and .env.example are generated from these by
scripts/settings_doc.py.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, get_type_hints

from chat.setting_spec import Reader, SettingsError, Spec, setting, spec_of
from chat.settings_limits import LimitSettings

__all__ = ["ENV_VARS", "REPO_ROOT", "Settings", "SettingsError", "Spec", "setting", "specs"]

log = logging.getLogger(__name__)

Role = Literal["all", "api", "socket"]
Environment = Literal["development", "test", "production"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings(LimitSettings):
    """Every setting, declared once: attribute, default, variable, meaning (Spec). What
    bounds a client's cost is declared in LimitSettings (chat/settings_limits.py)."""

    env: Environment = setting(
        "development",
        Spec(
            "CHAT_ENV",
            "`development`, `test` or `production` (production requires `SECRET_KEY`)",
            example="production",
        ),
    )
    secret_key: str = setting(
        "",
        Spec(
            "SECRET_KEY",
            "HS256 key that signs every JWT; 32+ characters",
            advice=(
                "Production refuses to start without it. Generate one with",
                'python -c "import secrets; print(secrets.token_urlsafe(48))"',
                "Rotating it logs every user out (all tokens become invalid).",
            ),
            shown="development: a key kept in `./var/dev-secret-key`",
        ),
        repr=False,
    )
    database_url: str = setting(
        "sqlite+aiosqlite:///./var/chat.db",
        Spec(
            "DATABASE_URL",
            "SQLAlchemy async URL, e.g. `postgresql+asyncpg://…`",
            advice=(
                "Compose builds it from POSTGRES_*; outside compose e.g.",
                "postgresql+asyncpg://chat:PASSWORD@127.0.0.1:5432/chat (a secret: it holds "
                "the password).",
            ),
            commented=True,
        ),
    )
    redis_url: str | None = setting(
        None,
        Spec(
            "REDIS_URL",
            "set: Redis pub/sub routed per room, shared presence, limits and logout deny-list",
            advice=("Compose points it at its redis service.",),
            shown="unset: in-process manager",
            example="redis://127.0.0.1:6379/0",
            commented=True,
        ),
    )
    redis_prefix: str = setting(
        "chat",
        Spec(
            "REDIS_PREFIX",
            "prefix of every Redis key and channel",
            advice=("Give each deployment sharing a Redis its own.",),
        ),
    )
    redis_cluster: bool = setting(
        False,
        Spec(
            "REDIS_CLUSTER",
            "REDIS_URL names a node of a Redis Cluster (7+): broadcasts use sharded pub/sub, "
            "one channel per room",
            advice=("Any node will do; the others are found from it.",),
        ),
    )
    redis_subscribe_timeout_seconds: float = setting(
        5.0,
        Spec(
            "REDIS_SUBSCRIBE_TIMEOUT_SECONDS",
            "how long a room join waits for Redis to confirm this process's subscription "
            "to the room, seconds",
            advice=("Past it the join goes on; broadcasts missed meanwhile are resumed by seq.",),
        ),
    )
    cors_origins: tuple[str, ...] = setting(
        (),
        Spec(
            "CORS_ORIGINS",
            "comma-separated allow-list of other origins, for REST and the socket handshake",
            shown="unset: only the server's own origin",
        ),
    )
    access_token_ttl_seconds: int = setting(
        3600,
        Spec(
            "ACCESS_TOKEN_TTL_SECONDS",
            "token lifetime; sockets are disconnected when their token expires",
        ),
    )
    max_http_buffer_size: int = setting(
        65536,
        Spec(
            "MAX_HTTP_BUFFER_SIZE",
            "largest Socket.IO packet, bytes; a bigger one closes the connection",
            minimum=1024,
        ),
    )
    ws_compression: bool = setting(
        False,
        Spec(
            "WS_COMPRESSION",
            "offer permessage-deflate on websockets (~49 KiB of zlib state per connection)",
            advice=(
                "Off, as in Node socket.io: browsers accept it whenever offered, and chat",
                "messages are a few hundred bytes.",
            ),
        ),
    )
    max_request_bytes: int = setting(
        65536, Spec("MAX_REQUEST_BYTES", "largest REST body, bytes", minimum=1024)
    )
    role: Role = setting(
        "all",
        Spec(
            "CHAT_ROLE",
            "what a process serves: `all`, `api` (only `/api`) or `socket` (only `/socket.io`)",
            advice=("/api/health and /api/ready are served in every role.",),
        ),
    )
    webclient_dir: Path = setting(
        REPO_ROOT / "webclient" / "dist",
        Spec(
            "WEBCLIENT_DIR",
            "the built web client served at `/`",
            advice=("The image sets /app/webclient.",),
            commented=True,
        ),
    )
    auto_migrate: bool = setting(
        True,
        Spec(
            "AUTO_MIGRATE",
            "upgrade the schema at startup, under a PostgreSQL advisory lock",
            advice=(
                "Compose sets false on replicas: its migrate service runs `chat db upgrade`",
                "once before any replica starts.",
            ),
            commented=True,
        ),
    )
    db_pool_size: int = setting(
        20,
        Spec(
            "DB_POOL_SIZE",
            "database connections per process (as many again may overflow under bursts)",
            advice=(
                "replicas x workers x (2 x this + DB_APPEND_POOL_SIZE) must stay below",
                "PostgreSQL's max_connections (100 by default).",
            ),
        ),
    )
    db_append_pool_size: int = setting(
        8,
        Spec(
            "DB_APPEND_POOL_SIZE",
            "PostgreSQL: asyncpg connections per process used directly: storing sent "
            "messages, history pages, room lists and room access checks",
            advice=("Count them with DB_POOL_SIZE against max_connections.",),
        ),
    )
    redis_pool_size: int = setting(
        50,
        Spec(
            "REDIS_POOL_SIZE",
            "Redis connections per process (presence, limits, denylist); callers wait for a "
            "free one",
            advice=(
                "The socket manager's publishes have a pool of this size too (and one",
                "pub/sub connection per Redis node). A burst of connects waits (up to 5 s)",
                'instead of failing with "Too many connections".',
            ),
        ),
    )
    bridge_threads: int = setting(
        32,
        Spec(
            "BRIDGE_THREADS",
            "threads running Flask requests",
            advice=("Keep it at or above DB_POOL_SIZE.",),
        ),
    )
    presence_ttl_seconds: int = setting(
        15,
        Spec(
            "PRESENCE_TTL_SECONDS",
            "how soon a dead process's users drop out of `online`",
            minimum=2,
        ),
    )
    live_gap_hold_seconds: float = setting(
        0.3,
        Spec(
            "LIVE_GAP_HOLD_SECONDS",
            "how long a live `message` that arrived ahead of a missing seq waits for it before "
            "the gap is read from the database",
        ),
    )
    live_poll_seconds: float = setting(
        2.0,
        Spec(
            "LIVE_POLL_SECONDS",
            "how often each process reads where its followed rooms stand (one query) to heal "
            "broadcasts lost between processes",
            advice=("A lost broadcast reaches its sockets within two periods.",),
        ),
    )
    live_buffer_messages: int = setting(
        200,
        Spec(
            "LIVE_BUFFER_MESSAGES",
            "recent messages kept per followed room, which serve `join since_seq` without "
            "the database",
            advice=(
                "Memory: this many messages for every room a process has sockets in.",
                "A join reaching back further reads the database.",
            ),
            minimum=1,
        ),
    )
    log_level: str = setting(
        "info", Spec("LOG_LEVEL", "`debug`, `info`, `warning` or `error`", lower=True)
    )
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (the reverse proxy):
    # the client address that login rate limits and logs see comes from there.
    forwarded_allow_ips: str = setting(
        "127.0.0.1",
        Spec(
            "FORWARDED_ALLOW_IPS",
            "reverse proxies whose `X-Forwarded-For` is trusted, so limits and logs see the "
            "real client",
            advice=(
                "Comma-separated addresses. Never * where anything but the proxy can reach the",
                "server: a client would name its own address and escape the per-address",
                "limits. Compose sets its nginx's fixed address (PROXY_ADDRESS).",
            ),
        ),
    )

    metrics_enabled: bool = setting(
        False, Spec("METRICS_ENABLED", "serve Prometheus metrics at `/metrics` (off: 404)")
    )
    metrics_token: str | None = setting(
        None,
        Spec(
            "METRICS_TOKEN",
            "set: `/metrics` only with `Authorization: Bearer <token>`",
            shown="unset",
            commented=True,
        ),
        repr=False,
    )

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
        reader = Reader(env)
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            values[f.name] = reader.read(spec_of(f), hints[f.name], f.default)
        return cls(**values)


def specs() -> list[tuple[Spec, object]]:
    """Every setting's Spec and default, for the generated docs: Settings' own in declaration
    order, then the limits (a dataclass lists its base class's fields first)."""
    limits = {f.name for f in fields(LimitSettings)}
    ordered = sorted(fields(Settings), key=lambda f: f.name in limits)
    return [(spec_of(f), f.default) for f in ordered]


# Every variable Settings reads; docker-compose and .env.example are checked against it.
ENV_VARS: tuple[str, ...] = tuple(spec.env for spec, _ in specs())
