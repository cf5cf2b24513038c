"""REST provisioning before a run: users, their tokens, and the benchmark's rooms.

Uses only the contract (docs/protocol.md): POST /api/auth/register, POST /api/auth/login,
POST /api/rooms and GET /api/rooms. The reference servers answer the same calls.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ProvisionError(RuntimeError):
    pass


def http_json(
    method: str,
    url: str,
    body: Any = None,
    token: str | None = None,
    timeout: float = 60.0,
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
    request.add_header("Accept", "application/json")
    request.add_header("Connection", "close")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        status = exc.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


@dataclass(frozen=True)
class Provisioned:
    tokens: list[str]
    room_ids: list[Any]
    seconds: float


PASSWORD = "bench-password-123"  # noqa: S105 - throwaway benchmark accounts


def user_name(run_id: str, i: int) -> str:
    return f"b{run_id}_{i}"


def login(base: str, username: str, attempts: int = 20) -> str:
    for attempt in range(attempts):
        status, body = http_json(
            "POST", base + "/api/auth/login", {"username": username, "password": PASSWORD}
        )
        if status == 200 and isinstance(body, dict) and "access_token" in body:
            return str(body["access_token"])
        if status in (429, 503) or status >= 500:
            time.sleep(min(5.0, 0.2 * 2**attempt))
            continue
        raise ProvisionError(f"login {username}: {status} {body}")
    raise ProvisionError(f"login {username}: still refused after {attempts} attempts")


def register(base: str, username: str) -> None:
    for attempt in range(10):
        status, body = http_json(
            "POST", base + "/api/auth/register", {"username": username, "password": PASSWORD}
        )
        if status in (201, 409):
            return
        if status in (429, 503) or status >= 500:
            time.sleep(min(5.0, 0.2 * 2**attempt))
            continue
        raise ProvisionError(f"register {username}: {status} {body}")
    raise ProvisionError(f"register {username}: refused repeatedly")


def ensure_room(base: str, token: str, name: str) -> Any:
    status, body = http_json("POST", base + "/api/rooms", {"name": name}, token)
    if status == 201 and isinstance(body, dict):
        return body["id"]
    if status == 409:
        status, rooms = http_json("GET", base + "/api/rooms", token=token)
        if status == 200 and isinstance(rooms, list):
            for room in rooms:
                if isinstance(room, dict) and room.get("name") == name:
                    return room["id"]
    raise ProvisionError(f"create room {name}: {status} {body}")


def provision(
    base: str, *, users: int, rooms: int, run_id: str, concurrency: int = 8
) -> Provisioned:
    """Register and log in ``users`` users and create ``rooms`` public rooms."""
    started = time.monotonic()
    names = [user_name(run_id, i) for i in range(users)]

    def one(name: str) -> str:
        register(base, name)
        return login(base, name)

    with ThreadPoolExecutor(concurrency) as pool:
        tokens = list(pool.map(one, names))
        room_names = [f"bench-{run_id}-{i}" for i in range(rooms)]
        room_ids = list(pool.map(lambda n: ensure_room(base, tokens[0], n), room_names))
    return Provisioned(tokens=tokens, room_ids=room_ids, seconds=time.monotonic() - started)
