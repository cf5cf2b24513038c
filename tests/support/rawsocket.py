"""A raw websocket client speaking Engine.IO v4 / Socket.IO v5 text frames by hand.

For what python-socketio's client will not do: stop reading (a stalled client whose
receive window closes), send frames it would refuse to encode (deep nesting, broken JSON,
oversize packets), and look at exactly what the server wrote.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
import struct
from typing import Any
from urllib.parse import urlsplit

WAIT = 10.0


def _xor(data: bytes, mask: bytes) -> bytes:
    n = len(data)
    if n == 0:
        return data
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


class Closed(Exception):
    """The server closed the connection (or reset it)."""


class RawSocket:
    def __init__(self, url: str, *, rcvbuf: int | None = None, origin: str | None = None) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.rcvbuf = rcvbuf
        self.origin = origin
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.sid: str | None = None
        self._ack_id = 0
        self.received: list[str] = []  # every Engine.IO text packet, in order

    async def open(self, token: str | None, *, connect: bool = True) -> RawSocket:
        """Opens the websocket and the Engine.IO session, then (connect=True) the
        Socket.IO namespace with this token."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.rcvbuf is not None:
            # Before connect: the window scale is fixed by the handshake.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(loop.sock_connect(sock, (self.host, self.port)), WAIT)
        limit = 2**22
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=limit)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.origin:
            lines.append(f"Origin: {self.origin}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), WAIT)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise Closed(f"handshake refused: {head.decode(errors='replace')}")
        opened = await self.recv_text()
        assert opened.startswith("0"), opened
        self.sid = json.loads(opened[1:])["sid"]
        if not connect:
            return self
        auth = "" if token is None else json.dumps({"token": token})
        await self.send_text("40" + auth)
        reply = await self.recv_until(lambda p: p.startswith(("40", "44")))
        if reply.startswith("44"):
            raise Closed(f"connect refused: {reply}")
        return self

    # -- frames --------------------------------------------------------------------------

    async def send_frame(self, payload: bytes, opcode: int = 0x1) -> None:
        assert self.writer is not None
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 2**16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        try:
            self.writer.write(header + mask + _xor(payload, mask))
            await self.writer.drain()
        except ConnectionError as exc:
            raise Closed(str(exc)) from None

    async def send_text(self, text: str) -> None:
        await self.send_frame(text.encode("utf-8", "surrogatepass"))

    async def recv_frame(self, timeout: float = WAIT) -> tuple[int, bytes]:
        assert self.reader is not None
        try:
            first, second = await asyncio.wait_for(self.reader.readexactly(2), timeout)
            n = second & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            mask = await self.reader.readexactly(4) if second & 0x80 else b""
            data = await asyncio.wait_for(self.reader.readexactly(n), timeout)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise Closed(str(exc)) from None
        if mask:
            data = _xor(data, mask)
        opcode = first & 0x0F
        if opcode == 0x8:
            raise Closed(f"close frame {data[:2].hex()} {data[2:]!r}")
        return opcode, data

    async def recv_text(self, timeout: float = WAIT) -> str:
        """The next Engine.IO text packet; answers pings on the way."""
        while True:
            opcode, data = await self.recv_frame(timeout)
            if opcode == 0x9:  # websocket ping
                await self.send_frame(data, 0xA)
                continue
            if opcode != 0x1:
                continue
            text = data.decode()
            if text == "2":
                await self.send_text("3")
                continue
            self.received.append(text)
            if text == "1" or text.startswith("41"):
                raise Closed(f"the server closed the session: {text!r}")
            return text

    async def recv_until(self, predicate: Any, timeout: float = WAIT) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no matching packet in {timeout}s; got {self.received[-5:]}")
            text = await self.recv_text(remaining)
            if predicate(text):
                return text

    # -- Socket.IO -----------------------------------------------------------------------

    async def emit_raw(self, event_json: str) -> int:
        """Sends `42<id><event_json>` verbatim; returns the ack id."""
        self._ack_id += 1
        await self.send_text(f"42{self._ack_id}{event_json}")
        return self._ack_id

    async def ack(self, ack_id: int, timeout: float = WAIT) -> Any:
        prefix = f"43{ack_id}"
        text = await self.recv_until(
            lambda p: p.startswith(prefix) and not p[len(prefix) : len(prefix) + 1].isdigit(),
            timeout,
        )
        return json.loads(text[len(prefix) :])[0]

    async def call(self, event: str, data: Any, timeout: float = WAIT) -> Any:
        ack_id = await self.emit_raw(json.dumps([event, data]))
        return await self.ack(ack_id, timeout)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()
            self.writer = None

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(self.writer.wait_closed(), 2)
            self.writer = None
