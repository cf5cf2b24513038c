"""Socket.IO room names: one per chat room, one per user, one per token."""

from __future__ import annotations


def room_channel(room_id: int) -> str:
    return f"room:{room_id}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def token_channel(jti: str) -> str:
    return f"token:{jti}"
