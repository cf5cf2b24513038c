"""Engine.IO v4 / Socket.IO v5 text framing, websocket transport only.

Only what a load generator needs: the open packet, ping/pong, connect with auth,
events with and without an ack id, and acks. Binary packets and namespaces other
than the default one are not spoken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Engine.IO packet types (first character of a text frame).
EIO_OPEN = "0"
EIO_CLOSE = "1"
EIO_PING = "2"
EIO_PONG = "3"
EIO_MESSAGE = "4"

# Socket.IO packet types (second character, after EIO_MESSAGE).
SIO_CONNECT = "0"
SIO_DISCONNECT = "1"
SIO_EVENT = "2"
SIO_ACK = "3"
SIO_CONNECT_ERROR = "4"

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def socket_url(base: str) -> str:
    """The websocket URL of a server given as http(s)://host:port or ws(s)://..."""
    base = base.rstrip("/")
    if base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    elif base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    return base + "/socket.io/?EIO=4&transport=websocket"


def encode_connect(auth: dict[str, Any] | None) -> str:
    return "40" if auth is None else "40" + _dumps(auth)


def encode_event(event: str, data: Any, ack_id: int | None = None) -> str:
    head = "42" if ack_id is None else "42" + str(ack_id)
    return head + _dumps([event, data])


@dataclass(frozen=True, slots=True)
class Packet:
    """A decoded Socket.IO packet (Engine.IO type 4)."""

    kind: str  # one of the SIO_* constants
    ack_id: int | None
    data: Any


def decode_open(text: str) -> dict[str, Any]:
    """The handshake object of an Engine.IO open packet `0{...}`."""
    if not text.startswith(EIO_OPEN):
        raise ValueError(f"expected an Engine.IO open packet, got {text[:40]!r}")
    result: dict[str, Any] = json.loads(text[1:])
    return result


def decode_socketio(text: str) -> Packet:
    """Decode `4<type>[<ack id>][json]` (default namespace only)."""
    if len(text) < 2 or text[0] != EIO_MESSAGE:
        raise ValueError(f"not an Engine.IO message: {text[:40]!r}")
    kind = text[1]
    i = 2
    n = len(text)
    if i < n and text[i] == "/":
        # A namespace other than "/": skip "nsp," (not used by these servers).
        comma = text.find(",", i)
        i = n if comma < 0 else comma + 1
    start = i
    while i < n and text[i].isdigit():
        i += 1
    ack_id = int(text[start:i]) if i > start else None
    data = json.loads(text[i:]) if i < n else None
    return Packet(kind, ack_id, data)
