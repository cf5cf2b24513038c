"""Who may do what: outsider, member and owner, on each room endpoint, public and private.

Each case gets a fresh room (owner + one member), so a case that joins or leaves changes
nothing for the next."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.http.conftest import Cast, RoomMaker, assert_error

ROLES = ("outsider", "member", "owner")
CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 409: "conflict"}

# endpoint -> visibility -> status for (outsider, member, owner)
MATRIX: dict[str, dict[str, tuple[int, int, int]]] = {
    "get room": {"public": (200, 200, 200), "private": (404, 200, 200)},
    "history": {"public": (200, 200, 200), "private": (403, 200, 200)},
    # Joining a room one already belongs to is a no-op that succeeds.
    "join": {"public": (201, 201, 201), "private": (404, 201, 201)},
    "add another user": {"public": (403, 403, 403), "private": (404, 403, 201)},
    # The owner of a room with other members hands it over before leaving.
    "leave": {"public": (404, 204, 409), "private": (404, 204, 409)},
}

CASES = [
    pytest.param(endpoint, visibility, role, statuses[i], id=f"{endpoint}-{visibility}-{role}")
    for endpoint, by_visibility in MATRIX.items()
    for visibility, statuses in by_visibility.items()
    for i, role in enumerate(ROLES)
]


async def call(
    http: httpx.AsyncClient, endpoint: str, room_id: int, headers: dict[str, str], cast: Cast
) -> httpx.Response:
    base = f"/api/rooms/{room_id}"
    if endpoint == "get room":
        return await http.get(base, headers=headers)
    if endpoint == "history":
        return await http.get(f"{base}/messages", headers=headers)
    if endpoint == "join":
        return await http.post(f"{base}/members", headers=headers)
    if endpoint == "add another user":
        return await http.post(
            f"{base}/members", json={"username": cast.third.username}, headers=headers
        )
    assert endpoint == "leave"
    return await http.delete(f"{base}/members/me", headers=headers)


@pytest.mark.parametrize(("endpoint", "visibility", "role", "expected"), CASES)
async def test_room_endpoint_authorization(
    http: httpx.AsyncClient,
    cast: Cast,
    room_with_member: RoomMaker,
    endpoint: str,
    visibility: str,
    role: str,
    expected: int,
) -> None:
    room = await room_with_member(private=visibility == "private")
    response = await call(http, endpoint, room["id"], cast.role(role).headers, cast)
    if expected >= 400:
        assert_error(response, expected, CODES[expected])
    else:
        assert response.status_code == expected, response.text


@pytest.mark.parametrize("visibility", ["public", "private"])
async def test_room_listing_by_role(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker, visibility: str
) -> None:
    room = await room_with_member(private=visibility == "private")
    seen: dict[str, dict[str, Any] | None] = {}
    for role in ROLES:
        response = await http.get("/api/rooms", headers=cast.role(role).headers)
        assert response.status_code == 200
        seen[role] = next((r for r in response.json() if r["id"] == room["id"]), None)
    for role in ("member", "owner"):
        entry = seen[role]
        assert entry is not None and entry["member"] is True and entry["unread"] == 0
    if visibility == "private":
        assert seen["outsider"] is None
    else:
        outsider = seen["outsider"]
        assert outsider is not None and outsider["member"] is False and "unread" not in outsider
