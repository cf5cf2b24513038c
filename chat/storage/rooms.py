"""Rooms and memberships."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from chat.domain.errors import Conflict
from chat.domain.models import Membership, Room, RoomView, User
from chat.storage.database import Database, Query
from chat.storage.tables import Id, memberships, messages, rooms, users

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


def _room_at(row: Any) -> Room:
    """_room_columns at the start of a row, by position."""
    return Room(
        id=row[0],
        name=row[1],
        private=row[2],
        owner=User(id=row[3], username=row[4]),
        created_at=row[5],
        last_seq=row[6],
    )


def _queries() -> tuple[Query, Query]:
    """(A room with the user's membership; the rooms a user sees, with unread counts.)"""
    user = bindparam("p_user", type_=Id)
    mine = memberships.alias("mine")
    with_membership = and_(mine.c.room_id == rooms.c.id, mine.c.user_id == user)
    access = (
        select(*_room_columns, mine.c.role, mine.c.last_read_seq)
        .join(users, users.c.id == rooms.c.owner_id)
        .outerjoin(mine, with_membership)
        .where(rooms.c.id == bindparam("p_room", type_=Id))
    )
    unread = (
        select(func.count())
        .where(
            messages.c.room_id == rooms.c.id,
            messages.c.seq > mine.c.last_read_seq,
            messages.c.sender_id != user,
        )
        .scalar_subquery()
    )
    listing = (
        select(
            *_room_columns,
            mine.c.user_id.label("member_id"),
            # Counted for members only: CASE runs the subquery only when it is taken.
            case((mine.c.user_id.is_not(None), unread)).label("unread"),
        )
        .join(users, users.c.id == rooms.c.owner_id)
        .outerjoin(mine, with_membership)
        .where(or_(rooms.c.private.is_(False), mine.c.user_id.is_not(None)))
        .order_by(rooms.c.id)
    )
    return Query(access), Query(listing)


_ACCESS, _LISTING = _queries()


async def room_and_membership(
    db: Database, room_id: int, user_id: int
) -> tuple[Room, Membership | None] | None:
    """The room and the user's membership of it, in one statement; None for no such room."""
    found = await db.rows(_ACCESS, {"p_room": room_id, "p_user": user_id})
    if not found:
        return None
    row = found[0]
    membership = None
    if row[7] is not None:
        membership = Membership(room_id=room_id, user_id=user_id, role=row[7], last_read_seq=row[8])
    return _room_at(row), membership


async def list_visible_rooms(db: Database, user_id: int) -> list[RoomView]:
    """Every public room and the private rooms the user belongs to, in one statement, with
    members' unread counts: messages above the read marker that others sent (one's own,
    sent from another tab or device, are not unread). Counting walks the room's (room_id,
    seq) index from the marker up, so it costs what is unread, not what the room holds."""
    found = await db.rows(_LISTING, {"p_user": user_id})
    return [
        RoomView(
            room=_room_at(row),
            member=row[7] is not None,
            unread=row[8] if row[7] is not None else None,
        )
        for row in found
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
        heir = (
            await conn.execute(
                select(memberships.c.user_id).where(
                    memberships.c.room_id == room_id, memberships.c.user_id == heir_id
                )
            )
        ).first()
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
