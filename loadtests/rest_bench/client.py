"""A lean HTTP/1.1 keep-alive GET client, so the generator costs little next to the server.

httpx spends hundreds of microseconds of its own per request; this spends tens, so one
generator core measures a server core, not itself. It speaks only what the benchmark needs:
GET, Content-Length bodies."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class ProtocolError(RuntimeError):
    pass


class Connection:
    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self._prefix = b"GET "
        self._suffix = (
            f" HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def get(self, path: str) -> tuple[int, bytes]:
        assert self._reader is not None and self._writer is not None
        self._writer.write(self._prefix + path.encode() + self._suffix)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            raise ProtocolError(f"no Content-Length in {head!r}")
        end = lower.find(b"\r\n", at + 2)
        length = int(lower[at + 17 : end])
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


@dataclass
class Run:
    """What a closed-loop run saw: latencies in seconds, and statuses other than 200."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def closed_loop(
    host: str,
    port: int,
    token: str,
    paths: Callable[[random.Random], str],
    *,
    connections: int,
    seconds: float,
    warmup: float,
    seed: int = 1,
) -> Run:
    """`connections` clients, each sending its next request when the last one answered."""
    opened = [await Connection(host, port, token).open() for _ in range(connections)]
    run = Run()
    measuring = False

    async def client(conn: Connection, rng: random.Random, until: float) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            status, _ = await conn.get(paths(rng))
            if measuring:
                run.latencies.append(time.perf_counter() - started)
                if status != 200:
                    run.errors[status] = run.errors.get(status, 0) + 1

    try:
        if warmup > 0:
            until = time.perf_counter() + warmup
            await asyncio.gather(
                *(client(c, random.Random(seed + i), until) for i, c in enumerate(opened))
            )
        measuring = True
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(client(c, random.Random(seed + 1000 + i), until) for i, c in enumerate(opened))
        )
        run.seconds = time.perf_counter() - started
    finally:
        for conn in opened:
            await conn.close()
    return run
