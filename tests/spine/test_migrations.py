"""The schema comes only from migrations: up, down to base, up again, on both backends,
and what they build matches the tables the storage code queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import migrations
from chat.storage import migrate
from chat.storage.database import Database, create_engine
from chat.storage.tables import described_here, metadata
from tests.support.backends import backend_name, create_extra_database, drop_database, pg_url

_scripts = Config()
_scripts.set_main_option("script_location", str(Path(migrations.__file__).parent))
HEAD = ScriptDirectory.from_config(_scripts).get_current_head()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if backend_name() == "postgres":
        name = create_extra_database()
        yield pg_url(name)
        drop_database(name)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_downgrade_upgrade_round_trip(database_url: str) -> None:
    db = Database(create_engine(database_url))
    try:
        await migrate.upgrade(db)
        assert await migrate.current(db) == HEAD
        assert {"users", "rooms", "memberships", "messages", "revoked_tokens"} <= await _tables(db)
        await migrate.downgrade(db, "base")
        assert await migrate.current(db) is None
        assert await _tables(db) <= {"alembic_version"}
        await migrate.upgrade(db)
        assert await migrate.current(db) == HEAD
    finally:
        await db.dispose()


async def test_migrated_schema_matches_the_tables_storage_queries(database_url: str) -> None:
    db = Database(create_engine(database_url))
    try:
        await migrate.upgrade(db)
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(
                        c, opts={"compare_type": True, "include_name": described_here}
                    ),
                    metadata,
                )
            )
        assert diff == []
    finally:
        await db.dispose()


async def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    db = Database(create_engine(database_url))
    try:
        await migrate.upgrade(db)
        await migrate.upgrade(db)
        assert await migrate.current(db) == HEAD
    finally:
        await db.dispose()
