"""python-socketio's Packet with a faster binary check.

Every packet built (each ack, each broadcast) asks whether its data holds bytes, to choose a
binary packet type; python-socketio's check walks all of the data recursively and builds a
list and a reduce at every level - measured at ~40 µs per `send` (ack and broadcast of one
message). This one walks the same data iteratively and stops at the first bytes: the same
answer, several times faster. Installed as the server's `serializer`.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

_SCALARS = (str, int, float, bool, type(None))


class ChatPacket(packet.Packet):  # type: ignore[misc]
    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, _SCALARS):
                continue
            if isinstance(item, dict):
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, (bytes, bytearray)):
                return True
        return False
