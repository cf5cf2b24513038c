"""One packet to one socket (an ack, a CONNECT reply, an emit to a sid): its own small
path, apart from the broadcast code. Bounded like a broadcast copy (transport.Backlog), and
written straight to an idle websocket's transport instead of engineio's queue and writer
task (an ack is on every event's round trip)."""

from __future__ import annotations

from typing import Any

from chat.realtime.engine.transport import (
    Backlog,
    lent_transport,
    message_frame,
    writable_transport,
)


async def send_one(eio: Any, eio_sid: str, encoded: str, backlog: Backlog) -> None:
    socket = eio.sockets.get(eio_sid)
    if socket is None or socket.closed:
        return
    transport = lent_transport(socket)
    if transport is not None and transport.is_closing():
        return
    if backlog.over(socket, transport):
        closing = backlog.close_slow(eio_sid, socket, transport)
        if closing is not None:
            await closing
        return
    direct = writable_transport(socket)
    if direct is not None:
        direct.write(message_frame(encoded))
    else:
        await eio.send(eio_sid, encoded)
