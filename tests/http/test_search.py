"""GET /api/search: every word matches a whole word or its start, case-insensitive, newest
first, only in rooms the caller may read; deleted messages never match, edited ones by their
new body; keyset pages by message id. Messages are sent over the socket, as users send them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.http.conftest import Cast, assert_error
from tests.support.clients import Account, SocketClient, create_room
from tests.support.contract import MESSAGE_KEYS


def word() -> str:
    """A word no other test's message holds: letters then digits."""
    return "w" + uuid.uuid4().hex[:12]


async def search(
    http: httpx.AsyncClient, account: Account, **params: Any
) -> tuple[list[dict[str, Any]], bool]:
    response = await http.get("/api/search", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"results", "has_more"}
    for message in body["results"]:
        assert set(message) >= MESSAGE_KEYS
    return body["results"], body["has_more"]


class Room:
    def __init__(self, room: dict[str, Any], socket: SocketClient) -> None:
        self.id: int = room["id"]
        self.socket = socket

    async def send(self, body: str) -> dict[str, Any]:
        ack = await self.socket.call(
            "send", {"room_id": self.id, "body": body, "client_id": uuid.uuid4().hex}
        )
        assert ack["ok"], ack
        message: dict[str, Any] = ack["message"]
        return message


@pytest.fixture
def room_of(http: httpx.AsyncClient, sockets: Callable[..., SocketClient]) -> Callable[..., Any]:
    async def make(owner: Account, *, private: bool = False) -> Room:
        room = await create_room(http, owner, private=private)
        socket = await sockets(owner.token).connect()
        ack = await socket.call("join", {"room_id": room["id"]})
        assert ack["ok"], ack
        return Room(room, socket)

    return make


async def test_every_word_matches_a_whole_word_or_its_start_without_regard_to_case(
    http: httpx.AsyncClient, cast: Cast, room_of: Callable[..., Any]
) -> None:
    a, b = word(), word()
    room = await room_of(cast.owner)
    both = await room.send(f"Meet {a.upper()} at the {b}-station, ok?")
    only_a = await room.send(f"just {a} here")
    await room.send(f"{b} alone")
    await room.send(f"inside x{a}y a longer word")

    results, has_more = await search(http, cast.member, q=f"{a} {b}")
    assert [m["id"] for m in results] == [both["id"]] and not has_more
    assert results[0]["body"] == both["body"]

    results, _ = await search(http, cast.member, q=a[:9].upper())
    assert [m["id"] for m in results] == [only_a["id"], both["id"]], "newest first, prefixes"

    results, _ = await search(http, cast.member, q=f"{a}zz")
    assert results == [], "a query word longer than the body's word is no prefix of it"


async def test_punctuation_and_underscores_separate_words_on_both_sides(
    http: httpx.AsyncClient, cast: Cast, room_of: Callable[..., Any]
) -> None:
    a, b, c = word(), word(), word()
    room = await room_of(cast.owner)
    sent = await room.send(f"see {a}.{b}@example.com and {c}_case, Ünï{a[1:]}")

    for q in (b, f"{a} {b}", f"{c}_CASE", "case " + c, f"{a}.{b}", f"ünï{a[1:]}"):
        results, _ = await search(http, cast.member, q=q, room_id=room.id)
        assert [m["id"] for m in results] == [sent["id"]], q


async def test_only_rooms_the_caller_may_read(
    http: httpx.AsyncClient, cast: Cast, room_of: Callable[..., Any]
) -> None:
    secret = word()
    private = await room_of(cast.owner, private=True)
    public = await room_of(cast.owner)
    hidden = await private.send(f"the {secret} plan")
    shown = await public.send(f"the {secret} party")

    mine, _ = await search(http, cast.owner, q=secret)
    assert [m["id"] for m in mine] == [shown["id"], hidden["id"]]

    theirs, _ = await search(http, cast.outsider, q=secret)
    assert [m["id"] for m in theirs] == [shown["id"]]
    theirs, _ = await search(http, cast.outsider, q=secret, room_id=private.id)
    assert theirs == [], "a private room's messages never reach a non-member, by id either"

    response = await http.post(
        f"/api/rooms/{private.id}/members",
        json={"username": cast.third.username},
        headers=cast.owner.headers,
    )
    assert response.status_code == 201, response.text
    added, _ = await search(http, cast.third, q=secret, room_id=private.id)
    assert [m["id"] for m in added] == [hidden["id"]]


async def test_deleted_never_match_and_edited_match_their_new_body_only(
    http: httpx.AsyncClient, cast: Cast, room_of: Callable[..., Any]
) -> None:
    old, new, gone = word(), word(), word()
    room = await room_of(cast.owner)
    edited = await room.send(f"first {old}")
    deleted = await room.send(f"soon {gone}")

    ack = await room.socket.call("edit", {"message_id": edited["id"], "body": f"now {new}"})
    assert ack["ok"], ack
    ack = await room.socket.call("delete", {"message_id": deleted["id"]})
    assert ack["ok"], ack

    assert (await search(http, cast.member, q=old))[0] == []
    assert [m["id"] for m in (await search(http, cast.member, q=new))[0]] == [edited["id"]]
    assert (await search(http, cast.member, q=gone))[0] == []


async def test_pages_walk_every_match_once_newest_first(
    http: httpx.AsyncClient, cast: Cast, room_of: Callable[..., Any]
) -> None:
    tag = word()
    room = await room_of(cast.owner)
    sent = [(await room.send(f"{tag} number {n}"))["id"] for n in range(7)]

    seen: list[int] = []
    before: int | None = None
    while True:
        params: dict[str, Any] = {"q": tag, "limit": 3}
        if before is not None:
            params["before"] = before
        results, has_more = await search(http, cast.member, **params)
        assert len(results) == (3 if has_more else 1)
        seen.extend(m["id"] for m in results)
        if not has_more:
            break
        before = results[-1]["id"]
    assert seen == sorted(sent, reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 201},
        {"q": "ok", "limit": "0"},
        {"q": "ok", "limit": "101"},
        {"q": "ok", "limit": "ten"},
        {"q": "ok", "before": "-1"},
        {"q": "ok", "before": "0"},
        {"q": "ok", "room_id": "0"},
        {"q": "ok", "room_id": "9" * 20},
        {"q": "ok", "room_id": str(2**63)},
        {"q": "ok", "before": str(2**63)},
    ],
)
async def test_bad_queries_are_400(
    http: httpx.AsyncClient, cast: Cast, params: dict[str, str]
) -> None:
    response = await http.get("/api/search", params=params, headers=cast.member.headers)
    assert_error(response, 400, "invalid")


async def test_a_query_without_letters_or_digits_matches_nothing(
    http: httpx.AsyncClient, cast: Cast, room_of: Callable[..., Any]
) -> None:
    room = await room_of(cast.owner)
    await room.send("... !!! ___ ,,,")
    assert await search(http, cast.member, q=" .,;!_ ") == ([], False)


async def test_search_needs_a_token(http: httpx.AsyncClient) -> None:
    assert_error(await http.get("/api/search", params={"q": "hello"}), 401, "unauthorized")


async def test_a_query_of_200_characters_is_answered(http: httpx.AsyncClient, cast: Cast) -> None:
    q = " ".join(["ab"] * 66) + " ab"
    assert len(q) <= 200
    results, _ = await search(http, cast.member, q=q[:200])
    assert isinstance(results, list)
