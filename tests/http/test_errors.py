"""Every failure answers {"message", "code"} with the right status; nothing is a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.http.conftest import Cast, assert_error
from tests.support.clients import unique

LIMIT = 65536  # MAX_REQUEST_BYTES


@pytest.mark.parametrize(
    "path",
    [
        "/api/nothing/here",
        "/api/rooms/abc",
        "/api/rooms/0",
        "/api/rooms/-1",
        "/api/rooms/1.5",
        "/api/rooms/1/nothing",
        "/api/users/someone",
        "/api/auth",
        "/api/rooms/%00",
    ],
)
async def test_unknown_routes_are_json_404(http: httpx.AsyncClient, cast: Cast, path: str) -> None:
    assert_error(await http.get(path, headers=cast.owner.headers), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/rooms", {"GET", "POST"}),
        ("DELETE", "/api/rooms", {"GET", "POST"}),
        ("GET", "/api/auth/login", {"POST"}),
        ("PUT", "/api/rooms/1", {"GET", "PATCH"}),
        ("GET", "/api/rooms/1/members", {"POST"}),
        ("POST", "/api/rooms/1/members/me", {"DELETE"}),
        ("TRACE", "/api/users/me", {"GET"}),
        ("DELETE", "/api/rooms/1/messages", {"GET", "POST"}),
    ],
)
async def test_wrong_methods_are_405_with_allow(
    http: httpx.AsyncClient, cast: Cast, method: str, path: str, allowed: set[str]
) -> None:
    response = await http.request(method, path, headers=cast.owner.headers)
    assert_error(response, 405, "method_not_allowed")
    advertised = {m.strip() for m in response.headers["allow"].split(",")}
    assert advertised - {"HEAD", "OPTIONS"} == allowed


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"username": "abc", }',
        b"[1, 2]",
        b'"just a string"',
        b"null",
        b"42",
        b"\xff\xfe{}",
        b"[" * 60_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b'{"username": "valid_name", "password": "\\ud800\\udfff but \\ud800 alone"}',
        b'{"username": "valid_name", "password": 1e999}',
        b'{"username": "valid_name", "password": ' + b"9" * 5000 + b"}",
    ],
)
@pytest.mark.parametrize("path", ["/api/auth/register", "/api/auth/login"])
async def test_malformed_json_is_400(http: httpx.AsyncClient, path: str, body: bytes) -> None:
    response = await http.post(path, content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid")


async def test_a_lone_surrogate_in_a_password_is_400_not_500(http: httpx.AsyncClient) -> None:
    body = b'{"username": "surrogate_user", "password": "long enough \\udc80"}'
    for path in ("/api/auth/register", "/api/auth/login"):
        response = await http.post(path, content=body, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x", "a/b"],
)
async def test_bodies_that_are_not_json_are_415(
    http: httpx.AsyncClient, cast: Cast, content_type: str | None
) -> None:
    headers = dict(cast.owner.headers)
    if content_type:
        headers["Content-Type"] = content_type
    response = await http.post("/api/rooms", content=b'{"name": "typed"}', headers=headers)
    assert_error(response, 415, "unsupported_media_type")


async def test_a_json_suffix_media_type_is_json(http: httpx.AsyncClient, cast: Cast) -> None:
    response = await http.post(
        "/api/rooms",
        content=b'{"name": "vendor json room"}',
        headers={**cast.owner.headers, "Content-Type": "application/vnd.chat+json; charset=utf-8"},
    )
    assert response.status_code in (201, 409), response.text


async def test_empty_bodies_where_one_is_required_are_400(
    http: httpx.AsyncClient, cast: Cast
) -> None:
    for path in ("/api/auth/register", "/api/auth/login", "/api/rooms"):
        response = await http.post(path, headers=cast.owner.headers)
        assert_error(response, 400, "invalid")


async def test_an_oversize_body_is_413(http: httpx.AsyncClient, cast: Cast) -> None:
    body = b'{"name": "' + b"x" * LIMIT + b'"}'
    huge = b'{"name": "' + b"x" * (10 * LIMIT) + b'"}'
    for path, content in (
        ("/api/auth/register", body),
        ("/api/auth/login", body),
        ("/api/rooms", body),
        ("/api/rooms", huge),
    ):
        response = await http.post(
            path,
            content=content,
            headers={**cast.owner.headers, "Content-Type": "application/json"},
        )
        assert_error(response, 413, "too_large")


async def test_an_oversize_chunked_body_is_413(http: httpx.AsyncClient, cast: Cast) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(80):
            yield b"x" * 8192
        yield b'"}'

    response = await http.post(
        "/api/rooms",
        content=chunks(),
        headers={**cast.owner.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "too_large")


async def test_a_chunked_body_is_read_whole(http: httpx.AsyncClient, cast: Cast) -> None:
    name = unique("chunked")

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": '
        yield f'"{name}"'.encode()
        yield b', "private": true}'

    response = await http.post(
        "/api/rooms",
        content=chunks(),
        headers={**cast.owner.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name
    assert response.json()["private"] is True


async def test_many_repeated_headers_are_refused_not_a_500(http: httpx.AsyncClient) -> None:
    headers = [("X-Repeated", str(n)) for n in range(150)]
    response = await http.get("/api/health", headers=headers)
    assert_error(response, 431, "too_large")


async def test_a_body_just_under_the_limit_is_read(http: httpx.AsyncClient, cast: Cast) -> None:
    padding = "p" * (LIMIT - 200)
    response = await http.post(
        "/api/rooms",
        json={"name": "padded room " + padding[:10], "padding": padding},
        headers=cast.owner.headers,
    )
    assert response.status_code in (201, 409), response.text


async def test_head_and_options_are_answered(http: httpx.AsyncClient, cast: Cast) -> None:
    head = await http.head("/api/users/me", headers=cast.owner.headers)
    assert head.status_code == 200
    assert head.content == b""
    options = await http.options("/api/rooms")
    assert options.status_code == 200
    assert {m.strip() for m in options.headers["allow"].split(",")} >= {"GET", "POST"}
