"""A small asyncio TCP proxy that injects network faults on command (no toxiproxy here).

Servers under test reach PostgreSQL or Redis through it. It runs its own event loop on a
thread of its own, so it keeps forwarding while the test's loop is blocked (starting a
server process is synchronous) and the control methods are plain calls from any thread.

Modes:

- ``heal()``: bytes flow both ways (after ``delay``, when one is set).
- ``delay(seconds)``: every chunk is forwarded ``seconds`` after it arrived; throughput is
  not limited, only latency added.
- ``blackhole()``: a partition that TCP would ride out: nothing is forwarded (bytes are held,
  in order), new connections are accepted but not dialled upstream. ``heal()`` forwards what
  was held, as retransmission would once the partition ends.
- ``drop()``: a partition that lasts: bytes are read and discarded. Such a connection's
  stream is broken for good, so ``heal()`` resets it.
- ``reset()``: every open connection is closed with a TCP RST (both sides), and new ones are
  reset as soon as they are accepted, until ``heal()``.
- ``impersonate(handler)``: open connections are reset and new ones are answered by
  ``handler(reader, writer)`` instead of the target (a database that says it is starting
  up, say), until ``heal()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

CHUNK = 65536


class Mode(enum.Enum):
    PASS = "pass"
    BLACKHOLE = "blackhole"
    DROP = "drop"
    RESET = "reset"
    IMPERSONATE = "impersonate"


@dataclass
class Stats:
    accepted: int = 0
    reset: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    open: int = 0


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    broken: bool = False  # bytes were dropped: the stream can never be healed
    closed: bool = False


def _rst(writer: asyncio.StreamWriter | None) -> None:
    """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
    if writer is None:
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport = writer.transport
    with contextlib.suppress(Exception):
        transport.abort()


