"""Reserved Socket.IO event names sent by a client as ordinary events.

The official clients refuse to emit `connect` or `disconnect`; a raw client can. They must be
answered like any unknown event (`invalid`), and must not run the server's own connection
lifecycle: not re-authenticate the socket as someone else, and not make the server forget a
socket that stays open (it would escape token expiry, room leaves and logout)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from tests.security.conftest import claims_for, craft
from tests.support.clients import Account, create_room, register
from tests.support.rawsocket import Closed, RawSocket
from tests.support.server import ServerProcess


async def emit(raw: RawSocket, *frame: Any) -> Any:
    ack_id = await raw.emit_raw(json.dumps(list(frame)))
    try:
        return await raw.ack(ack_id, timeout=5)
    except TimeoutError:
        return "no answer within 5 s"
    except IndexError:
        return "an empty ack"


async def test_a_connect_event_does_not_switch_the_sockets_identity(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    alice: Account = await register(http)
    bob: Account = await register(http)
    room = await create_room(http, alice, private=True)
    raw = await RawSocket(server.url).open(alice.token)
    try:
        answer = await emit(raw, "connect", {"REMOTE_ADDR": "10.0.0.1"}, {"token": bob.token})
        ack = await raw.call(
            "send", {"room_id": room["id"], "body": "who am I", "client_id": uuid.uuid4().hex}
        )
    finally:
        await raw.aclose()
    assert ack.get("ok") is True and ack["message"]["sender"]["id"] == alice.id, (
        f"after a client-sent connect event carrying bob's token, alice's socket sends as "
        f"{ack.get('message', {}).get('sender') or ack}"
    )
    assert isinstance(answer, dict) and answer.get("error", {}).get("code") == "invalid", answer


async def test_a_disconnect_event_does_not_let_a_socket_outlive_its_token(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    member: Account = await register(http)
    owner: Account = await register(http)
    room = await create_room(http, owner)
    assert (
        await http.post(f"/api/rooms/{room['id']}/members", headers=member.headers)
    ).status_code == 201
    expires = int(time.time()) + 3
    token = craft(claims_for(member.id, member.username, exp=expires))
    raw = await RawSocket(server.url).open(token)
    speaker = await RawSocket(server.url).open(owner.token)
    try:
        assert (await raw.call("join", {"room_id": room["id"]}))["ok"]
        answer = await emit(raw, "disconnect")
        # Past the token's expiry the server must have ended this socket...
        ended = False
        try:
            await raw.recv_until(lambda _: False, timeout=max(expires - time.time(), 0) + 6)
        except Closed:
            ended = True
        except TimeoutError:
            ended = False
        # ...and, if it did not, the room's messages must not reach it.
        heard = False
        if not ended:
            await speaker.call(
                "send", {"room_id": room["id"], "body": "after expiry", "client_id": "ae"}
            )
            try:
                await raw.recv_until(lambda p: p.startswith('42["message"'), timeout=3)
                heard = True
            except (TimeoutError, Closed):
                heard = False
    finally:
        raw.close()
        await speaker.aclose()
    assert ended, (
        f"a socket that sent a 'disconnect' event ({answer!r}) was still open after its token "
        f"expired; it {'still received' if heard else 'did not receive'} the room's messages"
    )
    assert isinstance(answer, dict) and answer.get("error", {}).get("code") == "invalid", answer


async def test_a_disconnect_event_does_not_let_a_socket_keep_hearing_a_room_it_left(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    owner: Account = await register(http)
    member: Account = await register(http)
    room = await create_room(http, owner, private=True)
    added = await http.post(
        f"/api/rooms/{room['id']}/members",
        json={"username": member.username},
        headers=owner.headers,
    )
    assert added.status_code == 201, added.text
    raw = await RawSocket(server.url).open(member.token)
    speaker = await RawSocket(server.url).open(owner.token)
    try:
        assert (await raw.call("join", {"room_id": room["id"]}))["ok"]
        assert (await speaker.call("join", {"room_id": room["id"]}))["ok"]
        answer = await emit(raw, "disconnect")
        left = await http.delete(f"/api/rooms/{room['id']}/members/me", headers=member.headers)
        assert left.status_code == 204
        sent = await speaker.call(
            "send", {"room_id": room["id"], "body": "members only", "client_id": "mo"}
        )
        assert sent["ok"], sent
        # The speaker's own copy arrives once the fan-out ran; by then the other has or has
        # not got one.
        await speaker.recv_until(lambda p: p.startswith('42["message"'), timeout=5)
        heard = any(p.startswith('42["message"') for p in raw.received)
        if not heard:
            try:
                await raw.recv_until(lambda p: p.startswith('42["message"'), timeout=2)
                heard = True
            except (TimeoutError, Closed):
                heard = False
    finally:
        raw.close()
        await speaker.aclose()
    assert not heard, (
        f"after a client-sent 'disconnect' event ({answer!r}) and leaving the private room, "
        "the socket still received the room's messages"
    )
