"""The fault proxy does what the drills rely on: forwards, delays, holds, drops, resets and
heals (against an echo server, so that only the proxy is under test)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tests.support.faultproxy import FaultProxy


@pytest.fixture
async def proxy() -> AsyncIterator[FaultProxy]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    fault = FaultProxy("127.0.0.1", port).start()
    yield fault
    fault.close()
    server.close()
    await server.wait_closed()


async def roundtrip(port: int, payload: bytes = b"ping", timeout: float = 3.0) -> bytes:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.readexactly(len(payload)), timeout)
    finally:
        writer.close()


async def write_and_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"x")
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(1), 3)


async def test_forwards_and_delays(proxy: FaultProxy) -> None:
    assert await roundtrip(proxy.port, b"x" * 200_000) == b"x" * 200_000
    proxy.delay(0.3)
    start = time.monotonic()
    assert await roundtrip(proxy.port) == b"ping"
    assert time.monotonic() - start >= 0.55  # both directions
    proxy.delay(0)


async def test_blackhole_holds_bytes_until_healed(proxy: FaultProxy) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"a")
    await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(1), 3) == b"a"
    proxy.blackhole()
    writer.write(b"held")
    await writer.drain()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.readexactly(4), 0.5)
    proxy.heal()
    assert await asyncio.wait_for(reader.readexactly(4), 3) == b"held"
    writer.close()
    # New connections during a blackhole hang, then go through once it heals.
    proxy.blackhole()
    pending = asyncio.ensure_future(roundtrip(proxy.port, timeout=5))
    done, _ = await asyncio.wait({pending}, timeout=0.3)
    assert not done
    proxy.heal()
    assert await pending == b"ping"


async def test_reset_and_drop_break_connections_and_heal_restores(proxy: FaultProxy) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    proxy.reset()
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await write_and_read(reader, writer)
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await roundtrip(proxy.port)
    proxy.heal()
    assert await roundtrip(proxy.port) == b"ping"

    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    proxy.drop()
    writer.write(b"lost")
    await writer.drain()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.readexactly(4), 0.5)
    proxy.heal()  # a stream that lost bytes cannot be healed: it is reset
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await asyncio.wait_for(reader.readexactly(4), 3)
    assert await roundtrip(proxy.port) == b"ping"
    assert proxy.stats.reset >= 2
