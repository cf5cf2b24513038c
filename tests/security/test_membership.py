"""ASVS 5.0 V8.2 (authorisation at every access; no IDOR) and the contract's guarantee 5
(membership is checked on every event): an outsider, a member and the owner against a public
and a private room, over every REST endpoint and every socket event."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.clients import Account, SocketClient, create_room, register

DENIED = ("forbidden", "not_found")


@dataclass
class World:
    owner: Account
    member: Account
    outsider: Account
    public: dict[str, Any]
    private: dict[str, Any]
    public_msg: dict[str, Any]
    private_msg: dict[str, Any]
    member_msg: dict[str, Any]


@pytest.fixture
async def world(http: httpx.AsyncClient, sockets: Callable[..., SocketClient]) -> World:
    owner = await register(http)
    member = await register(http)
    outsider = await register(http)
    public = await create_room(http, owner)
    private = await create_room(http, owner, private=True)
    assert (
        await http.post(f"/api/rooms/{public['id']}/members", headers=member.headers)
    ).status_code == 201
    added = await http.post(
        f"/api/rooms/{private['id']}/members",
        json={"username": member.username},
        headers=owner.headers,
    )
    assert added.status_code == 201, added.text
    client = await sockets(owner.token).connect()
    member_client = await sockets(member.token).connect()
    msgs = []
    for who, room in ((client, public), (client, private), (member_client, private)):
        assert (await who.call("join", {"room_id": room["id"]}))["ok"]
        ack = await who.call(
            "send", {"room_id": room["id"], "body": "secret", "client_id": uuid.uuid4().hex}
        )
        assert ack["ok"], ack
        msgs.append(ack["message"])
    await client.close()
    await member_client.close()
    return World(owner, member, outsider, public, private, *msgs)


async def test_rest_matrix(http: httpx.AsyncClient, world: World) -> None:
    w = world
    pub, priv = w.public["id"], w.private["id"]
    expect: list[tuple[Account, str, str, dict[str, Any] | None, set[int]]] = [
        # who, method, path, json, allowed statuses
        (w.outsider, "GET", f"/api/rooms/{priv}", None, {404}),
        (w.member, "GET", f"/api/rooms/{priv}", None, {200}),
        (w.owner, "GET", f"/api/rooms/{priv}", None, {200}),
        (w.outsider, "GET", f"/api/rooms/{priv}/messages", None, {403, 404}),
        (w.member, "GET", f"/api/rooms/{priv}/messages", None, {200}),
        (w.outsider, "GET", f"/api/rooms/{pub}/messages", None, {200}),
        (w.outsider, "POST", f"/api/rooms/{priv}/members", None, {403, 404}),
        (
            w.outsider,
            "POST",
            f"/api/rooms/{priv}/members",
            {"username": w.outsider.username},
            {403, 404},
        ),
        (w.member, "POST", f"/api/rooms/{priv}/members", {"username": w.outsider.username}, {403}),
        (w.outsider, "DELETE", f"/api/rooms/{priv}/members/me", None, {404}),
        (w.outsider, "GET", f"/api/rooms/{priv + 1000}", None, {404}),
    ]
    for who, method, path, body, allowed in expect:
        response = await http.request(method, path, json=body, headers=who.headers)
        name = {w.owner.id: "owner", w.member.id: "member", w.outsider.id: "outsider"}[who.id]
        assert response.status_code in allowed, (
            name,
            method,
            path,
            response.status_code,
            response.text,
        )
        if response.status_code >= 400:
            assert "secret" not in response.text

    listed = await http.get("/api/rooms", headers=w.outsider.headers)
    ids = {room["id"] for room in listed.json()}
    assert pub in ids and priv not in ids
    # The outsider is still not a member after all those attempts.
    assert (
        await http.get(f"/api/rooms/{priv}/messages", headers=w.outsider.headers)
    ).status_code in (403, 404)


async def test_socket_matrix_outsider_gets_nothing_of_a_private_room(
    sockets: Callable[..., SocketClient], world: World
) -> None:
    w = world
    priv = w.private["id"]
    outsider = await sockets(w.outsider.token).connect()
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("join", {"room_id": priv}),
        ("join", {"room_id": priv, "since_seq": 0}),
        ("send", {"room_id": priv, "body": "let me in", "client_id": "x1"}),
        ("typing", {"room_id": priv}),
        ("read", {"room_id": priv, "seq": 1}),
        ("leave", {"room_id": priv}),
        ("edit", {"message_id": w.private_msg["id"], "body": "defaced"}),
        ("delete", {"message_id": w.private_msg["id"]}),
    ]
    for event, payload in attempts:
        ack = await outsider.call(event, payload)
        if event == "leave" and ack["ok"]:
            continue  # leaving what one is not in may be a no-op
        assert ack["ok"] is False, (event, ack)
        assert ack["error"]["code"] in DENIED, (event, ack)
        assert "secret" not in str(ack)

    # Nothing of the room reaches the outsider: the owner's next message goes to the member
    # (the witness) and not to the outsider.
    owner = await sockets(w.owner.token).connect()
    member = await sockets(w.member.token).connect()
    for client in (owner, member):
        assert (await client.call("join", {"room_id": priv}))["ok"]
    sent = await owner.call("send", {"room_id": priv, "body": "for members", "client_id": "m2"})
    await member.recorder.wait_for(
        lambda r: any(m["id"] == sent["message"]["id"] for m in r.of("message")), what="witness"
    )
    await owner.call("typing", {"room_id": priv})
    await member.recorder.wait_for(lambda r: bool(r.of("typing")), what="typing at the witness")
    assert not [
        e
        for e in outsider.recorder.events
        if e[0] in ("message", "typing", "presence", "message_updated")
    ], outsider.recorder.events


async def test_edit_and_delete_rules(sockets: Callable[..., SocketClient], world: World) -> None:
    w = world
    member = await sockets(w.member.token).connect()
    owner = await sockets(w.owner.token).connect()
    # A member edits or deletes only its own; the owner deletes anyone's, edits only its own.
    ack = await member.call("edit", {"message_id": w.private_msg["id"], "body": "mine now"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack
    ack = await member.call("delete", {"message_id": w.private_msg["id"]})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack
    ack = await owner.call("edit", {"message_id": w.member_msg["id"], "body": "owner edit"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack
    ack = await owner.call("delete", {"message_id": w.member_msg["id"]})
    assert ack["ok"] is True and ack["message"]["deleted"] is True, ack
    ack = await member.call("edit", {"message_id": w.public_msg["id"], "body": "x"})
    assert ack["ok"] is False and ack["error"]["code"] in DENIED, ack


async def test_membership_is_checked_on_every_event_not_only_at_join(
    http: httpx.AsyncClient, sockets: Callable[..., SocketClient], world: World
) -> None:
    w = world
    priv = w.private["id"]
    member = await sockets(w.member.token).connect()
    owner = await sockets(w.owner.token).connect()
    for client in (member, owner):
        assert (await client.call("join", {"room_id": priv}))["ok"]
    left = await http.delete(f"/api/rooms/{priv}/members/me", headers=w.member.headers)
    assert left.status_code == 204
    # The socket that joined before is refused from now on...
    for event, payload in (
        ("send", {"room_id": priv, "body": "still here?", "client_id": "late"}),
        ("typing", {"room_id": priv}),
        ("read", {"room_id": priv, "seq": 1}),
        ("edit", {"message_id": w.member_msg["id"], "body": "late edit"}),
    ):
        ack = await member.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] in DENIED, (event, ack)
    # ...and no longer hears the room.
    before = len(member.recorder.of("message"))
    sent = await owner.call("send", {"room_id": priv, "body": "after you left", "client_id": "al"})
    assert sent["ok"]
    witness = await sockets(w.owner.token).connect()
    assert (await witness.call("join", {"room_id": priv}))["ok"]
    second = await owner.call("send", {"room_id": priv, "body": "sync", "client_id": "sync"})
    await witness.recorder.wait_for(
        lambda r: any(m["id"] == second["message"]["id"] for m in r.of("message")), what="sync"
    )
    assert len(member.recorder.of("message")) == before, member.recorder.of("message")
