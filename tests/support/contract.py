"""Shapes docs/protocol.md fixes, for tests of every surface to check against."""

from __future__ import annotations

# "A message is {id, room_id, seq, sender: {id, username}, body, client_id, created_at,
# edited_at, deleted}".
MESSAGE_KEYS = frozenset(
    {
        "id",
        "room_id",
        "seq",
        "sender",
        "body",
        "client_id",
        "created_at",
        "edited_at",
        "deleted",
    }
)
