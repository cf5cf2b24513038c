"""ChatPacket's faster binary check answers exactly as python-socketio's own, on the shapes
a server sends and on bytes hidden at any depth."""

from __future__ import annotations

from typing import Any

import pytest
from socketio.packet import Packet

from chat.realtime.engine.packets import ChatPacket

SHAPES: list[Any] = [
    None,
    0,
    1.5,
    True,
    "text",
    b"bytes",
    bytearray(b"x"),
    [],
    {},
    ["message", {"id": 1, "sender": {"id": 2, "username": "u"}, "edited_at": None}],
    [{"ok": True, "message": {"body": "hi"}}],
    [1, [2, [3, [4, b"deep"]]]],
    {"a": {"b": {"c": [None, bytearray(b"deep")]}}},
    [("tuple", b"not walked")],  # python-socketio does not look inside tuples either
]


@pytest.mark.parametrize("data", SHAPES, ids=repr)
def test_binary_check_matches_python_socketio(data: Any) -> None:
    assert ChatPacket.data_is_binary(data) is Packet.data_is_binary(data)


def test_binary_data_still_makes_a_binary_packet() -> None:
    packet = ChatPacket(2, data=["file", {"blob": b"\x00\x01"}])
    assert packet.packet_type == 5  # BINARY_EVENT
    encoded = packet.encode()
    assert encoded[1:] == [b"\x00\x01"]
