"""ASVS 5.0 V9 (self-contained tokens) and V7 (session management): the signature is
checked, only HS256 is accepted (`none`, HS512 and RS256 are refused, whatever the key),
exp and nbf are enforced, and so are the claims the server needs; an expired token is
refused on REST and its open sockets are disconnected; logout ends the session everywhere."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.security.conftest import b64, claims_for, craft, socket_refusal
from tests.support.clients import Account, SocketClient
from tests.support.server import ServerProcess

FORGERIES: dict[str, Callable[[Account], str]] = {
    "tampered signature": lambda a: (
        a.token[:-6] + ("AAAAAA" if a.token[-6:] != "AAAAAA" else "BBBBBB")
    ),
    "tampered claims": lambda a: ".".join(
        [
            a.token.split(".")[0],
            b64(b'{"sub":"1","name":"x","exp":9999999999}'),
            a.token.split(".")[2],
        ]
    ),
    "alg none": lambda a: craft(claims_for(a.id, a.username), alg="none"),
    "alg none, uppercase": lambda a: craft(claims_for(a.id, a.username), alg="NONE"),
    "HS512 with the right key": lambda a: craft(claims_for(a.id, a.username), alg="HS512"),
    "HS384 with the right key": lambda a: craft(claims_for(a.id, a.username), alg="HS384"),
    "RS256 header, HMAC signature": lambda a: craft(
        claims_for(a.id, a.username),
        alg="RS256",
        signature=craft(claims_for(a.id, a.username)).split(".")[2].encode(),
    ),
    "RS256 with junk signature": lambda a: craft(
        claims_for(a.id, a.username), alg="RS256", signature=b"\x00" * 256
    ),
    "wrong key": lambda a: craft(claims_for(a.id, a.username), key="another-secret-" * 4),
    "expired": lambda a: craft(claims_for(a.id, a.username, exp=int(time.time()) - 5)),
    "not yet valid": lambda a: craft(claims_for(a.id, a.username, nbf=int(time.time()) + 300)),
    "no exp": lambda a: craft(claims_for(a.id, a.username, exp=None)),
    "no jti": lambda a: craft(claims_for(a.id, a.username, jti=None)),
    "no sub": lambda a: craft(claims_for(a.id, a.username, sub=None)),
    "sub of no user": lambda a: craft(claims_for(10**9, "ghost_user")),
    "sub not a number": lambda a: craft(claims_for(a.id, a.username, sub="1 OR 1=1")),
    "empty": lambda a: "",
    "two parts": lambda a: ".".join(a.token.split(".")[:2]),
    "huge": lambda a: "a" * 10000,
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_forged_tokens_are_refused_on_rest_and_socket(
    http: httpx.AsyncClient, user: Account, server: ServerProcess, forgery: str
) -> None:
    token = FORGERIES[forgery](user)
    header = {"Authorization": f"Bearer {token}".strip()}
    for path in ("/api/users/me", "/api/rooms"):
        response = await http.get(path, headers=header)
        assert response.status_code == 401, (forgery, path, response.status_code, response.text)
        assert response.json()["code"] == "unauthorized"
    assert await socket_refusal(server.url, token) is not None, f"socket accepted: {forgery}"


async def test_a_correctly_crafted_token_is_accepted(
    http: httpx.AsyncClient, user: Account, server: ServerProcess
) -> None:
    """The control for the forgeries above: the crafting itself is right."""
    token = craft(claims_for(user.id, user.username))
    response = await http.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert await socket_refusal(server.url, token) is None


async def test_tokens_carry_an_expiry_no_longer_than_configured(user: Account) -> None:
    import base64
    import json

    payload = user.token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    header = json.loads(base64.urlsafe_b64decode(user.token.split(".")[0] + "=="))
    assert header["alg"] == "HS256"
    assert 0 < claims["exp"] - claims["iat"] <= 3600
    assert "password" not in json.dumps(claims).lower()


async def test_an_expiring_token_ends_its_socket_and_is_refused_on_rest(
    http: httpx.AsyncClient, user: Account, sockets: Callable[..., SocketClient]
) -> None:
    expires = int(time.time()) + 3
    token = craft(claims_for(user.id, user.username, exp=expires))
    client = await sockets(token).connect()
    assert client.sio.connected
    await asyncio.wait_for(client.disconnected.wait(), timeout=10)
    assert time.time() >= expires - 1  # ended at expiry, not before
    response = await http.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_logout_refuses_the_token_everywhere_and_ends_its_sockets(
    http: httpx.AsyncClient,
    user: Account,
    server: ServerProcess,
    sockets: Callable[..., SocketClient],
) -> None:
    client = await sockets(user.token).connect()
    response = await http.post("/api/auth/logout", headers=user.headers)
    assert response.status_code == 204
    await asyncio.wait_for(client.disconnected.wait(), timeout=10)
    assert (await http.get("/api/users/me", headers=user.headers)).status_code == 401
    assert await socket_refusal(server.url, user.token) is not None
