"""Fan-out fast path: encode a broadcast once, write the same websocket frame to every
recipient's transport.

Stock python-socketio spends most of a broadcast per recipient: a task, an engineio queue
hop and a writer-task wake-up, and a websocket frame built again for every copy
(FIELD-NOTES 25-26). Here the manager builds the Engine.IO text and its websocket frame once
and writes the bytes straight to each connection's transport — but only when that is
indistinguishable from the stock path:

- the socket is on the websocket transport (not polling, not mid-upgrade);
- its engineio writer is idle: parked on an empty queue, with nothing taken and not yet
  written, so pings and acks that engineio queues itself keep their order with our frames;
- its transport is open and its write buffer is below MAX_BUFFERED_BYTES.

Anything else takes python-socketio's own path. A reader that stops reading cannot make the
server hold its messages without bound: once its transport buffer and engineio queue hold
MAX_BUFFERED_BYTES (or the queue MAX_QUEUED_PACKETS packets), the connection is closed, and
the client resumes by `seq` when it reconnects (PROTOCOL.md guarantee 4).

Server-to-client frames are unmasked and never fragmented here. When permessage-deflate was
negotiated, an uncompressed message (RSV1 clear) is still valid (RFC 7692 section 6), and it
does not touch the compression context.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import socketio
from engineio import packet as eio_packet
from engineio.async_drivers.asgi import WebSocket as EngineioWebSocket
from socketio import packet as sio_packet

from chat.realtime.quiet_log import QuietLog

log = logging.getLogger(__name__)

MAX_BUFFERED_BYTES = 512 * 1024
MAX_QUEUED_PACKETS = 1000


def websocket_text_frame(payload: bytes) -> bytes:
    """One unmasked, final text frame (server to client, RFC 6455 section 5.2)."""
    length = len(payload)
    if length < 126:
        header = bytes((0x81, length))
    elif length < 65536:
        header = bytes((0x81, 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + length.to_bytes(8, "big")
    return header + payload


class DirectWebSocket(EngineioWebSocket):  # type: ignore[misc]
    """engineio's ASGI websocket wrapper that also lends its socket the connection's
    transport, for the manager below, and refuses frames the contract has no use for
    before engineio decodes them (refused(): the websocket is then closed)."""

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


frames_refused = QuietLog(log)


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


# CLOSE, PING (the upgrade probe), PONG, MESSAGE, UPGRADE, NOOP.
CLIENT_PACKET_TYPES = frozenset("123456")


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


def install_direct_websocket(sio: socketio.AsyncServer) -> None:
    """Makes this server's engineio use DirectWebSocket (per server, not process-wide)."""
    sio.eio._async = {**sio.eio._async, "websocket": DirectWebSocket}


def writable_transport(socket: Any) -> Any | None:
    """The socket's transport, when a frame written to it now is indistinguishable from
    engineio's own path (websocket, idle writer, open): else None.

    The writer is idle when it waits on an empty queue, so nothing it took is unwritten: a
    put() leaves the item in the queue until the waiting getter resumes, and the writer only
    calls get() again after it has written everything it took. Runs once per copy, so it
    reads the asyncio.Queue's deque and getters directly, without a call or a generator.
    """
    transport = getattr(socket, "direct_transport", None)
    if transport is None or socket.closed or not socket.upgraded or socket.upgrading:
        return None
    queue = socket.queue
    if queue._queue:  # something queued: the writer is (or will be) busy
        return None
    getters: Iterable[asyncio.Future[Any]] = queue._getters
    for getter in getters:
        if not getter.done():
            return None if transport.is_closing() else transport
    return None


def write_now(socket: Any, encoded: str) -> bool:
    """Writes one Socket.IO packet (its text encoding) to the socket's transport, if that
    is as good as queueing it (writable_transport). False: nothing written, queue it the
    stock way."""
    transport = writable_transport(socket)
    if transport is None:
        return False
    payload = eio_packet.Packet(eio_packet.MESSAGE, encoded).encode()
    transport.write(websocket_text_frame(payload.encode()))
    return True


