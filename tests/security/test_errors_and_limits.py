"""ASVS 5.0 V16.5 (errors reveal nothing), V4.3/V13 (size limits) and V2.4 (anti-automation):
error bodies are {message, code} without stack traces or paths, whatever provoked them; a
socket packet over MAX_HTTP_BUFFER_SIZE closes that connection and the server lives on;
sends are limited per socket."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.rawsocket import Closed, RawSocket
from tests.support.server import ServerProcess

LEAKS = re.compile(
    r"Traceback|File \"|site-packages|/work/|\.py\b|sqlalchemy|asyncpg|sqlite3|psycopg|werkzeug|"
    r"Exception|Error\(|line \d+",
)


def no_leak(text: str) -> None:
    assert not LEAKS.search(text), f"error body reveals internals: {text[:400]}"


PROVOKED: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/rooms/abc", {}),
    ("GET", "/api/rooms/99999999999999999999999", {}),
    ("GET", "/api/rooms/-1/messages", {}),
    ("GET", "/api/rooms/1/messages?limit=abc", {}),
    ("GET", "/api/rooms/1/messages?limit=100000", {}),
    ("GET", "/api/rooms/1/messages?before=-5&after=x", {}),
    ("POST", "/api/auth/register", {"content": b"{not json"}),
    (
        "POST",
        "/api/auth/register",
        {"content": b"[]", "headers": {"Content-Type": "application/json"}},
    ),
    (
        "POST",
        "/api/auth/register",
        {"content": b"username=a", "headers": {"Content-Type": "text/plain"}},
    ),
    ("POST", "/api/auth/register", {"json": {"username": ["x"], "password": {"$gt": ""}}}),
    (
        "POST",
        "/api/auth/login",
        {
            "json": {
                "username": "a\x00b",
                "password": "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            }
        },
    ),
    (
        "POST",
        "/api/auth/login",
        {
            "content": b'{"username": "' + b"\xff\xfe" + b'"}',
            "headers": {"Content-Type": "application/json"},
        },
    ),
    ("POST", "/api/rooms", {"json": {"name": "x" * 100000}}),
    (
        "POST",
        "/api/rooms",
        {"content": b"[" * 5000 + b"]" * 5000, "headers": {"Content-Type": "application/json"}},
    ),
    ("DELETE", "/api/rooms", {}),
    ("PUT", "/api/users/me", {}),
    ("TRACE", "/api/health", {}),
    ("GET", "/api/../../etc/passwd", {}),
    ("GET", "/api/rooms/1/messages/../../../swagger.json%00", {}),
]


@pytest.mark.parametrize(
    ("method", "path", "options"), PROVOKED, ids=[f"{m} {p[:40]}" for m, p, _ in PROVOKED]
)
async def test_error_bodies_carry_no_stack_trace(
    http: httpx.AsyncClient, user: Account, method: str, path: str, options: dict[str, Any]
) -> None:
    headers = (
        {**user.headers, **options.pop("headers", {})} if "headers" in options else user.headers
    )
    response = await http.request(method, path, headers=headers, **options)
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"message", "code"}, body
        no_leak(response.text)


async def test_socket_error_messages_carry_no_stack_trace(
    sockets: Callable[..., SocketClient], user: Account
) -> None:
    client = await sockets(user.token).connect()
    for event, payload in (
        ("send", {"room_id": "x" * 100, "body": None, "client_id": []}),
        ("join", {"room_id": 2**70}),
        ("edit", {"message_id": -1, "body": "\x00"}),
        ("read", {"room_id": 1, "seq": "NaN"}),
        ("nope", {}),
    ):
        ack = await client.call(event, payload)
        assert ack["ok"] is False
        no_leak(str(ack["error"]["message"]))


async def test_packet_over_max_http_buffer_size_closes_only_that_connection(
    server: ServerProcess, http: httpx.AsyncClient, sockets: Callable[..., SocketClient]
) -> None:
    sender = await register(http)
    watcher = await register(http)
    room = await create_room(http, sender)
    await http.post(f"/api/rooms/{room['id']}/members", headers=watcher.headers)
    observer = await sockets(watcher.token).connect()
    assert (await observer.call("join", {"room_id": room["id"]}))["ok"]

    raw = await RawSocket(server.url).open(sender.token)
    try:
        assert (await raw.call("join", {"room_id": room["id"]}))["ok"]
        body = "x" * 70000  # over the 65,536-byte default, under nothing else
        frame = f'["send",{{"room_id":{room["id"]},"body":"{body}","client_id":"big"}}]'
        with pytest.raises(Closed):
            await oversize_call(raw, frame)
    finally:
        raw.close()
    # The server lives on, and nothing of the oversize packet was stored.
    assert (await http.get("/api/health")).status_code == 200
    other = await sockets(sender.token).connect()
    ack = await other.call("send", {"room_id": room["id"], "body": "small", "client_id": "small"})
    assert ack["ok"], ack
    history = await http.get(f"/api/rooms/{room['id']}/messages", headers=sender.headers)
    assert [m["client_id"] for m in history.json()["messages"]] == ["small"]
    await observer.recorder.wait_for(lambda r: len(r.of("message")) == 1, what="the small message")


async def oversize_call(raw: RawSocket, frame: str) -> None:
    ack_id = await raw.emit_raw(frame)
    await raw.ack(ack_id, timeout=10)


async def test_rest_body_over_max_request_bytes_is_refused(
    http: httpx.AsyncClient, user: Account
) -> None:
    response = await http.post(
        "/api/rooms", json={"name": "r", "padding": "x" * 70000}, headers=user.headers
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


async def test_sends_are_rate_limited(
    spawn: Callable[..., ServerProcess],
) -> None:
    server = spawn("ratelimit", SEND_RATE_PER_SECOND="2", SEND_RATE_BURST="3")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        account = await register(http)
        room = await create_room(http, account)
        client = await SocketClient(server.url, account.token).connect()
        try:
            acks = await asyncio.gather(
                *(
                    client.call(
                        "send",
                        {"room_id": room["id"], "body": f"m{i}", "client_id": uuid.uuid4().hex},
                    )
                    for i in range(8)
                )
            )
            codes = ["ok" if a["ok"] else a["error"]["code"] for a in acks]
            assert codes.count("ok") <= 4, codes  # the burst, plus a refill at most
            assert codes.count("ok") >= 3, codes
            assert set(codes) == {"ok", "rate_limited"}, codes
            # What was refused was not stored.
            history = await http.get(f"/api/rooms/{room['id']}/messages", headers=account.headers)
            assert len(history.json()["messages"]) == codes.count("ok")
        finally:
            await client.close()
