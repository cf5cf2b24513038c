"""The `chat` command: `chat serve` and `chat db upgrade|downgrade|current`."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from pathlib import Path

from chat.logs import configure_logging
from chat.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chat", description="ChatApp server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the ASGI app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--fd", type=int, default=None, help="serve on an inherited socket")
    db = commands.add_parser("db", help="schema migrations")
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?", default=None)
    args = parser.parse_args(argv)
    if args.command == "serve":
        _ensure_dev_secret()
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"chat: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers, args.fd)
    print(asyncio.run(_db(settings, args.action, args.revision)))
    return 0


def _ensure_dev_secret() -> None:
    """In development, a key kept under ./var survives restarts and is shared by --workers."""
    if os.environ.get("SECRET_KEY") or os.environ.get("CHAT_ENV", "development") != "development":
        return
    path = Path("var") / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    os.environ["SECRET_KEY"] = path.read_text().strip()


def _serve(settings: Settings, host: str, port: int, workers: int, fd: int | None) -> int:
    import uvicorn

    if workers > 1 and settings.auto_migrate:
        # Migrate once here rather than racing N workers at it (SQLite has no advisory lock).
        asyncio.run(_db(settings, "upgrade", None))
        os.environ["AUTO_MIGRATE"] = "false"

    uvicorn.run(
        "chat.asgi:app",
        host=host,
        port=port,
        fd=fd,
        workers=workers if workers > 1 else None,
        lifespan="on",
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        ws_max_size=settings.max_http_buffer_size,
        ws_per_message_deflate=settings.ws_compression,
        timeout_graceful_shutdown=5,
        # Bounds on HTTP connections (docs/security.md, "Resource bounds"): idle keep-alive
        # time, and connections plus requests in progress per process (503 past it).
        # uvicorn bounds header size and time only with h11 (h11_max_incomplete_event_size);
        # httptools, which serves here, has neither: the reverse proxy bounds them.
        timeout_keep_alive=settings.http_keepalive_seconds,
        limit_concurrency=settings.max_connections,
    )
    return 0


async def _db(settings: Settings, action: str, revision: str | None) -> str:
    """Runs the action; returns the schema revision after it."""
    from chat.storage import migrate
    from chat.storage.database import Database, create_engine

    db = Database(create_engine(settings.database_url))
    try:
        if action == "upgrade":
            await migrate.upgrade(db, revision or "head")
        elif action == "downgrade":
            await migrate.downgrade(db, revision or "-1")
        return await migrate.current(db) or "(empty)"
    finally:
        await db.dispose()
