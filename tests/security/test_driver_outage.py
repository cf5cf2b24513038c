"""asyncpg raises InternalClientError (not a PostgreSQL error, not an InterfaceError) when a
connection breaks in a way it cannot use, as when PostgreSQL terminates it mid-handshake.
That is an outage like any other: REST answers 503 `unavailable`, a send `unavailable`, and
nothing is logged as an unexpected error.

Deterministic through the fault proxy: once the server has its connections, they are cut
and every new one is answered with a truncated authentication message, which asyncpg turns
into InternalClientError. A drill (private PostgreSQL), so it runs in the PostgreSQL pass."""

from __future__ import annotations

import asyncio
import struct
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.realtime.helpers import code, join
from tests.support.backends import Backend
from tests.support.clients import SocketClient, create_room, register
from tests.support.faultproxy import FaultProxy
from tests.support.private import HOST, PrivatePostgres
from tests.support.server import ServerProcess

pytestmark = pytest.mark.drill


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres().start()
    yield pg
    pg.close()


async def truncated_authentication(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Declines SSL/GSS, then sends an 'R' message too short to hold its auth type."""
    while True:
        (length,) = struct.unpack("!I", await reader.readexactly(4))
        body = await reader.readexactly(length - 4)
        (request,) = struct.unpack("!I", body[:4])
        if request in (80877103, 80877104):  # SSLRequest, GSSENCRequest
            writer.write(b"N")
            await writer.drain()
            continue
        writer.write(b"R" + struct.pack("!I", 6) + b"\0\0")
        await writer.drain()
        await reader.read(1)  # until the client gives up
        return


async def test_internal_client_error_is_unavailable_not_unexpected(
    private_pg: PrivatePostgres, run_dir: Path
) -> None:
    proxy = FaultProxy(HOST, private_pg.port, name="postgres").start()
    backend = Backend(
        name="postgres",
        database_url=private_pg.url(private_pg.create_database("icerr"), proxy.port),
        redis_url=None,
        redis_prefix=f"icerr{uuid.uuid4().hex[:6]}",
    )
    server = ServerProcess(backend, run_dir, "internal-client-error").start()
    client: SocketClient | None = None
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            user = await register(http)
            room = await create_room(http, user)
            client = await SocketClient(server.url, user.token).connect()
            await join(client, room["id"])
            log_before = len(server.log_text())

            proxy.impersonate(truncated_authentication)
            history = await http.get(f"/api/rooms/{room['id']}/messages", headers=user.headers)
            ack = await client.call(
                "send", {"room_id": room["id"], "body": "during", "client_id": "d-1"}
            )
            proxy.heal()
        log = server.log_text()[log_before:]
        assert (history.status_code, history.json()["code"]) == (503, "unavailable"), history.text
        assert code(ack) == "unavailable"
        assert "InternalClientError" in log, "the outage was not reached"
        assert "Traceback" not in log, log[-3000:]
        assert "failed" not in log.replace("database unavailable", ""), log[-3000:]
    finally:
        if client is not None:
            await client.close()
        server.close()
        proxy.close()
