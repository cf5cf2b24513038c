"""A server process seen from outside, through /proc (resident memory, open descriptors),
and the end of a websocket as its client sees it.

For the resource tests: an attack must not make these grow past a stated bound. Memory is
not a wall time, so a bound on it is a behaviour and may be asserted."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tests.support.rawsocket import Closed, RawSocket
from tests.support.server import ServerProcess

MiB = 1024 * 1024


def pid_of(server: ServerProcess) -> int:
    assert server.process is not None and server.process.poll() is None, "server not running"
    return server.process.pid


def rss(pid: int) -> int:
    """VmRSS in bytes, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@dataclass
class Peak:
    baseline: int
    peak: int = 0

    @property
    def growth(self) -> int:
        return max(self.peak - self.baseline, 0)

    def mib(self) -> str:
        return f"{self.growth / MiB:.1f} MiB"


@contextlib.asynccontextmanager
async def peak_rss(pid: int, every: float = 0.02) -> AsyncIterator[Peak]:
    """Samples the process's RSS while the block runs; Peak.growth is the largest growth
    over the RSS at entry."""
    peak = Peak(baseline=rss(pid))
    peak.peak = peak.baseline

    async def sample() -> None:
        while True:
            peak.peak = max(peak.peak, rss(pid))
            await asyncio.sleep(every)

    task = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        peak.peak = max(peak.peak, rss(pid))


async def websocket_ends(raw: RawSocket, timeout: float = 10) -> bool:
    """True once the server ends the websocket itself (a close frame, EOF or a reset),
    not merely the Engine.IO session (a `1` packet, after which the socket would linger)."""
    try:
        while True:
            opcode, data = await raw.recv_frame(timeout)
            if opcode == 0x9:
                await raw.send_frame(data, 0xA)
            elif opcode == 0x1 and data == b"2":
                await raw.send_text("3")
    except Closed:
        return True
    except TimeoutError:
        return False
