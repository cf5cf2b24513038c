"""Table definitions used to build queries. The schema itself comes only from migrations/."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(32), nullable=False),
    # Lower-cased username: uniqueness without regard to case, on every backend.
    Column("username_key", String(32), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False, unique=True),
    Column("private", Boolean, nullable=False, default=False),
    Column("owner_id", Id, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The room's highest seq: incremented in the transaction that inserts the message.
    Column("last_seq", BigInteger, nullable=False, default=0),
)

memberships = Table(
    "memberships",
    metadata,
    Column("room_id", Id, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("last_read_seq", BigInteger, nullable=False, default=0),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Index("ix_memberships_user_id", "user_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("room_id", Id, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", Id, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("body", Text, nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("edited_at", DateTime(timezone=True), nullable=True),
    Column("deleted", Boolean, nullable=False, default=False),
    # Keyset paging walks this index; it is also what makes seq unique per room.
    UniqueConstraint("room_id", "seq", name="uq_messages_room_seq"),
    UniqueConstraint("room_id", "sender_id", "client_id", name="uq_messages_room_sender_client"),
)

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_revoked_tokens_expires_at", "expires_at"),
)


def described_here(name: str | None, kind: str, _parents: object) -> bool:
    """Alembic's include_name: the full-text search objects (migration 0002) are written
    as SQL by hand, not described above, so comparing the schema with these tables skips
    them: SQLite's FTS5 table with its shadow tables, PostgreSQL's expression index."""
    if kind == "table" and name is not None and name.startswith("messages_search"):
        return False
    return not (kind == "index" and name == "ix_messages_body_search")
