"""Rooms and memberships."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from chat.domain.errors import Conflict
from chat.domain.models import Membership, Room, RoomView, User
from chat.storage.database import Connection, Database
from chat.storage.tables import memberships, rooms, users

OWNER, MEMBER = "owner", "member"

_room_columns = (
    rooms.c.id,
    rooms.c.name,
    rooms.c.private,
    rooms.c.owner_id,
    users.c.username.label("owner_username"),
    rooms.c.created_at,
    rooms.c.last_seq,
)


def _room(row: Any) -> Room:
    return Room(
        id=row.id,
        name=row.name,
        private=row.private,
        owner=User(id=row.owner_id, username=row.owner_username),
        created_at=row.created_at,
        last_seq=row.last_seq,
    )


async def create_room(db: Database, name: str, private: bool, owner: User) -> Room:
    now = datetime.now(UTC)
    try:
        async with db.transaction() as conn:
            room_id = (
                await conn.execute(
                    insert(rooms)
                    .values(
                        name=name,
                        name_key=name.casefold(),
                        private=private,
                        owner_id=owner.id,
                        created_at=now,
                        last_seq=0,
                    )
                    .returning(rooms.c.id)
                )
            ).scalar_one()
            await conn.execute(
                insert(memberships).values(
                    room_id=room_id, user_id=owner.id, role=OWNER, last_read_seq=0, joined_at=now
                )
            )
    except IntegrityError:
        raise Conflict("room name is taken") from None
    return Room(id=room_id, name=name, private=private, owner=owner, created_at=now, last_seq=0)


async def get_room(db: Database, room_id: int) -> Room | None:
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                select(*_room_columns)
                .join(users, users.c.id == rooms.c.owner_id)
                .where(rooms.c.id == room_id)
            )
        ).first()
    return None if row is None else _room(row)


async def list_visible_rooms(db: Database, user_id: int) -> list[RoomView]:
    """Every public room and the private rooms the user belongs to, with unread counts."""
    mine = memberships.alias("mine")
    query = (
        select(*_room_columns, mine.c.last_read_seq, mine.c.user_id.label("member_id"))
        .join(users, users.c.id == rooms.c.owner_id)
        .outerjoin(mine, and_(mine.c.room_id == rooms.c.id, mine.c.user_id == user_id))
        .where(or_(rooms.c.private.is_(False), mine.c.user_id.is_not(None)))
        .order_by(rooms.c.id)
    )
    async with db.transaction() as conn:
        result = await conn.execute(query)
        views = []
        for row in result:
            member = row.member_id is not None
            unread = max(row.last_seq - row.last_read_seq, 0) if member else None
            views.append(RoomView(room=_room(row), member=member, unread=unread))
    return views


async def get_membership(db: Database, room_id: int, user_id: int) -> Membership | None:
    async with db.transaction() as conn:
        return await membership_in(conn, room_id, user_id)


async def membership_in(conn: Connection, room_id: int, user_id: int) -> Membership | None:
    row = (
        await conn.execute(
            select(memberships.c.role, memberships.c.last_read_seq).where(
                memberships.c.room_id == room_id, memberships.c.user_id == user_id
            )
        )
    ).first()
    if row is None:
        return None
    return Membership(
        room_id=room_id, user_id=user_id, role=row.role, last_read_seq=row.last_read_seq
    )


async def add_member(db: Database, room_id: int, user_id: int) -> bool:
    """Adds the membership; False when it already existed."""
    try:
        async with db.transaction() as conn:
            await conn.execute(
                insert(memberships).values(
                    room_id=room_id,
                    user_id=user_id,
                    role=MEMBER,
                    last_read_seq=0,
                    joined_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        return False
    return True


async def remove_member(db: Database, room_id: int, user_id: int) -> bool:
    async with db.transaction() as conn:
        result = await conn.execute(
            delete(memberships).where(
                memberships.c.room_id == room_id, memberships.c.user_id == user_id
            )
        )
    return result.rowcount > 0


async def remove_member_unless_owner(db: Database, room_id: int, user_id: int) -> str:
    """Removes the membership unless the user owns the room and others are still in it:
    "left", "owner" (refused: hand the room over first) or "not_member"."""
    others = memberships.alias("others")
    async with db.transaction() as conn:
        owner_id = (
            await conn.execute(select(rooms.c.owner_id).where(rooms.c.id == room_id))
        ).scalar_one_or_none()
        if owner_id == user_id:
            crowded = (
                await conn.execute(
                    select(others.c.user_id)
                    .where(others.c.room_id == room_id, others.c.user_id != user_id)
                    .limit(1)
                )
            ).first()
            if crowded is not None:
                return "owner"
        result = await conn.execute(
            delete(memberships).where(
                memberships.c.room_id == room_id, memberships.c.user_id == user_id
            )
        )
    return "left" if result.rowcount > 0 else "not_member"


async def hand_over(db: Database, room_id: int, owner_id: int, heir_id: int) -> str:
    """Makes `heir_id`, a member, the room's owner: "ok", "not_owner" or "not_member"."""
    async with db.transaction() as conn:
        heir = await membership_in(conn, room_id, heir_id)
        if heir is None:
            return "not_member"
        moved = await conn.execute(
            update(rooms)
            .where(rooms.c.id == room_id, rooms.c.owner_id == owner_id)
            .values(owner_id=heir_id)
        )
        if moved.rowcount == 0:
            return "not_owner"
        for user_id, role in ((owner_id, MEMBER), (heir_id, OWNER)):
            await conn.execute(
                update(memberships)
                .where(memberships.c.room_id == room_id, memberships.c.user_id == user_id)
                .values(role=role)
            )
    return "ok"


async def advance_read_marker(db: Database, room_id: int, user_id: int, seq: int) -> bool:
    """Moves the read marker forward only, never past the room's last seq."""
    async with db.transaction() as conn:
        last_seq = (
            await conn.execute(select(rooms.c.last_seq).where(rooms.c.id == room_id))
        ).scalar_one_or_none()
        if last_seq is None:
            return False
        result = await conn.execute(
            update(memberships)
            .where(
                memberships.c.room_id == room_id,
                memberships.c.user_id == user_id,
                memberships.c.last_read_seq < min(seq, last_seq),
            )
            .values(last_read_seq=min(seq, last_seq))
        )
    return result.rowcount > 0
