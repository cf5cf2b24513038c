"""One generator-side Socket.IO client connection: handshake, acks, and frames as they arrive.

A `message` frame goes to its worker's accounting unparsed (the worker reads only the seq and
the body's marker); acks resolve a waiting call or, for sends, go to the worker's ack
accounting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import connect

from loadtests.bench import eio
from loadtests.bench.plans import ConnPlan
from loadtests.bench.wsconn import FastConnection

if TYPE_CHECKING:
    from loadtests.bench.worker import Worker

MESSAGE_PREFIX = '42["message",'


class Conn:
    """One Socket.IO client connection and its per-room order tracking."""

    def __init__(self, worker: Worker, plan: ConnPlan) -> None:
        self.worker = worker
        self.plan = plan
        self.ws: FastConnection | None = None
        self.next_ack = 0
        self.pending: dict[int, Any] = {}
        # room index -> [last seq seen or None, set of seqs skipped so far]
        self.tracks: dict[int, list[Any]] = {}
        self.closed = False

    def ack_id(self) -> int:
        self.next_ack += 1
        return self.next_ack

    async def open(self) -> None:
        ws: FastConnection = await connect(  # type: ignore[assignment]
            self.plan.url,
            origin=self.plan.origin,  # type: ignore[arg-type]
            compression=self.worker.plan.compression,
            ping_interval=None,
            proxy=None,
            max_size=2**22,
            open_timeout=self.worker.plan.handshake_timeout,
            close_timeout=2,
            create_connection=FastConnection,
            user_agent_header="chat-bench",
        )
        self.ws = ws
        timeout = self.worker.plan.handshake_timeout
        opening = await asyncio.wait_for(ws.recv(), timeout)
        eio.decode_open(str(opening))
        await ws.send(eio.encode_connect({"token": self.plan.token}))
        while True:
            text = await asyncio.wait_for(ws.recv(), timeout)
            assert isinstance(text, str)
            if text == eio.EIO_PING:
                await ws.send(eio.EIO_PONG)
                continue
            packet = eio.decode_socketio(text)
            if packet.kind == eio.SIO_CONNECT:
                break
            if packet.kind == eio.SIO_CONNECT_ERROR:
                raise ConnectionError(f"connect_error: {packet.data}")
        ws.start_raw(self.on_text)
        asyncio.get_running_loop().create_task(self.watch())

    async def watch(self) -> None:
        assert self.ws is not None
        await self.ws.wait_closed()
        if not self.closed:
            self.closed = True
            self.worker.disconnects += 1

    async def call(self, event: str, data: Any, timeout: float) -> Any:
        assert self.ws is not None
        ack_id = self.ack_id()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[ack_id] = future
        await self.ws.send(eio.encode_event(event, data, ack_id))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.pending.pop(ack_id, None)

    def on_text(self, text: str) -> None:
        kind = text[0]
        if kind == eio.EIO_MESSAGE:
            sio = text[1:2]
            if text.startswith(MESSAGE_PREFIX):
                self.worker.on_message(self, text, time.monotonic_ns())
            elif sio == eio.SIO_EVENT:
                # presence, typing, ...: counted, not parsed.
                self.worker.stats.other_events += 1
            elif sio == eio.SIO_ACK:
                packet = eio.decode_socketio(text)
                entry = self.pending.pop(packet.ack_id or 0, None)
                result = packet.data[0] if packet.data else None
                if isinstance(entry, asyncio.Future):
                    if not entry.done():
                        entry.set_result(result)
                elif entry is not None:
                    self.worker.on_send_ack(entry, result, time.monotonic_ns())
            elif sio == eio.SIO_DISCONNECT:
                self.closed = True
                self.worker.disconnects += 1
        elif kind == eio.EIO_PING:
            self.send_soon(eio.EIO_PONG)
        elif kind == eio.EIO_CLOSE:
            self.closed = True

    def send_soon(self, text: str) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.write_now(text)
