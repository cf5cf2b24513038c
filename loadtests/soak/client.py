"""One soak connection: Engine.IO v4 / Socket.IO v5 text frames over `websockets`.

Light on purpose (~50-80 µs a copy): python-socketio's client would cost more CPU per
received copy than the server under test. Pings are answered, acks matched by id, and
every `message` whose body carries this process's send time gives a latency sample.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from loadtests.bench.eio import encode_connect, encode_event, socket_url

STAMP = " t="


def stamp_of(body: object) -> float | None:
    if isinstance(body, str) and STAMP in body:
        try:
            return float(body.rsplit(STAMP, 1)[1])
        except ValueError:
            return None
    return None


class SoakConnection:
    def __init__(self, url: str, token: str, on_latency: Callable[[float], None]) -> None:
        self.url = socket_url(url)
        self.token = token
        self.on_latency = on_latency
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.closed = asyncio.Event()
        self.close_reason = ""
        self.received = 0
        self.room_id = 0

    async def open(self, timeout: float = 30.0) -> None:
        self.ws = await connect(
            self.url, ping_interval=None, compression=None, open_timeout=timeout, max_size=2**20
        )
        opened = await asyncio.wait_for(self.ws.recv(), timeout)
        if not isinstance(opened, str) or not opened.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened!r:.80}")
        await self.ws.send(encode_connect({"token": self.token}))
        while True:
            reply = await asyncio.wait_for(self.ws.recv(), timeout)
            if isinstance(reply, str) and reply.startswith("40"):
                break
            if isinstance(reply, str) and reply.startswith("44"):
                raise ConnectionError(f"connect refused: {reply[:200]}")
            if reply == "2":
                await self.ws.send("3")
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for frame in self.ws:
                if not isinstance(frame, str):
                    continue
                if frame == "2":
                    await self.ws.send("3")
                elif frame.startswith("42"):
                    self.received += 1
                    self._event(frame)
                elif frame.startswith("43"):
                    self._ack(frame)
                elif frame == "1" or frame.startswith("41"):
                    self.close_reason = f"server closed the session ({frame[:20]})"
                    break
        except ConnectionClosed as exc:
            self.close_reason = f"websocket closed: {exc}"
        finally:
            if not self.close_reason:
                self.close_reason = "websocket closed"
            self.closed.set()
            for future in self.acks.values():
                if not future.done():
                    future.set_exception(ConnectionError(self.close_reason))

    def _event(self, frame: str) -> None:
        start = frame.find("[")
        if start < 0 or not frame.startswith('["message"', start):
            return
        try:
            event = json.loads(frame[start:])
        except ValueError:
            return
        stamp = stamp_of(event[1].get("body") if len(event) > 1 else None)
        if stamp is not None:
            self.on_latency(time.perf_counter() - stamp)

    def _ack(self, frame: str) -> None:
        i = 2
        while i < len(frame) and frame[i].isdigit():
            i += 1
        future = self.acks.pop(int(frame[2:i]), None)
        if future is not None and not future.done():
            future.set_result(json.loads(frame[i:])[0])

    async def call(self, event: str, data: Any, timeout: float = 30.0) -> Any:
        if self.ws is None or self.closed.is_set():
            raise ConnectionError(self.close_reason or "not open")
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[self.next_id] = future
        await self.ws.send(encode_event(event, data, self.next_id))
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
