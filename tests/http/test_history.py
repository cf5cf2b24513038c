"""GET /api/rooms/{room_id}/messages: keyset pages in ascending seq, both ways."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.http.conftest import Cast, RoomMaker, Seeder, assert_error
from tests.support.clients import create_room
from tests.support.contract import MESSAGE_KEYS


async def page(
    http: httpx.AsyncClient, room_id: int, headers: dict[str, str], **params: Any
) -> tuple[list[int], bool]:
    response = await http.get(f"/api/rooms/{room_id}/messages", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"messages", "has_more"}
    return [message["seq"] for message in body["messages"]], body["has_more"]


@pytest.fixture(scope="module")
async def big_room(server: Any, cast: Cast, seed: Seeder) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        room = await create_room(http, cast.owner)
    started = time.monotonic()
    await seed(cast.owner, room["id"], 1000)
    print(f"seeded 1000 messages in {time.monotonic() - started:.2f}s")
    return room


async def test_walking_forward_sees_every_seq_once_in_order(
    http: httpx.AsyncClient, cast: Cast, big_room: dict[str, Any]
) -> None:
    seen: list[int] = []
    after, pages = 0, 0
    while True:
        seqs, has_more = await page(
            http, big_room["id"], cast.member.headers, after=after, limit=37
        )
        pages += 1
        assert seqs == sorted(seqs)
        assert len(seqs) == (37 if has_more else 1000 % 37)
        seen.extend(seqs)
        if not has_more:
            break
        after = seqs[-1]
    assert seen == list(range(1, 1001))
    assert pages == 28


async def test_walking_backward_sees_every_seq_once_in_order(
    http: httpx.AsyncClient, cast: Cast, big_room: dict[str, Any]
) -> None:
    pages: list[list[int]] = []
    params: dict[str, int] = {"limit": 37}
    while True:
        seqs, has_more = await page(http, big_room["id"], cast.member.headers, **params)
        assert seqs == sorted(seqs)
        assert len(seqs) == (37 if has_more else 1000 % 37)
        pages.append(seqs)
        if not has_more:
            break
        params = {"limit": 37, "before": seqs[0]}
    assert pages[0] == list(range(964, 1001))
    assert [seq for seqs in reversed(pages) for seq in seqs] == list(range(1, 1001))


async def test_default_page_is_the_newest_fifty(
    http: httpx.AsyncClient, cast: Cast, big_room: dict[str, Any]
) -> None:
    seqs, has_more = await page(http, big_room["id"], cast.owner.headers)
    assert seqs == list(range(951, 1001))
    assert has_more is True
    assert (await page(http, big_room["id"], cast.owner.headers, limit=200))[0] == list(
        range(801, 1001)
    )
    assert (await page(http, big_room["id"], cast.owner.headers, limit=1))[0] == [1000]


async def test_bounds_in_a_small_room(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker, seed: Seeder
) -> None:
    room = await room_with_member(private=True)
    headers = cast.member.headers
    assert await page(http, room["id"], headers) == ([], False)
    await seed(cast.member, room["id"], 10)
    cases: list[tuple[dict[str, int], tuple[list[int], bool]]] = [
        ({}, (list(range(1, 11)), False)),
        ({"limit": 10}, (list(range(1, 11)), False)),
        ({"limit": 3}, ([8, 9, 10], True)),
        ({"before": 8, "limit": 3}, ([5, 6, 7], True)),
        ({"before": 3, "limit": 3}, ([1, 2], False)),
        ({"before": 1}, ([], False)),
        ({"before": 0}, ([], False)),
        ({"before": 9_223_372_036_854_775_807}, (list(range(1, 11)), False)),
        ({"after": 7, "limit": 3}, ([8, 9, 10], False)),
        ({"after": 2, "limit": 3}, ([3, 4, 5], True)),
        ({"after": 0, "limit": 2}, ([1, 2], True)),
        ({"after": 10}, ([], False)),
        ({"after": 2, "before": 6}, ([3, 4, 5], False)),
    ]
    for params, expected in cases:
        assert await page(http, room["id"], headers, **params) == expected, params


async def test_messages_have_the_contract_shape(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker, seed: Seeder
) -> None:
    room = await room_with_member(private=False)
    await seed(cast.owner, room["id"], 2)
    response = await http.get(f"/api/rooms/{room['id']}/messages", headers=cast.member.headers)
    messages = response.json()["messages"]
    assert [m["seq"] for m in messages] == [1, 2]
    for n, message in enumerate(messages):
        assert set(message) == MESSAGE_KEYS
        assert message["room_id"] == room["id"]
        assert message["sender"] == {"id": cast.owner.id, "username": cast.owner.username}
        assert message["body"] == f"message {n}"
        assert message["created_at"].endswith("Z")
        assert message["edited_at"] is None
        assert message["deleted"] is False
        assert isinstance(message["client_id"], str)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "limit=+5",
        "limit=1_0",
        "limit=%D9%A3",  # an Arabic-Indic three: int() would take it
        "limit=%205",
        "before=-1",
        "before=x",
        "after=-3",
        "after=1e3",
        "before=9223372036854775808",
        "after=99999999999999999999",
        f"after={'9' * 5000}",
    ],
)
async def test_bad_parameters_are_400(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker, query: str
) -> None:
    room = await room_with_member(private=False)
    response = await http.get(
        f"/api/rooms/{room['id']}/messages?{query}", headers=cast.owner.headers
    )
    assert_error(response, 400, "invalid")


async def test_history_of_unknown_and_forbidden_rooms(
    http: httpx.AsyncClient, cast: Cast, room_with_member: RoomMaker
) -> None:
    headers = cast.outsider.headers
    for room_id in ("987654321", "9" * 30):
        response = await http.get(f"/api/rooms/{room_id}/messages", headers=headers)
        assert_error(response, 404, "not_found")
    private = await room_with_member(private=True)
    response = await http.get(f"/api/rooms/{private['id']}/messages", headers=headers)
    assert_error(response, 403, "forbidden")
    public = await room_with_member(private=False)
    response = await http.get(f"/api/rooms/{public['id']}/messages", headers=headers)
    assert response.status_code == 200
