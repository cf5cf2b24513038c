"""Rooms and memberships."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from chat.domain.errors import Conflict
from chat.domain.models import Membership, Room, RoomView, User
from chat.storage.database import Database
from chat.storage.tables import memberships, messages, rooms, users

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


async def room_and_membership(
    db: Database, room_id: int, user_id: int
) -> tuple[Room, Membership | None] | None:
    """The room and the user's membership of it, in one statement; None for no such room."""
    mine = memberships.alias("mine")
    query = (
        select(*_room_columns, mine.c.role, mine.c.last_read_seq)
        .join(users, users.c.id == rooms.c.owner_id)
        .outerjoin(mine, and_(mine.c.room_id == rooms.c.id, mine.c.user_id == user_id))
        .where(rooms.c.id == room_id)
    )
    async with db.transaction() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    membership = None
    if row.role is not None:
        membership = Membership(
            room_id=room_id, user_id=user_id, role=row.role, last_read_seq=row.last_read_seq
        )
    return _room(row), membership


async def list_visible_rooms(db: Database, user_id: int) -> list[RoomView]:
    """Every public room and the private rooms the user belongs to, in one statement, with
    members' unread counts: messages above the read marker that others sent (one's own,
    sent from another tab or device, are not unread). Counting walks the room's (room_id,
    seq) index from the marker up, so it costs what is unread, not what the room holds."""
    mine = memberships.alias("mine")
    unread = (
        select(func.count())
        .where(
            messages.c.room_id == rooms.c.id,
            messages.c.seq > mine.c.last_read_seq,
            messages.c.sender_id != user_id,
        )
        .scalar_subquery()
    )
    query = (
        select(
            *_room_columns,
            mine.c.user_id.label("member_id"),
            # Counted for members only: CASE runs the subquery only when it is taken.
            case((mine.c.user_id.is_not(None), unread)).label("unread"),
        )
        .join(users, users.c.id == rooms.c.owner_id)
        .outerjoin(mine, and_(mine.c.room_id == rooms.c.id, mine.c.user_id == user_id))
        .where(or_(rooms.c.private.is_(False), mine.c.user_id.is_not(None)))
        .order_by(rooms.c.id)
    )
    async with db.transaction() as conn:
        rows = (await conn.execute(query)).all()
    return [
        RoomView(
            room=_room(row),
            member=row.member_id is not None,
            unread=row.unread if row.member_id is not None else None,
        )
        for row in rows
    ]


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
