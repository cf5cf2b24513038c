"""The `join` ack's page of messages, cut to a size in bytes.

`join` answers up to 200 messages; 200 messages of 4,000 emoji each (every one escaped to
12 bytes of JSON) made a 29-byte request answer ~9.6 MB. The page is cut to
JOIN_PAGE_MAX_BYTES of JSON as it goes on the wire, keeping at least one message, and
`has_more` then tells the client to page through REST history.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from chat.domain.models import Message

Encoded = dict[str, Any]


def wire_bytes(item: Encoded) -> int:
    """Its size in the packet: python-socketio's JSON (ASCII, compact), plus a comma."""
    return len(json.dumps(item, separators=(",", ":"))) + 1


def fit(messages: Sequence[Message], max_bytes: int, *, newest: bool) -> tuple[list[Encoded], bool]:
    """The longest run from one end (the newest end when `newest`, else the oldest) whose
    encoding fits max_bytes, in ascending seq, at least one message; and whether any was
    left out. Only the messages kept (and the first one left out) are measured."""
    return fit_encoded([m.as_dict() for m in messages], max_bytes, newest=newest)


def fit_encoded(
    items: Sequence[Encoded], max_bytes: int, *, newest: bool
) -> tuple[list[Encoded], bool]:
    """fit(), for messages already encoded."""
    order = reversed(items) if newest else iter(items)
    kept: list[Encoded] = []
    total = 0
    for item in order:
        total += wire_bytes(item)
        if kept and total > max_bytes:
            break
        kept.append(item)
    if newest:
        kept.reverse()
    return kept, len(kept) < len(items)
