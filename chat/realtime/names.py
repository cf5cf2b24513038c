"""Socket.IO room names (one per chat room, one per user, one per token) and the names of
server events that are also orders to every process (see control.py)."""

from __future__ import annotations

ROOM_PREFIX = "room:"
USER_PREFIX = "user:"
# A room name, not a secret.
TOKEN_PREFIX = "token:"  # noqa: S105  # nosec B105

ROOM_LEFT = "room_left"
# Pushed membership (second edition of the contract).
ROOM_ADDED = "room_added"
ROOM_REMOVED = "room_removed"
ROOM_CREATED = "room_created"
SESSION_REVOKED = "session_revoked"


def room_channel(room_id: int) -> str:
    return f"{ROOM_PREFIX}{room_id}"


def user_channel(user_id: int) -> str:
    return f"{USER_PREFIX}{user_id}"


def token_channel(jti: str) -> str:
    return f"{TOKEN_PREFIX}{jti}"
