"""Runs Alembic from inside the process: upgrade at startup, and the `chat db` commands."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection as SyncConnection

import migrations
from chat.storage.database import Database

# Any constant will do; every process that migrates takes the same one (concurrent
# migrations of a fresh database otherwise collide on pg_type_typname_nsp_index).
_ADVISORY_LOCK_ID = 7_237_001


def _config(connection: SyncConnection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.attributes["connection"] = connection
    return cfg


async def _with_lock(db: Database, action: str, revision: str) -> None:
    async with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Transaction-scoped: released by the commit below, or if this process dies.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})

        def run(sync_conn: SyncConnection) -> None:
            cfg = _config(sync_conn)
            if action == "upgrade":
                command.upgrade(cfg, revision)
            else:
                command.downgrade(cfg, revision)

        await conn.run_sync(run)
        await conn.commit()


async def upgrade(db: Database, revision: str = "head") -> None:
    await _with_lock(db, "upgrade", revision)


async def downgrade(db: Database, revision: str) -> None:
    await _with_lock(db, "downgrade", revision)


async def current(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )
