"""engineio's ASGI websocket wrapper, with two additions.

- It lends its engineio socket the connection's transport (uvicorn's protocol object is
  `asgi.send.__self__`), so packets can be written to it directly (transport.py).
- It refuses frames the contract has no use for before engineio decodes them (refused()):
  engineio then closes the session, and the writer closes the websocket.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from engineio.async_drivers.asgi import WebSocket as EngineioWebSocket

from chat.realtime.quiet_log import QuietLog

log = logging.getLogger(__name__)
frames_refused = QuietLog(log)

# CLOSE, PING (the upgrade probe), PONG, MESSAGE, UPGRADE, NOOP.
CLIENT_PACKET_TYPES = frozenset("123456")


class DirectWebSocket(EngineioWebSocket):  # type: ignore[misc]
    async def __call__(self, environ: dict[str, Any]) -> Any:
        socket = getattr(self.handler, "__self__", None)
        protocol = getattr(environ.get("asgi.send"), "__self__", None)
        transport = getattr(protocol, "transport", None)
        # Duck-typed: uvloop's TCPTransport is not an asyncio.WriteTransport subclass.
        if socket is not None and all(
            hasattr(transport, name) for name in ("write", "is_closing", "abort")
        ):
            socket.direct_transport = transport
        try:
            return await super().__call__(environ)
        finally:
            if socket is not None:
                socket.direct_transport = None

    async def wait(self) -> Any:
        """The next frame's data; OSError (engineio then closes the session) for a frame
        no Socket.IO v5 client sends."""
        event = await self.asgi_receive()
        if event["type"] != "websocket.receive":
            raise OSError
        text = event.get("text")
        socket = getattr(self.handler, "__self__", None)
        reason = refused(text, upgraded=bool(getattr(socket, "upgraded", False)))
        if reason is not None:
            frames_refused.warning(reason, "closing a websocket: %s", reason)
            raise OSError(reason)
        return text


def refused(text: str | None, *, upgraded: bool) -> str | None:
    """Why an incoming websocket frame is refused, or None.

    - Binary frames and Socket.IO binary packets (BINARY_EVENT 5, BINARY_ACK 6): the
      contract has no binary events, and python-socketio would buffer a packet's promised
      attachments without limit.
    - An empty frame, or an Engine.IO packet type a client never sends (engineio logs a
      traceback per frame for an unknown type and fails outside its receive loop on an
      empty or non-numeric one).
    - UPGRADE once upgraded: engineio answers each with a NOOP, queued for the client.
    """
    if text is None:
        return "binary frame"
    if not text:
        return "empty frame"
    kind = text[0]
    if kind not in CLIENT_PACKET_TYPES or (kind == "5" and upgraded):
        return "unexpected Engine.IO packet type"
    if text.startswith(("45", "46")):
        return "binary Socket.IO packet"
    return None


def install_direct_websocket(sio: socketio.AsyncServer) -> None:
    """Makes this server's engineio use DirectWebSocket (per server, not process-wide)."""
    sio.eio._async = {**sio.eio._async, "websocket": DirectWebSocket}


async def end_session(eio: Any, eio_sid: str) -> None:
    """Ends an Engine.IO session at once, without waiting on the client: the disconnect
    handlers run, a CLOSE packet is queued, and a websocket's writer closes the websocket
    once it has written what was queued (engineio's own disconnect() waits for the queue to
    drain, which a client that does not read never lets happen)."""
    socket = eio.sockets.get(eio_sid)
    if socket is None or socket.closed or socket.closing:
        return
    await socket.close(wait=False, abort=False)
    socket.queue.put_nowait(None)
