"""Small hardening items: /metrics only where the operator chooses, a token claiming an
expiry past year 9999, and an owner who cannot orphan a room (second edition: 409 while
others are members, PATCH to hand it over)."""

from __future__ import annotations

import httpx

from tests.realtime.helpers import refusal
from tests.security.conftest import Spawn, claims_for, craft
from tests.support.clients import Account, create_room, register

SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


async def test_metrics_are_off_unless_enabled(ephemeral: Spawn) -> None:
    server = ephemeral("metrics-off", METRICS_ENABLED="false")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.get("/metrics")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "chat_" not in response.text


async def test_metrics_with_a_token_answer_only_its_bearer(ephemeral: Spawn) -> None:
    token = "metrics-token-0123456789"
    server = ephemeral("metrics-token", METRICS_ENABLED="true", METRICS_TOKEN=token)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
            refused = await http.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.json()["code"] == "unauthorized"
            assert "chat_" not in refused.text
        served = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert served.status_code == 200
    assert "chat_connected_sockets" in served.text
    for name in SECURITY_HEADERS:
        assert name in served.headers, name
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "no-store"


async def test_a_token_expiring_after_year_9999_is_refused_not_an_error(
    http: httpx.AsyncClient, server: object, user: Account
) -> None:
    for exp in (253_402_300_800, 10**20):
        token = craft(claims_for(user.id, user.username, exp=exp))
        headers = {"Authorization": f"Bearer {token}"}
        logout = await http.post("/api/auth/logout", headers=headers)
        assert logout.status_code == 401, (exp, logout.text)
        assert logout.json()["code"] == "unauthorized"
        assert (await http.get("/api/users/me", headers=headers)).status_code == 401
        assert await refusal(str(http.base_url).rstrip("/"), {"token": token}) == "unauthorized"


async def test_the_owner_hands_a_room_over_before_leaving_it(http: httpx.AsyncClient) -> None:
    owner, member, outsider = [await register(http) for _ in range(3)]
    room = await create_room(http, owner)
    path = f"/api/rooms/{room['id']}"
    assert (await http.post(f"{path}/members", headers=member.headers)).status_code == 201

    leaving = await http.delete(f"{path}/members/me", headers=owner.headers)
    assert leaving.status_code == 409, leaving.text
    assert leaving.json()["code"] == "conflict"
    # Nothing changed: the owner is still a member and still the owner.
    assert (await http.get(path, headers=owner.headers)).json()["owner"]["id"] == owner.id

    refusals = [
        (member, {"owner": member.username}, 403, "forbidden"),
        (owner, {"owner": outsider.username}, 404, "not_found"),
        (owner, {"owner": "no_such_user_x"}, 404, "not_found"),
        (owner, {"owner": "x"}, 400, "invalid"),
        (owner, {"owner": 7}, 400, "invalid"),
        (owner, {}, 400, "invalid"),
    ]
    for caller, body, status, error in refusals:
        response = await http.patch(path, json=body, headers=caller.headers)
        assert (response.status_code, response.json()["code"]) == (status, error), body
    assert (await http.patch(path, json={"owner": member.username})).status_code == 401
    missing = await http.patch(
        "/api/rooms/2147483000", json={"owner": member.username}, headers=owner.headers
    )
    assert missing.status_code == 404

    handed = await http.patch(path, json={"owner": member.username}, headers=owner.headers)
    assert handed.status_code == 200, handed.text
    assert handed.json()["owner"] == {"id": member.id, "username": member.username}
    # The former owner is an ordinary member now, free to leave; the new owner is held back.
    assert (await http.delete(f"{path}/members/me", headers=owner.headers)).status_code == 204
    alone = await http.delete(f"{path}/members/me", headers=member.headers)
    assert alone.status_code == 204, "the owner of a room without other members may leave"


async def test_a_private_rooms_new_owner_adds_members(http: httpx.AsyncClient) -> None:
    owner, heir, guest = [await register(http) for _ in range(3)]
    room = await create_room(http, owner, private=True)
    path = f"/api/rooms/{room['id']}"
    added = await http.post(
        f"{path}/members", json={"username": heir.username}, headers=owner.headers
    )
    assert added.status_code == 201
    handed = await http.patch(path, json={"owner": heir.username}, headers=owner.headers)
    assert handed.status_code == 200
    by_old = await http.post(
        f"{path}/members", json={"username": guest.username}, headers=owner.headers
    )
    assert by_old.status_code == 403
    by_new = await http.post(
        f"{path}/members", json={"username": guest.username}, headers=heir.headers
    )
    assert by_new.status_code == 201
