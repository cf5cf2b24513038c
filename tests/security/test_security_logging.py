"""ASVS 5.0 V16.3 (security events are logged) and V16.2.5 (no secrets in logs): successful
and failed logins, refused tokens and refused authorisations are in the server's log, with
who and what; passwords and tokens are not."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from tests.security.conftest import socket_refusal
from tests.support.clients import Account, SocketClient, create_room, register, unique
from tests.support.server import ServerProcess
from tests.support.traffic import wait_until


async def logged(server: ServerProcess, pattern: str) -> None:
    await wait_until(
        lambda: re.search(pattern, server.log_text()) is not None, 5, f"log line /{pattern}/"
    )


async def test_logins_refusals_and_denied_access_are_logged_without_secrets(
    isolated: Callable[..., ServerProcess], sockets: Callable[..., SocketClient]
) -> None:
    server = isolated("seclog")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        owner: Account = await register(http)
        outsider: Account = await register(http)
        await logged(server, rf"login ok user_id={owner.id}\b")

        stranger = unique()
        wrong = await http.post(
            "/api/auth/login", json={"username": stranger, "password": "not-the-password-1"}
        )
        assert wrong.status_code == 401
        await logged(server, rf"login failed.*{stranger}")

        wrong_password = await http.post(
            "/api/auth/login", json={"username": owner.username, "password": "guess-guess-1"}
        )
        assert wrong_password.status_code == 401
        await logged(server, rf"login failed.*{owner.username}")

        room = await create_room(http, owner, private=True)
        denied = await http.get(f"/api/rooms/{room['id']}/messages", headers=outsider.headers)
        assert denied.status_code == 403
        await logged(server, rf"user_id={outsider.id}\b.*room_id={room['id']}\b")

        bad = await http.get("/api/users/me", headers={"Authorization": "Bearer not.a.token"})
        assert bad.status_code == 401
        await logged(server, r'"GET /api/users/me HTTP/1.1" 401')

    assert await socket_refusal(server.url, "forged.token.value") is not None
    await logged(server, r"socket refused: unauthorized")

    client = await sockets(outsider.token, server.url).connect()
    ack = await client.call("join", {"room_id": room["id"]})
    assert ack["ok"] is False
    await logged(server, rf"user_id={outsider.id}\b.*room_id={room['id']}\b")

    text = server.log_text()
    for secret in (owner.password, outsider.password, owner.token, outsider.token):
        assert secret not in text
    assert "guess-guess-1" not in text and "not-the-password-1" not in text