class FaultProxy:
    """``FaultProxy(host, port).start()`` listens on 127.0.0.1:<ephemeral> (``.port``)."""

    def __init__(self, target_host: str, target_port: int, *, name: str = "proxy") -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.name = name
        self.port = 0
        self.stats = Stats()
        self._mode = Mode.PASS
        self._delay = 0.0
        self._links: set[_Link] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=f"faultproxy-{name}", daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self._impostor: Handler | None = None

    # -- control, from any thread ------------------------------------------------------

    @property
    def mode(self) -> Mode:
        return self._mode

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def heal(self) -> None:
        self._call(self._set(Mode.PASS))

    def delay(self, seconds: float) -> None:
        self._delay = max(0.0, seconds)
        self._call(self._set(Mode.PASS))

    def blackhole(self) -> None:
        self._call(self._set(Mode.BLACKHOLE))

    def drop(self) -> None:
        self._call(self._set(Mode.DROP))

    def reset(self) -> None:
        self._call(self._set(Mode.RESET))

    def impersonate(self, handler: Handler) -> None:
        self._impostor = handler
        self._call(self._set(Mode.IMPERSONATE))

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(self._shutdown(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the proxy's own loop ------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.close()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            self._close(link, abort=True)
        # Handlers end by themselves once their link is closed (cancelling one makes
        # asyncio's start_server callback log the CancelledError).
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)

    async def _set(self, mode: Mode) -> None:
        assert self._flowing is not None
        previous, self._mode = self._mode, mode
        if mode is Mode.PASS:
            if previous is not Mode.PASS:
                for link in list(self._links):
                    if link.broken:
                        self._reset(link)
            self._flowing.set()
        elif mode in (Mode.RESET, Mode.IMPERSONATE):
            self._flowing.clear()
            for link in list(self._links):
                self._reset(link)
        else:
            self._flowing.clear()

    @staticmethod
    def _gone(link: _Link) -> bool:
        """Whether the link was closed meanwhile (by another task, across an await)."""
        return link.closed

    def _reset(self, link: _Link) -> None:
        self.stats.reset += 1
        self._close(link, abort=True)

    def _close(self, link: _Link, *, abort: bool) -> None:
        if link.closed:
            return
        link.closed = True
        self._links.discard(link)
        self.stats.open = len(self._links)
        if abort:
            _rst(link.client)
            _rst(link.upstream)
        else:
            for writer in (link.client, link.upstream):
                if writer is not None:
                    with contextlib.suppress(Exception):
                        writer.close()
        current = asyncio.current_task()
        for task in link.tasks:
            if task is not current:
                task.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        handler.add_done_callback(self._handlers.discard)
        self.stats.accepted += 1
        link = _Link(client=writer)
        if self._mode is Mode.RESET:
            self.stats.reset += 1
            _rst(writer)
            return
        if self._mode is Mode.IMPERSONATE and self._impostor is not None:
            try:
                await self._impostor(reader, writer)
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()
            return
        self._links.add(link)
        self.stats.open = len(self._links)
        try:
            if self._mode is Mode.DROP:
                link.broken = True
            # A partitioned network: the connection is accepted, the upstream never dialled.
            while not self._flowing.is_set():
                if link.closed:
                    return
                if self._mode is Mode.DROP:
                    link.broken = True
                await self._discard_while_stopped(reader, link)
            if link.closed:
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    self.target_host, self.target_port
                )
            except OSError:
                self._reset(link)
                return
            if self._gone(link):
                _rst(up_writer)
                return
            link.upstream = up_writer
            sock = up_writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link.tasks = [
                asyncio.create_task(self._pump(reader, up_writer, link, up=True)),
                asyncio.create_task(self._pump(up_reader, writer, link, up=False)),
            ]
            await asyncio.gather(*link.tasks, return_exceptions=True)
        finally:
            self._close(link, abort=False)

    async def _discard_while_stopped(self, reader: asyncio.StreamReader, link: _Link) -> None:
        """Before the upstream exists: wait for the network to return (or for bytes that a
        DROP partition throws away; a BLACKHOLE leaves them in the socket, unread)."""
        assert self._flowing is not None
        if self._mode is not Mode.DROP:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flowing.wait(), 0.2)
            return
        with contextlib.suppress(TimeoutError):
            data = await asyncio.wait_for(reader.read(CHUNK), 0.2)
            if not data:
                self._close(link, abort=False)

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        link: _Link,
        *,
        up: bool,
    ) -> None:
        """Reads chunks and forwards each once its delay is over and the network flows.

        A separate sender keeps latency from limiting throughput: chunks wait in a queue
        with their due time, in order.
        """
        assert self._flowing is not None
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        sender = asyncio.create_task(self._send(queue, writer, link, up=up))
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if self._mode is Mode.DROP:
                    link.broken = True
                    continue
                if link.broken:
                    continue
                queue.put_nowait((time.monotonic() + self._delay, data))
            queue.put_nowait(None)
            await sender
        except (OSError, asyncio.IncompleteReadError):
            self._close(link, abort=True)
        finally:
            sender.cancel()

    async def _send(
        self,
        queue: asyncio.Queue[tuple[float, bytes] | None],
        writer: asyncio.StreamWriter,
        link: _Link,
        *,
        up: bool,
    ) -> None:
        try:
            await self._forward(queue, writer, link, up=up)
        except OSError:
            self._close(link, abort=True)

    async def _forward(
        self,
        queue: asyncio.Queue[tuple[float, bytes] | None],
        writer: asyncio.StreamWriter,
        link: _Link,
        *,
        up: bool,
    ) -> None:
        assert self._flowing is not None
        while True:
            item = await queue.get()
            if item is None:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof():
                        writer.write_eof()
                return
            due, data = item
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self._flowing.wait()
            if link.broken:
                continue
            writer.write(data)
            if up:
                self.stats.bytes_up += len(data)
            else:
                self.stats.bytes_down += len(data)
            await writer.drain()
