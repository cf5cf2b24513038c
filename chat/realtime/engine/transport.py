"""What broadcasts and single packets share: writing a frame straight to a websocket's
transport when that is indistinguishable from engineio's own path, and the per-socket bound
on what a client that does not read makes the server hold.

A frame is written directly only when:
- the socket is on the websocket transport (not polling, not mid-upgrade);
- its engineio writer is idle: parked on an empty queue, with nothing taken and not yet
  written, so pings and packets that engineio queues itself keep their order with ours;
- its transport is open.

The bound: once a socket holds more than `max_bytes` for its client (its transport's write
buffer plus the packets in its engineio queue, counted in bytes) or `max_packets` packets,
the connection is closed; the client resumes by `seq` when it reconnects.

Server-to-client frames are unmasked and never fragmented here. When permessage-deflate was
negotiated, an uncompressed message (RSV1 clear) is still valid (RFC 7692 section 6), and it
does not touch the compression context.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from engineio import packet as eio_packet

log = logging.getLogger(__name__)

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


def message_frame(encoded: str) -> bytes:
    """The websocket frame of an Engine.IO MESSAGE carrying one Socket.IO packet."""
    return websocket_text_frame(eio_packet.Packet(eio_packet.MESSAGE, encoded).encode().encode())


def lent_transport(socket: Any) -> Any | None:
    """The transport DirectWebSocket lent this socket (websocket sockets only)."""
    return getattr(socket, "direct_transport", None)


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


def held_bytes(socket: Any, transport: Any) -> int:
    """Bytes held in memory for this socket's client: its transport's write buffer and the
    packets in its engineio queue (websocket or long-polling alike)."""
    held = transport.get_write_buffer_size() if transport is not None else 0
    for pkt in socket.queue._queue:  # asyncio.Queue's deque; None is the writer's stop
        data = getattr(pkt, "data", None)
        if isinstance(data, (str, bytes)):
            held += len(data)
    return held


class Backlog:
    """The per-socket bound, and this process's delivery counters (for /metrics)."""

    def __init__(self, max_bytes: int, max_packets: int = MAX_QUEUED_PACKETS) -> None:
        self.max_bytes = max_bytes
        self.max_packets = max_packets
        self.direct_copies = 0
        self.queued_copies = 0
        self.slow_closed = 0

    def counters(self) -> tuple[int, int, int]:
        return self.direct_copies, self.queued_copies, self.slow_closed

    def over(self, socket: Any, transport: Any) -> bool:
        """The socket already holds more than max_bytes (or max_packets packets)."""
        if socket.queue.qsize() >= self.max_packets:
            return True
        return held_bytes(socket, transport) > self.max_bytes

    def close_slow(self, sid: str, socket: Any, transport: Any) -> Any | None:
        """Closes a connection that stopped reading: aborts its transport, or returns the
        coroutine that closes a long-polling session (to be awaited)."""
        log.warning("closing %s: it stopped reading", sid)
        self.slow_closed += 1
        if transport is not None:
            transport.abort()
            return None
        return socket.close(wait=False, abort=True)
