"""Accounts over REST: register, login, logout, me, and the tokens they accept and refuse."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
import socketio
from jwt.warnings import InsecureKeyLengthWarning

from tests.http.conftest import PROTECTED, assert_error, claims_for, unsigned_token
from tests.support.clients import Account, register, unique
from tests.support.server import TEST_SECRET, ServerProcess


async def test_register_answers_201_with_id_and_username(http: httpx.AsyncClient) -> None:
    name = unique()
    response = await http.post("/api/auth/register", json={"username": name, "password": "a" * 8})
    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "username": name}
    assert isinstance(body["id"], int) and body["id"] > 0


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "ab", "password": "long enough"},
        {"username": "a" * 33, "password": "long enough"},
        {"username": "has space", "password": "long enough"},
        {"username": "ümlaut", "password": "long enough"},
        {"username": "valid_name", "password": "short"},
        {"username": "valid_name", "password": "x" * 129},
        {"username": "valid_name"},
        {"password": "long enough"},
        {"username": 12345, "password": "long enough"},
        {"username": "valid_name", "password": 12345678},
        {"username": None, "password": None},
    ],
)
async def test_register_refuses_invalid_input_with_400(
    http: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    assert_error(await http.post("/api/auth/register", json=payload), 400, "invalid")


async def test_register_accepts_the_boundaries(http: httpx.AsyncClient) -> None:
    for username, password in ((unique()[:3] + "x", "p" * 8), (unique().ljust(32, "z"), "p" * 128)):
        response = await http.post(
            "/api/auth/register", json={"username": username[:32], "password": password}
        )
        assert response.status_code == 201, response.text


async def test_register_refuses_a_taken_username_in_any_case(http: httpx.AsyncClient) -> None:
    name = unique("Case")
    first = await http.post("/api/auth/register", json={"username": name, "password": "p" * 10})
    assert first.status_code == 201
    for taken in (name, name.upper(), name.lower()):
        again = await http.post(
            "/api/auth/register", json={"username": taken, "password": "q" * 10}
        )
        assert_error(again, 409, "conflict")


async def test_login_answers_a_bearer_token(http: httpx.AsyncClient) -> None:
    account = await register(http)
    response = await http.post(
        "/api/auth/login", json={"username": account.username, "password": account.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(account.id)
    assert claims["exp"] - claims["iat"] == 3600


async def test_login_is_case_insensitive_on_the_username(http: httpx.AsyncClient) -> None:
    account = await register(http)
    response = await http.post(
        "/api/auth/login",
        json={"username": account.username.upper(), "password": account.password},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "someone"},
        {"password": "something"},
        {"username": ["a"], "password": "something"},
        {"username": "someone", "password": 12345678},
    ],
)
async def test_login_refuses_malformed_input_with_400(
    http: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    assert_error(await http.post("/api/auth/login", json=payload), 400, "invalid")


async def test_login_refuses_wrong_credentials_with_401(http: httpx.AsyncClient) -> None:
    account = await register(http)
    wrong_password = await http.post(
        "/api/auth/login", json={"username": account.username, "password": "wrong-password"}
    )
    assert_error(wrong_password, 401, "unauthorized")
    unknown_user = await http.post(
        "/api/auth/login", json={"username": unique(), "password": account.password}
    )
    assert_error(unknown_user, 401, "unauthorized")
    # The same answer either way: nothing tells which usernames exist.
    assert wrong_password.json() == unknown_user.json()


async def test_me_answers_the_caller(http: httpx.AsyncClient, user: Account) -> None:
    response = await http.get("/api/users/me", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == {"id": user.id, "username": user.username}


async def test_logout_revokes_the_token_on_rest_and_socket(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    account = await register(http)
    other = await http.post(
        "/api/auth/login", json={"username": account.username, "password": account.password}
    )
    other_token = other.json()["access_token"]
    response = await http.post("/api/auth/logout", headers=account.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(await http.get("/api/users/me", headers=account.headers), 401, "unauthorized")
    assert_error(await http.post("/api/auth/logout", headers=account.headers), 401, "unauthorized")
    # Only that token: another session of the same user goes on.
    still = await http.get("/api/users/me", headers={"Authorization": f"Bearer {other_token}"})
    assert still.status_code == 200
    client = socketio.AsyncClient(reconnection=False)
    refusals: list[Any] = []
    client.on("connect_error", refusals.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            server.url, auth={"token": account.token}, transports=["websocket"], wait_timeout=10
        )
    assert refusals == [{"message": "unauthorized"}]


async def test_a_token_revoked_on_one_process_is_refused_by_another(
    http: httpx.AsyncClient, limits_server: ServerProcess
) -> None:
    account = await register(http)
    async with httpx.AsyncClient(base_url=limits_server.url, timeout=30) as elsewhere:
        assert (await elsewhere.get("/api/users/me", headers=account.headers)).status_code == 200
        assert (await http.post("/api/auth/logout", headers=account.headers)).status_code == 204
        refused = await elsewhere.get("/api/users/me", headers=account.headers)
        assert_error(refused, 401, "unauthorized")


@pytest.mark.parametrize("method_path", [f"{method} {path}" for method, path in PROTECTED])
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "bearer  x y", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Token abc"],
)
async def test_protected_endpoints_refuse_missing_or_malformed_credentials(
    http: httpx.AsyncClient, method_path: str, authorization: str | None
) -> None:
    method, path = method_path.split(" ")
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await http.request(method, path.format(room_id=1, user_id=1), headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def _hs512(claims: dict[str, Any]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # the test key is short
        return jwt.encode(claims, TEST_SECRET, algorithm="HS512")


def _flip(signature: str) -> str:
    """Another valid base64url signature of the same length."""
    return ("B" if signature[0] == "A" else "A") + signature[1:]


def _forgeries(account: Account) -> dict[str, str]:
    good = jwt.encode(claims_for(account), TEST_SECRET, algorithm="HS256")
    header, payload, signature = good.split(".")
    tampered_claims = unsigned_token({}, claims_for(account, sub="1", name="admin")).split(".")[1]
    return {
        "expired": jwt.encode(
            claims_for(account, iat=1_000_000, nbf=1_000_000, exp=1_000_060),
            TEST_SECRET,
            algorithm="HS256",
        ),
        "not yet valid": jwt.encode(
            claims_for(account, nbf=int(time.time()) + 600), TEST_SECRET, algorithm="HS256"
        ),
        "another key": jwt.encode(claims_for(account), "another-key-" * 4, algorithm="HS256"),
        "alg none": unsigned_token({"alg": "none", "typ": "JWT"}, claims_for(account)),
        "alg none with signature": unsigned_token(
            {"alg": "none", "typ": "JWT"}, claims_for(account), signature
        ),
        "HS512 with the same key": _hs512(claims_for(account)),
        "tampered payload": f"{header}.{tampered_claims}.{signature}",
        "tampered signature": f"{header}.{payload}.{_flip(signature)}",
        "no exp": jwt.encode(claims_for(account, exp=None), TEST_SECRET, algorithm="HS256"),
        "no jti": jwt.encode(claims_for(account, jti=None), TEST_SECRET, algorithm="HS256"),
        "no sub": jwt.encode(claims_for(account, sub=None), TEST_SECRET, algorithm="HS256"),
        "sub not a number": jwt.encode(
            claims_for(account, sub="abc"), TEST_SECRET, algorithm="HS256"
        ),
    }


async def test_forged_and_expired_tokens_are_refused(
    http: httpx.AsyncClient, user: Account
) -> None:
    control = jwt.encode(claims_for(user), TEST_SECRET, algorithm="HS256")
    response = await http.get("/api/users/me", headers={"Authorization": f"Bearer {control}"})
    assert response.status_code == 200, "a well-formed token with the server's key must pass"
    for name, token in _forgeries(user).items():
        response = await http.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"
        assert_error(response, 401, "unauthorized")


async def test_a_token_is_refused_once_its_ttl_has_passed(
    spawn: Callable[..., ServerProcess],
) -> None:
    short = spawn("ttl", ACCESS_TOKEN_TTL_SECONDS="1")
    async with httpx.AsyncClient(base_url=short.url, timeout=30) as client:
        account = await register(client)
        login = await client.post(
            "/api/auth/login", json={"username": account.username, "password": account.password}
        )
        assert login.json()["expires_in"] == 1
        token = login.json()["access_token"]
        expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
        headers = {"Authorization": f"Bearer {token}"}
        statuses = await _poll_until_refused(client, headers, timeout=10)
        assert time.time() >= expires_at, "refused before its expiry"
        assert set(statuses[:-1]) <= {200} and statuses[-1] == 401, statuses


async def _poll_until_refused(
    client: httpx.AsyncClient, headers: dict[str, str], timeout: float
) -> list[int]:
    statuses: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = await client.get("/api/users/me", headers=headers)
        statuses.append(response.status_code)
        if response.status_code != 200:
            assert_error(response, 401, "unauthorized")
            return statuses
        await asyncio.sleep(0.05)  # poll interval, not a wait for the outcome
    raise AssertionError(f"token still accepted after {timeout}s")
