"""Full-text search on message bodies.

Both backends index words as runs of letters and digits, lower-cased, accents kept: every
other character separates words (so `ada.lovelace` and `snake_case` are two words each, as
the query's own words are split in domain/search.py).

PostgreSQL: a GIN index on to_tsvector('simple', <body with non-alphanumerics as spaces>):
the `simple` configuration has no stemming and no stop words, so names and code words match
as written; the replacement keeps PostgreSQL's parser from reading `a.b` or `x@y.z` as one
host or e-mail token. Deleted messages have an empty body, so they hold no entries.
SQLite: an FTS5 table with `messages` as its external content, kept in step by triggers;
a later SQLite batch migration that rebuilds `messages` must create these triggers again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE messages_search USING fts5("
    "body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_search(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_search(messages_search, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages BEGIN "
    "INSERT INTO messages_search(messages_search, rowid, body) "
    "VALUES ('delete', old.id, old.body); "
    "INSERT INTO messages_search(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO messages_search(messages_search) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS messages_search_update",
    "DROP TRIGGER IF EXISTS messages_search_delete",
    "DROP TRIGGER IF EXISTS messages_search_insert",
    "DROP TABLE IF EXISTS messages_search",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
    else:
        op.execute(
            "CREATE INDEX ix_messages_body_search ON messages "
            "USING gin (to_tsvector('simple'::regconfig, "
            "regexp_replace(body, '[^[:alnum:]]+'::text, ' '::text, 'g'::text)))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_body_search")