def held_bytes(socket: Any, transport: Any) -> int:
    """Bytes held in memory for this socket's client: its transport's write buffer and the
    packets in its engineio queue (websocket or long-polling alike)."""
    held = transport.get_write_buffer_size() if transport is not None else 0
    for pkt in socket.queue._queue:  # asyncio.Queue's deque; None is the writer's stop
        data = getattr(pkt, "data", None)
        if isinstance(data, (str, bytes)):
            held += len(data)
    return held


class DirectEmitMixin(socketio.AsyncManager):  # type: ignore[misc]
    """Sits under AsyncPubSubManager in the MRO, so local delivery of every broadcast —
    this process's own and those arriving from Redis — goes through emit() below."""

    # Copies delivered by each path, and connections closed for not reading (for /metrics).
    direct_copies = 0
    queued_copies = 0
    slow_consumers_closed = 0
    max_buffered_bytes = MAX_BUFFERED_BYTES
    max_queued_packets = MAX_QUEUED_PACKETS

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        namespace = namespace or "/"
        if callback is not None or namespace not in self.rooms:
            await super().emit(event, data, namespace, room, skip_sid, callback, **kwargs)
            return
        if isinstance(data, tuple):
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        pkt = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args])
        encoded = pkt.encode()
        if isinstance(encoded, list):  # binary attachments: the stock path handles them
            await super().emit(event, data, namespace, room, skip_sid, callback, **kwargs)
            return
        eio_pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame: bytes | None = None
        skip = set(skip_sid) if isinstance(skip_sid, list) else {skip_sid}
        sockets = self.server.eio.sockets
        queued: list[Any] = []
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is None or socket.closed:
                continue
            transport = writable_transport(socket)
            if transport is not None:
                if transport.get_write_buffer_size() > self.max_buffered_bytes:
                    self._close_slow(sid, socket, transport, queued)
                    continue
                if frame is None:
                    frame = websocket_text_frame(eio_pkt.encode().encode())
                transport.write(frame)
                self.direct_copies += 1
                continue
            transport = getattr(socket, "direct_transport", None)
            if transport is not None and transport.is_closing():
                continue
            if self.over_bound(socket, transport):
                self._close_slow(sid, socket, transport, queued)
            else:
                queued.append(socket.send(eio_pkt))
                self.queued_copies += 1
        if queued:
            await asyncio.gather(*queued, return_exceptions=True)

    def over_bound(self, socket: Any, transport: Any) -> bool:
        """The socket already holds more than max_buffered_bytes (or max_queued_packets
        packets) for a client that is not reading them."""
        if socket.queue.qsize() >= self.max_queued_packets:
            return True
        return held_bytes(socket, transport) > self.max_buffered_bytes

    async def send_one(self, eio_sid: str, encoded: str) -> None:
        """One packet to one socket (an ack, an emit to a sid): bounded like a broadcast
        copy, and written straight to an idle websocket's transport."""
        socket = self.server.eio.sockets.get(eio_sid)
        if socket is None or socket.closed:
            return
        transport = getattr(socket, "direct_transport", None)
        if transport is not None and transport.is_closing():
            return
        if self.over_bound(socket, transport):
            pending: list[Any] = []
            self._close_slow(eio_sid, socket, transport, pending)
            await asyncio.gather(*pending, return_exceptions=True)
        elif not write_now(socket, encoded):
            await self.server.eio.send(eio_sid, encoded)

    def _close_slow(self, sid: str, socket: Any, transport: Any, pending: list[Any]) -> None:
        log.warning("closing %s: it stopped reading", sid)
        self.slow_consumers_closed += 1
        if transport is not None:
            transport.abort()
        else:
            pending.append(socket.close(wait=False, abort=True))


class DirectEmitManager(DirectEmitMixin):
    """The in-process manager, with the fast path."""


class DirectEmitRedisManager(socketio.AsyncRedisManager, DirectEmitMixin):  # type: ignore[misc]
    """AsyncRedisManager, with the fast path for local delivery."""
