"""Users and their password hashes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from chat.domain.errors import Conflict
from chat.domain.models import Credentials, User
from chat.storage.database import Database
from chat.storage.tables import users


async def create_user(db: Database, username: str, password_hash: str) -> User:
    try:
        async with db.transaction() as conn:
            result = await conn.execute(
                insert(users)
                .values(
                    username=username,
                    username_key=username.lower(),
                    password_hash=password_hash,
                    created_at=datetime.now(UTC),
                )
                .returning(users.c.id)
            )
            return User(id=result.scalar_one(), username=username)
    except IntegrityError:
        raise Conflict("username is taken") from None


async def find_credentials(db: Database, username: str) -> Credentials | None:
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                select(users.c.id, users.c.username, users.c.password_hash).where(
                    users.c.username_key == username.lower()
                )
            )
        ).first()
    if row is None:
        return None
    return Credentials(user=User(id=row.id, username=row.username), password_hash=row.password_hash)


async def get_user(db: Database, user_id: int) -> User | None:
    async with db.transaction() as conn:
        row = (
            await conn.execute(select(users.c.id, users.c.username).where(users.c.id == user_id))
        ).first()
    return None if row is None else User(id=row.id, username=row.username)


async def find_user(db: Database, username: str) -> User | None:
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                select(users.c.id, users.c.username).where(users.c.username_key == username.lower())
            )
        ).first()
    return None if row is None else User(id=row.id, username=row.username)


async def set_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )
